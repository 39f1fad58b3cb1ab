import { expect } from 'chai';
import type { LogDb, Segment } from '../../../src/index.js';
import { LogFixture, recordsOf, waitFor } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

const ids = (segments: readonly Segment[]): number[] => segments.map((s) => s.id);

describe('LogDb segments', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('has no segment before the first append, and opens segment 0 at sequence 0 with it', async () => {
    const log = await fixture.open();
    expect(await log.listSegments()).to.deep.equal([]);
    await log.append(recordsOf('k', ['abc']));
    const [segment, ...rest] = await log.listSegments();
    expect(rest).to.deep.equal([]);
    expect(segment).to.include({ id: 0, startSeq: 0, endSeq: 1, sealed: false, records: 1, bytes: 4 });
  });

  it('seals the active segment on seal(), and the next append opens a new one starting at that append\'s first sequence', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('k', ['a', 'b', 'c']));
    await log.seal();
    let segments = await log.listSegments();
    expect(segments).to.have.length(1);
    expect(segments[0]).to.include({ id: 0, startSeq: 0, endSeq: 3, sealed: true, records: 3 });
    const out = await log.append(recordsOf('k', ['d', 'e']));
    segments = await log.listSegments();
    expect(ids(segments)).to.deep.equal([0, 1]);
    expect(segments[1]).to.include({ id: 1, startSeq: out.startSequence, endSeq: 5, sealed: false, records: 2 });
  });

  it('opens no empty segment when seal() is called twice or with nothing appended since', async () => {
    const log = await fixture.open();
    await log.seal();
    expect(await log.listSegments()).to.deep.equal([]);
    await log.append(recordsOf('k', ['a']));
    await log.seal();
    await log.seal();
    expect(ids(await log.listSegments())).to.deep.equal([0]);
    await log.append(recordsOf('k', ['b']));
    expect(ids(await log.listSegments())).to.deep.equal([0, 1]);
  });

  it('reports each segment\'s records and key + value bytes, and the active one\'s endSeq as the committed frontier', async () => {
    const log = await fixture.open();
    await log.append([{ key: 'ab', value: '123' }, { key: 'c', value: '' }]);
    await log.seal();
    await log.append([{ key: 'k', value: '12345' }]);
    await log.append([{ key: 'kk', value: '1' }]);
    const [first, second] = await log.listSegments();
    expect(first).to.include({ records: 2, bytes: 6, startSeq: 0, endSeq: 2 });
    expect(second).to.include({ records: 2, bytes: 9, startSeq: 2, endSeq: log.committedSequence });
    expect(second.lastAppendTimeMs).to.be.at.least(second.startTimeMs);
  });

  it('seals a segment once it holds sealBytes of keys and values', async () => {
    const log = await fixture.open({ segmentation: { sealBytes: 100 } });
    for (let i = 0; i < 10; i++) await log.append([{ key: 'key-x', value: Buffer.alloc(25, 0x41) }]); // 30 bytes each
    const segments = await log.listSegments();
    expect(segments.map((s) => [s.id, s.startSeq, s.records, s.sealed])).to.deep.equal([
      [0, 0, 4, true],
      [1, 4, 4, true],
      [2, 8, 2, false],
    ]);
  });

  it('seals the active segment once sealIntervalMs has passed, without another append', async () => {
    const log = await fixture.open({ segmentation: { sealIntervalMs: 100 } });
    await log.append(recordsOf('k', ['a']));
    await waitFor(async () => (await log.listSegments())[0].sealed, 'segment 0 to be sealed by its interval');
    const out = await log.append(recordsOf('k', ['b']));
    const segments = await log.listSegments();
    expect(ids(segments)).to.deep.equal([0, 1]);
    expect(segments[1].startSeq).to.equal(out.startSequence);
  });

  it('never spreads a batch over two segments', async () => {
    // Small commits and segments: a burst of appends becomes many commits, and segments fill up between them.
    const log = await fixture.open({ segmentation: { sealBytes: 64 }, commitBytesMax: 60 });
    const random = prng(21);
    const outs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => log.append(recordsOf(`k${i % 4}`, Array.from({ length: randomInt(random, 1, 12) }, () => 'vv')))),
    );
    const segments = await log.listSegments();
    expect(segments.length).to.be.greaterThan(3);
    for (const out of outs) {
      const holding = segments.filter((s) => s.startSeq < out.startSequence + out.count && s.endSeq > out.startSequence);
      expect(holding.length, `batch at ${out.startSequence}+${out.count}`).to.equal(1);
      expect(holding[0].startSeq).to.be.at.most(out.startSequence);
      expect(holding[0].endSeq).to.be.at.least(out.startSequence + out.count);
    }
    // Segments tile the sequence space without gaps or overlaps.
    segments.forEach((s, i) => expect(s.startSeq).to.equal(i === 0 ? 0 : segments[i - 1].endSeq));
  });

  /** Segments [0,4) [4,8) sealed, [8,10) active. */
  async function threeSegments(): Promise<LogDb> {
    const log = await fixture.open();
    await log.append(recordsOf('k', ['0', '1', '2', '3']));
    await log.seal();
    await log.append(recordsOf('k', ['4', '5', '6', '7']));
    await log.seal();
    await log.append(recordsOf('k', ['8', '9']));
    return log;
  }

  it('lists only the segments overlapping [start, end)', async () => {
    const log = await threeSegments();
    expect(ids(await log.listSegments())).to.deep.equal([0, 1, 2]);
    expect(ids(await log.listSegments({ start: 4, end: 8 }))).to.deep.equal([1]);
    expect(ids(await log.listSegments({ start: 3, end: 5 }))).to.deep.equal([0, 1]);
    expect(ids(await log.listSegments({ start: 7, end: 9 }))).to.deep.equal([1, 2]);
    expect(ids(await log.listSegments({ end: 4 }))).to.deep.equal([0]);
    expect(ids(await log.listSegments({ end: 1 }))).to.deep.equal([0]);
    expect(ids(await log.listSegments({ start: 8 }))).to.deep.equal([2]);
    expect(ids(await log.listSegments({ start: 4, end: 4 }))).to.deep.equal([]);
  });

  it('keeps segments across close and reopen and continues their ids', async () => {
    const dir = fixture.dir();
    const first = await fixture.open({ path: dir });
    await first.append(recordsOf('k', ['a', 'b']));
    await first.seal();
    await first.append(recordsOf('k', ['c']));
    const before = await first.listSegments();
    await first.close();
    const log = await fixture.open({ path: dir });
    expect(await log.listSegments()).to.deep.equal(before);
    await log.seal();
    await log.append(recordsOf('k', ['d']));
    const after = await log.listSegments();
    expect(ids(after)).to.deep.equal([0, 1, 2]);
    expect(after[2].startSeq).to.equal(3);
  });
});
