import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { InvalidArgumentError, type LogDb } from '../../../src/index.js';
import { collect, expectLogError, LogFixture } from '../../support/LogFixture.js';
import { ManualClock } from '../../support/ManualClock.js';

/** Keys of the scale test: a million by default (ODLOG_TRIM_KEYS for another size). */
const keysAtScale = Number(process.env.ODLOG_TRIM_KEYS ?? 1_000_000);

const values = async (log: LogDb, key: string): Promise<string[]> => (await collect(log.scan(key))).map((e) => e.value.toString());
const keysOf = async (log: LogDb): Promise<string[]> => {
  const out: string[] = [];
  for await (const k of log.listKeys()) out.push(k.toString());
  return out;
};

describe('LogDb trim and deleteKey', function () {
  this.timeout(120_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  for (const where of ['memtable', 'LMDB'] as const) {
    it(`trims a key's entries below a sequence, keeping offsets and counts exact on what remains (records in the ${where})`, async () => {
      const path = fixture.dir();
      let log = await fixture.open({ path });
      for (let i = 0; i < 10; i++) await log.append([{ key: 'k', value: `k${i}` }, { key: 'other', value: `o${i}` }]);
      if (where === 'LMDB') await log.compact();
      const before = (await collect(log.scan('k')))[4].sequence;
      expect(await log.trim('k', { before })).to.equal(4);
      expect(await values(log, 'k')).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
      expect((await collect(log.scan('k'))).map((e) => e.offset)).to.deep.equal([4, 5, 6, 7, 8, 9]);
      expect(await log.count('k')).to.equal(6);
      expect(await log.count('k', { start: 0, end: before + 3 })).to.equal(2);
      expect(log.offsets('k')).to.deep.equal({ start: 4, end: 10 });
      expect((await collect(log.scanGlobal({ keys: ['k'] }))).map((e) => e.value.toString())).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
      expect(await values(log, 'other')).to.have.length(10, 'other keys are untouched');
      // The same after the flush that applies it, and after a reopen.
      await log.compact();
      expect(await values(log, 'k')).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
      expect((await collect(log.scanGlobal({ prefix: 'k' }))).map((e) => e.value.toString())).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
      await log.close();
      log = await fixture.open({ path });
      expect(await values(log, 'k')).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
      expect(await log.count('k')).to.equal(6);
      // Trimming again below the same point removes nothing.
      expect(await log.trim('k', { before })).to.equal(0);
    });
  }

  it('deletes a key: its entries, and the key from listings; a later append starts a fresh stream from offset 0, above every earlier sequence', async () => {
    const path = fixture.dir();
    let log = await fixture.open({ path });
    await log.append([{ key: 'gone', value: 'a' }, { key: 'kept', value: 'b' }, { key: 'gone', value: 'c' }]);
    await log.compact();
    await log.append([{ key: 'gone', value: 'd' }]);
    expect(await log.deleteKey('gone')).to.equal(3);
    expect(await values(log, 'gone')).to.deep.equal([]);
    expect(await log.count('gone')).to.equal(0);
    expect(log.offsets('gone')).to.deep.equal({ start: 0, end: 0 });
    expect(await keysOf(log)).to.deep.equal(['kept']);
    const again = await log.append([{ key: 'gone', value: 'fresh' }]);
    expect(again.startSequence).to.equal(4);
    expect((await collect(log.scan('gone'))).map((e) => [e.value.toString(), e.offset])).to.deep.equal([['fresh', 0]]);
    await log.compact();
    await log.close();
    log = await fixture.open({ path });
    expect((await collect(log.scan('gone'))).map((e) => [e.value.toString(), e.offset])).to.deep.equal([['fresh', 0]]);
    expect(await keysOf(log)).to.deep.equal(['gone', 'kept']);
  });

  it('answers 0 for a key that never existed, and refuses a trim without a sequence', async () => {
    const log = await fixture.open();
    expect(await log.deleteKey('never')).to.equal(0);
    expect(await log.trim('never', { before: 10 })).to.equal(0);
    await expectLogError(() => log.trim('k', {} as { before: number }), InvalidArgumentError, 'INVALID_ARGUMENT');
  });

  it('trims atomically while appends to the key go on: every read sees all of the trim or none, and no append is lost', async () => {
    const log = await fixture.open({ memtableBytesMax: 1024 * 1024, commitBytesMax: 64 * 1024 });
    let stop = false;
    const appended: number[] = [];
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const out = await log.append([{ key: 'hot', value: `v${i}` }]);
        appended.push(out.startSequence);
      }
    })();
    while (appended.length < 200) await new Promise((r) => setImmediate(r));
    const cut = appended[100];
    const removed = await log.trim('hot', { before: cut });
    expect(removed).to.equal(100);
    const seen = (await collect(log.scan('hot'))).map((e) => e.sequence);
    expect(seen[0]).to.equal(cut, 'everything below the trim is gone and nothing from it on');
    while (appended.length < 400) await new Promise((r) => setImmediate(r));
    stop = true;
    await writer;
    const all = (await collect(log.scan('hot'))).map((e) => e.sequence);
    expect(all).to.deep.equal(appended.filter((s) => s >= cut));
  });

  it('takes the bytes of deleted records out of LMDB: a backup right after has none, and the live file has none once later flushes reuse the freed pages', async () => {
    const path = fixture.dir();
    const log = await fixture.open({ path });
    const secret = (i: number): string => `SECRET-${i}-`.padEnd(200, 'z');
    await log.append(Array.from({ length: 500 }, (_, i) => ({ key: 'customer-4711', value: secret(i) })));
    await log.append(Array.from({ length: 500 }, (_, i) => ({ key: 'others', value: `ordinary-${i}` })));
    await log.compact();
    expect(readFileSync(join(path, 'log.mdb')).includes('SECRET-17-'), 'the records are in the file before the deletion').to.equal(true);
    expect(await log.deleteKey('customer-4711')).to.equal(500);
    await log.compact();
    const copy = fixture.dir('odlog-backup');
    await log.backup(copy);
    expect(readFileSync(join(copy, 'log.mdb')).includes('SECRET-'), 'a compacting backup holds no deleted bytes').to.equal(false);
    // LMDB reuses freed pages for later writes: within a bounded number of flushes, the live file has none.
    let flushes = 0;
    while (readFileSync(join(path, 'log.mdb')).includes('SECRET-')) {
      expect(flushes, 'deleted bytes were still in the live file after 50 flushes of 200 KB').to.be.below(50);
      await log.append(Array.from({ length: 1000 }, (_, i) => ({ key: `filler-${i % 10}`, value: 'f'.repeat(200) })));
      await log.compact();
      flushes++;
    }
    console.log(`      the live data file held no deleted bytes after ${flushes} more flush(es) of 200 KB`);
  });
});

