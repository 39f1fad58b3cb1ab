import { expect } from 'chai';
import { InvalidArgumentError, type LogDb, type LogDbOptions, type LogEntry, type Segment } from '../../../src/index.js';
import { collect, expectLogError, LogFixture, recordsOf, sleep, tuples } from '../../support/LogFixture.js';

const ids = (segments: readonly Segment[]): number[] => segments.map((s) => s.id);
/** Retention that only runs when the test calls runRetention(). */
const manual = { checkIntervalMs: 3_600_000 };

describe('LogDb retention', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  describe('options', () => {
    it('refuses retentionMs without segmentation.sealIntervalMs', async () => {
      await expectLogError(() => fixture.open({ retention: { retentionMs: 1000 } }), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectLogError(() => fixture.open({ segmentation: { sealBytes: 100 }, retention: { retentionMs: 1000 } }), InvalidArgumentError, 'INVALID_ARGUMENT');
    });

    it('refuses a sealIntervalMs longer than retentionMs', async () => {
      await expectLogError(() => fixture.open({ segmentation: { sealIntervalMs: 1001 }, retention: { retentionMs: 1000 } }), InvalidArgumentError, 'INVALID_ARGUMENT');
    });

    it('accepts a sealIntervalMs equal to retentionMs', async () => {
      const log = await fixture.open({ segmentation: { sealIntervalMs: 1000 }, retention: { retentionMs: 1000, ...manual } });
      expect(await log.runRetention()).to.equal(0);
    });
  });

  /** Five segments of 100 key + value bytes each: 0..3 sealed, 4 active. Each holds 2 records. */
  async function fiveSegments(options: Partial<LogDbOptions>): Promise<LogDb> {
    const log = await fixture.open(options);
    for (let s = 0; s < 5; s++) {
      await log.append([
        { key: `s${s}`, value: Buffer.alloc(48, s) },
        { key: 'all', value: Buffer.alloc(47, s) },
      ]);
      if (s < 4) await log.seal();
    }
    return log;
  }

  it('deletes the oldest sealed segments while the stored bytes exceed retentionBytes', async () => {
    const log = await fiveSegments({ retention: { retentionBytes: 250, ...manual } });
    expect((await log.listSegments()).map((s) => s.bytes)).to.deep.equal([100, 100, 100, 100, 100]);
    expect(await log.runRetention()).to.equal(3);
    expect(ids(await log.listSegments())).to.deep.equal([3, 4]);
    expect(log.stats().storedBytes).to.equal(200);
    expect(await log.runRetention()).to.equal(0);
  });

  it('never deletes the newest segment for retentionBytes, even when it is sealed', async () => {
    const log = await fiveSegments({ retention: { retentionBytes: 1, ...manual } });
    await log.seal();
    expect((await log.listSegments()).every((s) => s.sealed)).to.equal(true);
    expect(await log.runRetention()).to.equal(4);
    expect(ids(await log.listSegments())).to.deep.equal([4]);
  });

  it('deletes exactly the sealed segments whose last append is older than retentionMs', async () => {
    const log = await fixture.open({ segmentation: { sealIntervalMs: 100 }, retention: { retentionMs: 500, ...manual } });
    await log.append(recordsOf('k', ['old-1', 'old-2']));
    await log.seal();
    await sleep(650);
    await log.append(recordsOf('k', ['young']));
    await log.seal();
    await log.append(recordsOf('k', ['active']));
    expect(ids(await log.listSegments())).to.deep.equal([0, 1, 2]);
    expect(await log.runRetention()).to.equal(1);
    expect(ids(await log.listSegments())).to.deep.equal([1, 2]);
    expect((await collect(log.scan('k'))).map((e) => e.value.toString())).to.deep.equal(['young', 'active']);
  });

  it('never deletes the newest segment for retentionMs, even when it is sealed and expired', async () => {
    const log = await fixture.open({ segmentation: { sealIntervalMs: 50 }, retention: { retentionMs: 100, ...manual } });
    await log.append(recordsOf('k', ['a']));
    await log.seal();
    await log.append(recordsOf('k', ['b']));
    await log.seal();
    await sleep(250);
    expect(await log.runRetention()).to.equal(1);
    const segments = await log.listSegments();
    expect(ids(segments)).to.deep.equal([1]);
    expect(segments[0].sealed).to.equal(true);
    expect((await collect(log.scan('k'))).map((e) => e.value.toString())).to.deep.equal(['b']);
  });

  /**
   * Segment 0: keys a, b. Segment 1: keys b, c. Segment 2 (active): keys c, d.
   * Retention by bytes deletes segment 0 only.
   */
  async function afterDeletingSegmentZero(): Promise<{ log: LogDb; kept: LogEntry[] }> {
    const log = await fixture.open({ retention: { retentionBytes: 40, ...manual } });
    await log.append([
      { key: 'a', value: 'a0-' },
      { key: 'b', value: 'b0-' },
      { key: 'a', value: 'a1-' },
      { key: 'b', value: 'b1-' },
      { key: 'a', value: 'a2-' },
    ]); // 20 bytes
    await log.seal();
    await log.append([{ key: 'b', value: 'b2-' }, { key: 'c', value: 'c0-' }]);
    await log.append([{ key: 'b', value: 'b3-' }, { key: 'c', value: 'c1-' }]); // 16 bytes
    await log.seal();
    await log.append([{ key: 'c', value: 'c2-' }, { key: 'd', value: 'd0-' }]); // 8 bytes
    const kept = (await collect(log.scanGlobal({ keys: ['a', 'b', 'c', 'd'] }))).filter((e) => e.sequence >= 5);
    expect(await log.runRetention()).to.equal(1);
    return { log, kept };
  }

  it('removes the entries of deleted segments from scans and global scans and keeps the rest intact', async () => {
    const { log, kept } = await afterDeletingSegmentZero();
    expect(await collect(log.scan('a'))).to.deep.equal([]);
    expect((await collect(log.scan('b'))).map((e) => [e.sequence, e.value.toString()])).to.deep.equal([
      [5, 'b2-'],
      [7, 'b3-'],
    ]);
    expect(tuples(await collect(log.scanGlobal({ keys: ['a', 'b', 'c', 'd'] })))).to.deep.equal(tuples(kept));
    expect(tuples(await collect(log.scanGlobal({ keys: ['a', 'b'] }, { start: 0, end: 5 })))).to.deep.equal([]);
  });

  it('keeps counts exact over the remaining entries after deleting a segment', async () => {
    const { log } = await afterDeletingSegmentZero();
    expect(await log.count('a')).to.equal(0);
    expect(await log.count('b')).to.equal(2);
    expect(await log.count('b', { start: 0, end: 6 })).to.equal(1);
    expect(await log.count('b', { start: 6 })).to.equal(1);
    expect(await log.count('b', { start: 0, end: 5 })).to.equal(0);
    expect(await log.count('c')).to.equal(3);
    expect(await log.count('c', { start: 7, end: 10 })).to.equal(2);
  });

  it('removes the keys and the record of deleted segments from listKeys and listSegments', async () => {
    const { log } = await afterDeletingSegmentZero();
    expect(ids(await log.listSegments())).to.deep.equal([1, 2]);
    expect((await collect(log.listKeys())).map((k) => k.toString())).to.deep.equal(['b', 'c', 'd']);
    expect((await collect(log.listKeys({ start: 0, end: 1 }))).map((k) => k.toString())).to.deep.equal([]);
    expect(log.stats().segments).to.equal(2);
  });

  it('keeps appending above every earlier sequence after deleting segments, and across reopen', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir, retention: { retentionBytes: 1, ...manual } });
    await log.append(recordsOf('a', ['1', '2']));
    await log.seal();
    await log.append(recordsOf('b', ['3']));
    expect(await log.runRetention()).to.equal(1);
    const out = await log.append(recordsOf('a', ['4']));
    expect(out.startSequence).to.equal(3);
    expect(await log.count('a')).to.equal(1);
    expect((await collect(log.scan('a'))).map((e) => e.sequence)).to.deep.equal([3]);
    await log.close();
    const reopened = await fixture.open({ path: dir });
    expect(ids(await reopened.listSegments())).to.deep.equal([1]);
    expect((await collect(reopened.scan('a'))).map((e) => e.sequence)).to.deep.equal([3]);
    expect(await reopened.count('a')).to.equal(1);
    expect((await reopened.append(recordsOf('a', ['5']))).startSequence).to.equal(4);
    expect(await reopened.count('a')).to.equal(2);
  });
});
