import { expect } from 'chai';
import { InvalidArgumentError, StaleBatchError, type LogEntry } from '../../../src/index.js';
import { collect, expectLogError, LogFixture } from '../../support/LogFixture.js';
import { ManualClock } from '../../support/ManualClock.js';

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString());
const shown = (e: LogEntry): unknown => ({ seq: e.sequence, offset: e.offset, value: e.value.toString(), headers: e.headers?.map((h) => [h.name, text(h.value)]) });

describe('LogDb records: headers, append times and offsets', function () {
  this.timeout(60_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('keeps headers (in order, null values included) with their records, through a flush and a reopen', async () => {
    const path = fixture.dir();
    let log = await fixture.open({ path });
    await log.append([
      { key: 'k', value: 'a', headers: [{ name: 'trace', value: 'x1' }, { name: 'null', value: null }, { name: 'bin', value: Buffer.from([0, 255]) }] },
      { key: 'other', value: 'b' },
      { key: 'k', value: 'c' },
      { key: 'k', value: 'd', headers: [] },
    ]);
    const expected = [
      { seq: 0, offset: 0, value: 'a', headers: [['trace', 'x1'], ['null', null], ['bin', '\u0000\ufffd']] },
      { seq: 2, offset: 1, value: 'c', headers: undefined },
      { seq: 3, offset: 2, value: 'd', headers: undefined },
    ];
    expect((await collect(log.scan('k'))).map(shown)).to.deep.equal(expected, 'from the memtable');
    await log.compact();
    expect((await collect(log.scan('k'))).map(shown)).to.deep.equal(expected, 'from LMDB');
    const global = await collect(log.scanGlobal({ keys: ['k'] }));
    expect(global.map(shown)).to.deep.equal(expected, 'in global order');
    expect(global[0].headers?.[2].value).to.deep.equal(Buffer.from([0, 255]));
    await log.close();
    log = await fixture.open({ path });
    expect((await collect(log.scan('k'))).map(shown)).to.deep.equal(expected, 'after a reopen');
  });

  it('refuses reserved header names and headers over their bounds, writing nothing of the batch', async () => {
    const log = await fixture.open();
    await expectLogError(() => log.append([{ key: 'k', value: 'v', headers: [{ name: 'odlog.kafka.key', value: 'x' }] }]), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.append([{ key: 'k', value: 'v', headers: Array.from({ length: 65 }, (_, i) => ({ name: `h${i}`, value: '' })) }]), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.append([{ key: 'k', value: 'v', headers: [{ name: 'x'.repeat(257), value: '' }] }]), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.append([{ key: 'k', value: 'v', headers: [{ name: '', value: '' }] }]), InvalidArgumentError, 'INVALID_ARGUMENT');
    expect(log.committedSequence).to.equal(0);
  });

  it('stamps every entry with its commit time, which never goes back along the log even when the clock does', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await fixture.open({ clock });
    await log.append([{ key: 'k', value: '1' }, { key: 'j', value: '2' }]);
    clock.set(2_000_000);
    await log.append([{ key: 'k', value: '3' }]);
    clock.set(1_500_000); // the clock went back
    await log.append([{ key: 'k', value: '4' }]);
    clock.set(3_000_000);
    await log.append([{ key: 'k', value: '5' }]);
    const times = async (): Promise<number[]> => (await collect(log.scan('k'))).map((e) => e.timestamp);
    expect(await times()).to.deep.equal([1_000_000, 2_000_000, 2_000_000, 3_000_000]);
    await log.compact();
    expect(await times()).to.deep.equal([1_000_000, 2_000_000, 2_000_000, 3_000_000], 'after a flush');
    expect((await collect(log.scanGlobal({ prefix: '' }))).map((e) => e.timestamp)).to.deep.equal([1_000_000, 1_000_000, 2_000_000, 2_000_000, 3_000_000]);
  });

  it('finds entries by time: the first of a key at or after it, and the first sequence of the log at or after it', async () => {
    const clock = new ManualClock(10_000);
    const log = await fixture.open({ clock });
    for (let i = 0; i < 6; i++) {
      await log.append([{ key: i % 2 === 0 ? 'even' : 'odd', value: String(i) }]);
      clock.advance(1000);
      if (i === 2) await log.compact(); // half in LMDB, half in the memtable
    }
    expect(log.entryAtTime('even', 10_000)).to.deep.equal({ sequence: 0, offset: 0 });
    expect(log.entryAtTime('even', 10_001)).to.deep.equal({ sequence: 2, offset: 1 });
    expect(log.entryAtTime('odd', 13_500)).to.deep.equal({ sequence: 5, offset: 2 });
    expect(log.entryAtTime('odd', 99_000)).to.equal(undefined);
    expect(log.sequenceAtTime(0)).to.equal(0);
    expect(log.sequenceAtTime(12_500)).to.equal(3);
    expect(log.sequenceAtTime(15_000)).to.equal(5);
    expect(log.sequenceAtTime(15_001)).to.equal(6);
  });

  it('gives each key dense offsets (0, 1, 2, ...) and finds the sequence of an offset, in either tier', async () => {
    const log = await fixture.open();
    for (let round = 0; round < 5; round++) {
      await log.append(Array.from({ length: 10 }, (_, i) => ({ key: i % 3 === 0 ? 'a' : 'b', value: `${round}.${i}` })));
      if (round === 2) await log.compact();
    }
    const a = await collect(log.scan('a'));
    expect(a.map((e) => e.offset)).to.deep.equal(a.map((_, i) => i));
    expect(log.offsets('a')).to.deep.equal({ start: 0, end: a.length });
    expect(log.offsets('never')).to.deep.equal({ start: 0, end: 0 });
    for (const offset of [0, 1, 5, a.length - 1]) {
      expect(log.sequenceOfOffset('a', offset), `offset ${offset}`).to.deep.equal({ sequence: a[offset].sequence, offset });
    }
    expect(log.sequenceOfOffset('a', a.length)).to.equal(undefined);
    // Below a sequence bound (what a Kafka consumer sees: the durable part).
    expect(log.offsets('a', { end: a[3].sequence })).to.deep.equal({ start: 0, end: 3 });
  });

  it('moves the first offset up when retention deletes old segments, and keeps the others', async () => {
    const log = await fixture.open({ retention: { retentionBytes: 1, checkIntervalMs: 3_600_000 } });
    await log.append(Array.from({ length: 4 }, (_, i) => ({ key: 'k', value: `old${i}` })));
    await log.seal();
    await log.append(Array.from({ length: 3 }, (_, i) => ({ key: 'k', value: `new${i}` })));
    expect(await log.runRetention()).to.equal(1);
    expect(log.offsets('k')).to.deep.equal({ start: 4, end: 7 });
    expect((await collect(log.scan('k'))).map((e) => e.offset)).to.deep.equal([4, 5, 6]);
    expect(log.sequenceOfOffset('k', 0)).to.deep.equal({ sequence: 4, offset: 4 }, 'an offset below the first is the first');
  });

  it('stores consumer-group offsets durably with the log, per group and key', async () => {
    const path = fixture.dir();
    let log = await fixture.open({ path });
    await log.groups.commit('g1', [
      { key: Buffer.from('orders'), offset: 42, metadata: 'm', leaderEpoch: -1 },
      { key: Buffer.from('payments'), offset: 7, metadata: '', leaderEpoch: 3 },
    ]);
    await log.groups.commit('g2', [{ key: Buffer.from('orders'), offset: 1, metadata: '', leaderEpoch: -1 }]);
    await log.close();
    log = await fixture.open({ path });
    expect(log.groups.groups()).to.deep.equal(['g1', 'g2']);
    expect(log.groups.fetch('g1').map((o) => [o.key.toString(), o.offset, o.metadata, o.leaderEpoch])).to.deep.equal([
      ['orders', 42, 'm', -1],
      ['payments', 7, '', 3],
    ]);
    expect(log.groups.fetch('g2', [Buffer.from('orders'), Buffer.from('nothing')]).map((o) => o.offset)).to.deep.equal([1]);
    expect(await log.groups.delete('g1')).to.equal(2);
    expect(log.groups.groups()).to.deep.equal(['g2']);
  });

  it("answers an append with its first record's offset and its append time, and a retry with the original ones", async () => {
    const clock = new ManualClock(5_000);
    const log = await fixture.open({ clock });
    await log.append([{ key: 'k', value: '0' }, { key: 'k', value: '1' }]);
    clock.set(6_000);
    const out = await log.append([{ key: 'k', value: '2' }, { key: 'k', value: '3' }], { producer: { id: 'p', batchNumber: 1000 } });
    expect(out).to.deep.include({ startSequence: 2, count: 2, offset: 2, timestamp: 6_000 });
    clock.set(9_000);
    const again = await log.append([{ key: 'k', value: '2' }, { key: 'k', value: '3' }], { producer: { id: 'p', batchNumber: 1000 } });
    expect(again).to.deep.equal({ startSequence: 2, count: 2, offset: 2, timestamp: 6_000, duplicate: true });
  });

  it("keeps an idempotent producer's last batches whatever their numbers, and refuses one older than them with StaleBatchError", async () => {
    const path = fixture.dir();
    let log = await fixture.open({ path, producerWindowBatches: 4 });
    // Numbered by record sequence, as a Kafka producer does: far apart.
    for (const n of [0, 100, 200, 300]) await log.append([{ key: 'k', value: `b${n}` }], { producer: { id: 'p', batchNumber: n } });
    expect((await log.append([{ key: 'k', value: 'b0' }], { producer: { id: 'p', batchNumber: 0 } })).duplicate).to.equal(true);
    await log.append([{ key: 'k', value: 'b400' }], { producer: { id: 'p', batchNumber: 400 } });
    await expectLogError(() => log.append([{ key: 'k', value: 'b0' }], { producer: { id: 'p', batchNumber: 0 } }), StaleBatchError, 'STALE_BATCH');
    expect(log.producerLastBatch('p')).to.deep.equal({ batchNumber: 400, count: 1 });
    await log.close();
    log = await fixture.open({ path, producerWindowBatches: 4 });
    expect(log.producerLastBatch('p')).to.deep.equal({ batchNumber: 400, count: 1 }, 'after a reopen');
    expect((await log.append([{ key: 'k', value: 'b100' }], { producer: { id: 'p', batchNumber: 100 } })).duplicate).to.equal(true);
    expect(log.producerLastBatch('nobody')).to.equal(undefined);
    expect(await log.count('k')).to.equal(5);
  });

  it('hands out producer ids that never repeat, across reopens', async () => {
    const path = fixture.dir();
    let log = await fixture.open({ path });
    const first = [await log.allocateProducerId(), await log.allocateProducerId()];
    await log.close();
    log = await fixture.open({ path });
    const next = await log.allocateProducerId();
    expect(new Set([...first, next]).size).to.equal(3);
    expect(next).to.be.greaterThan(Math.max(...first));
  });
});