describe('LogDb deletions across a crash and at scale', function () {
  this.timeout(300_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('completes a large deletion after a SIGKILL in the middle of the flush that erases it', async () => {
    const dir = fixture.dir();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../support/trimCrashChild.js', import.meta.url)), dir, '300000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const deadline = Date.now() + 120_000;
    while (!/^deleted \d+$/m.test(stdout) && child.exitCode === null) {
      expect(Date.now(), `the child never deleted: ${stderr}`).to.be.below(deadline);
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await closed;
    expect(stdout, 'the kill came after the erasing flush, so it tested nothing; make the deletion larger').to.not.match(/^erased$/m);
    const removed = Number(/^deleted (\d+)$/m.exec(stdout)?.[1]);
    expect(removed).to.equal(297000);
    const log = await fixture.open({ path: dir });
    expect(await log.count('big')).to.equal(0);
    expect(await collect(log.scan('big'))).to.have.length(0);
    expect(await log.count('other')).to.equal(3000);
    expect(await keysOf(log)).to.deep.equal(['other']);
    await log.compact();
    expect(await log.count('big')).to.equal(0);
    expect(await keysOf(log)).to.deep.equal(['other']);
  });

  it(`trims and deletes keys of a log of ${keysAtScale.toLocaleString('en-US')} keys`, async () => {
    const log = await fixture.open();
    const value = Buffer.alloc(20, 0x63);
    for (let i = 0; i < keysAtScale; i += 10_000) {
      await log.append(Array.from({ length: 10_000 }, (_, j) => ({ key: `entity-${i + j}`, value })));
    }
    await log.append(Array.from({ length: 10 }, (_, j) => ({ key: 'entity-42', value: `more-${j}` })));
    await log.compact();
    expect(await log.deleteKey('entity-7')).to.equal(1);
    const tenth = (await collect(log.scan('entity-42')))[5].sequence;
    expect(await log.trim('entity-42', { before: tenth })).to.equal(5);
    await log.compact();
    expect(await log.count('entity-7')).to.equal(0);
    expect(await log.count('entity-42')).to.equal(6);
    expect(await log.count('entity-8')).to.equal(1);
    let listed = 0;
    let sawDeleted = false;
    for await (const key of log.listKeys()) {
      listed++;
      if (key.toString() === 'entity-7') sawDeleted = true;
    }
    expect(listed).to.equal(keysAtScale - 1);
    expect(sawDeleted).to.equal(false);
  });
});

describe('LogDb per-key retention by prefix', function () {
  this.timeout(60_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('keeps at most maxRecords entries of each key under the prefix, trimming in batches, and leaves other keys alone', async () => {
    const log = await fixture.open({ keyRetention: [{ prefix: 'cap:', maxRecords: 100 }] });
    for (let i = 0; i < 100; i++) {
      await log.append(Array.from({ length: 10 }, (_, j) => ({ key: j % 2 === 0 ? 'cap:a' : 'free', value: `${i}.${j}` })));
    }
    // Trims follow commits asynchronously: wait for the key to come back under its bound plus the batch (64).
    const deadline = Date.now() + 10_000;
    while ((await log.count('cap:a')) > 100 + 64) {
      expect(Date.now(), 'cap:a was never trimmed back').to.be.below(deadline);
      await new Promise((r) => setTimeout(r, 10));
    }
    const kept = await collect(log.scan('cap:a'));
    expect(kept.length).to.be.at.least(100);
    expect(kept[kept.length - 1].value.toString()).to.equal('99.8', 'the newest entries are the ones kept');
    expect(kept.map((e) => e.offset)).to.deep.equal(kept.map((_, i) => 500 - kept.length + i));
    expect(await log.count('free')).to.equal(500);
  });

  it('removes entries older than maxAgeMs from each key under the prefix when age retention runs', async () => {
    const clock = new ManualClock(1_000_000);
    const log = await fixture.open({ clock, keyRetention: [{ prefix: 'age:', maxAgeMs: 1000 }, { prefix: 'age:keep', maxRecords: 1_000_000 }] });
    await log.append([{ key: 'age:a', value: 'old' }, { key: 'age:b', value: 'old' }, { key: 'age:keep', value: 'old' }, { key: 'other', value: 'old' }]);
    clock.set(1_002_000);
    await log.append([{ key: 'age:a', value: 'new' }]);
    clock.set(1_002_500);
    expect(await log.runKeyRetention()).to.equal(2);
    expect(await values(log, 'age:a')).to.deep.equal(['new']);
    expect(await values(log, 'age:b')).to.deep.equal([]);
    expect(await values(log, 'age:keep'), 'the longest prefix decides: age:keep has no age rule').to.deep.equal(['old']);
    expect(await values(log, 'other')).to.deep.equal(['old']);
  });

  it('refuses a rule without a bound', async () => {
    await expectLogError(() => fixture.open({ keyRetention: [{ prefix: 'x' }] }), InvalidArgumentError, 'INVALID_ARGUMENT');
  });
});

describe('LogDb backup', function () {
  this.timeout(120_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('writes a consistent copy while appends go on: the copy holds exactly the log up to the sequence reported, whole batches, with cursors and producer windows', async () => {
    const log = await fixture.open({ memtableBytesMax: 1024 * 1024, commitBytesMax: 64 * 1024 });
    let stop = false;
    const acked: { start: number; count: number }[] = [];
    let batch = 0;
    const writer = (async () => {
      while (!stop) {
        const n = (batch % 7) + 1;
        const records = Array.from({ length: n }, (_, i) => ({ key: `k${(batch + i) % 5}`, value: `b${batch}.${i}` }));
        const out = await log.append(records, { producer: { id: 'p1', batchNumber: batch } });
        acked.push({ start: out.startSequence, count: out.count });
        batch++;
      }
    })();
    while (acked.length < 300) await new Promise((r) => setImmediate(r));
    await log.cursors.commit('billing', 42, { keys: [Buffer.from('k1')] });
    const dir = fixture.dir('odlog-backup');
    const { bytes, sequence } = await log.backup(dir);
    while (acked.length < 600) await new Promise((r) => setImmediate(r));
    stop = true;
    await writer;
    expect(bytes).to.be.greaterThan(0);
    expect(sequence).to.be.greaterThan(0);
    const original = (await collect(log.scanGlobal({ prefix: '' }, { end: sequence }))).map((e) => `${e.key}@${e.sequence}=${e.value}`);
    const restored = await fixture.open({ path: dir });
    const copied = (await collect(restored.scanGlobal({ prefix: '' }))).map((e) => `${e.key}@${e.sequence}=${e.value}`);
    expect(copied).to.deep.equal(original, 'the copy holds exactly the log below the reported sequence');
    expect(restored.committedSequence).to.equal(sequence);
    expect(acked.some((a) => a.start < sequence && a.start + a.count > sequence), 'a batch cut by the copy').to.equal(false);
    expect(restored.cursors.get('billing')?.sequence).to.equal(42);
    // The producer's window came along: a batch in the copy, sent again, is answered as a duplicate.
    const inCopy = acked.findIndex((a) => a.start + a.count <= sequence && a.start + a.count > sequence - 100);
    const retry = await restored.append([{ key: 'k0', value: 'retry' }], { producer: { id: 'p1', batchNumber: inCopy } });
    expect(retry).to.deep.include({ startSequence: acked[inCopy].start, count: acked[inCopy].count, duplicate: true });
    // And the copy goes on from there.
    expect((await restored.append([{ key: 'k0', value: 'after' }])).startSequence).to.equal(sequence);
  });

  it('refuses a directory that is not empty', async () => {
    const log = await fixture.open();
    const dir = fixture.dir('odlog-backup');
    await log.append([{ key: 'k', value: 'v' }]);
    await log.backup(dir);
    await expectLogError(() => log.backup(dir), InvalidArgumentError, 'INVALID_ARGUMENT');
  });
});
