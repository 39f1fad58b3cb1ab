import { expect } from 'chai';
import type { LogDb, LogEntry } from '../../../src/index.js';
import { collect, LogFixture, recordsOf } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

const seqs = (entries: readonly LogEntry[]): number[] => entries.map((e) => e.sequence);
const values = (entries: readonly LogEntry[]): string[] => entries.map((e) => e.value.toString());
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('LogDb scan', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  /** A log whose key 'k' holds sequences 0..9 with values v0..v9 (10 bytes each with padding). */
  async function tenEntries(): Promise<LogDb> {
    const log = await fixture.open();
    await log.append(recordsOf('k', range(0, 5).map((i) => `value-000${i}`)));
    await log.append(recordsOf('k', range(5, 10).map((i) => `value-000${i}`)));
    return log;
  }

  it('returns the entries of the half-open range [start, end) only', async () => {
    const log = await tenEntries();
    expect(seqs(await collect(log.scan('k', { start: 3, end: 7 })))).to.deep.equal([3, 4, 5, 6]);
  });

  it('treats an omitted start or end as unbounded', async () => {
    const log = await tenEntries();
    expect(seqs(await collect(log.scan('k', { start: 6 })))).to.deep.equal([6, 7, 8, 9]);
    expect(seqs(await collect(log.scan('k', { end: 3 })))).to.deep.equal([0, 1, 2]);
    expect(seqs(await collect(log.scan('k', {})))).to.deep.equal(range(0, 10));
    expect(seqs(await collect(log.scan('k')))).to.deep.equal(range(0, 10));
  });

  it('returns nothing for an empty range start == end', async () => {
    const log = await tenEntries();
    expect(await collect(log.scan('k', { start: 4, end: 4 }))).to.deep.equal([]);
  });

  it('yields each entry with its key, sequence and value', async () => {
    const log = await tenEntries();
    const [entry] = await collect(log.scan('k', { start: 2, end: 3 }));
    expect(entry.key.equals(Buffer.from('k'))).to.equal(true);
    expect(entry.sequence).to.equal(2);
    expect(entry.value.toString()).to.equal('value-0002');
  });

  it('yields at most limit entries and sets nextSequence to the last yielded + 1', async () => {
    const log = await tenEntries();
    const it = log.scan('k', { start: 2 }, { limit: 3 });
    expect(seqs(await collect(it))).to.deep.equal([2, 3, 4]);
    expect(it.nextSequence).to.equal(5);
  });

  it('sets nextSequence to the last yielded + 1 while iterating', async () => {
    const log = await tenEntries();
    const it = log.scan('k');
    expect(it.nextSequence).to.equal(0);
    let seen = 0;
    for await (const entry of it) {
      expect(it.nextSequence).to.equal(entry.sequence + 1);
      if (++seen === 4) break;
    }
    expect(seen).to.equal(4);
  });

  it('stops before the yielded values would exceed maxBytes', async () => {
    const log = await tenEntries();
    const it = log.scan('k', {}, { maxBytes: 30 });
    expect(seqs(await collect(it))).to.deep.equal([0, 1, 2]);
    expect(it.nextSequence).to.equal(3);
  });

  it('always yields at least one entry, even one larger than maxBytes', async () => {
    const log = await tenEntries();
    const it = log.scan('k', { start: 7 }, { maxBytes: 1 });
    expect(seqs(await collect(it))).to.deep.equal([7]);
    expect(it.nextSequence).to.equal(8);
  });

  it('lifts nextSequence of a drained scan to the committed frontier', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('A', ['a0', 'a1']));
    await log.append(recordsOf('B', ['b0', 'b1', 'b2']));
    const it = log.scan('A');
    expect(values(await collect(it))).to.deep.equal(['a0', 'a1']);
    expect(log.committedSequence).to.equal(5);
    expect(it.nextSequence).to.equal(log.committedSequence);
  });

  it('lifts nextSequence of a drained scan to the range end when it is below the frontier', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('A', ['a0', 'a1']));
    await log.append(recordsOf('B', ['b0', 'b1', 'b2']));
    const it = log.scan('A', { end: 4 });
    expect(values(await collect(it))).to.deep.equal(['a0', 'a1']);
    expect(it.nextSequence).to.equal(4);
  });

  it('yields nothing for a key that does not exist and lifts nextSequence to the frontier', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('A', ['a0', 'a1', 'a2']));
    const it = log.scan('missing');
    expect(await collect(it)).to.deep.equal([]);
    expect(it.nextSequence).to.equal(3);
  });

  it('reads entries across many read pages (values over 1 MiB in total) in order, each once', async () => {
    const log = await fixture.open();
    const big = (i: number): Buffer => Buffer.alloc(64 * 1024, i);
    for (let i = 0; i < 40; i += 8) await log.append(recordsOf('big', range(i, i + 8).map(big)));
    const entries = await collect(log.scan('big'));
    expect(seqs(entries)).to.deep.equal(range(0, 40));
    entries.forEach((e, i) => expect(e.value.equals(big(i)), `value ${i}`).to.equal(true));
  });

  it('reads more entries than one read page holds (20,000) in order, each once', async () => {
    const log = await fixture.open();
    for (let i = 0; i < 20_000; i += 5_000) await log.append(recordsOf('many', range(i, i + 5_000).map(String)));
    const entries = await collect(log.scan('many'));
    expect(seqs(entries)).to.deep.equal(range(0, 20_000));
    expect(values(entries)).to.deep.equal(range(0, 20_000).map(String));
  });

  it('loses and repeats nothing when resumed from nextSequence across many interleaved commits', async () => {
    const log = await fixture.open();
    const random = prng(99);
    const followed: LogEntry[] = [];
    let cursor = 0;
    const pending: Promise<unknown>[] = [];
    for (let round = 0; round < 80; round++) {
      for (const key of ['A', 'B', 'C']) {
        if (random() < 0.6) pending.push(log.append(recordsOf(key, range(0, randomInt(random, 1, 6)).map((i) => `${key}${round}.${i}`))));
      }
      if (round % 4 === 0) await Promise.all(pending.splice(0));
      else await new Promise((resolve) => setImmediate(resolve));
      // Follow A a small page at a time, resuming from nextSequence, while appends are still landing.
      const it = log.scan('A', { start: cursor }, { limit: randomInt(random, 1, 5) });
      followed.push(...(await collect(it)));
      expect(it.nextSequence).to.be.at.least(cursor);
      cursor = it.nextSequence;
    }
    await Promise.all(pending);
    for (;;) {
      const it = log.scan('A', { start: cursor }, { limit: 3 });
      const page = await collect(it);
      followed.push(...page);
      cursor = it.nextSequence;
      if (page.length === 0) break;
    }
    const all = await collect(log.scan('A'));
    expect(all.length).to.be.greaterThan(20);
    expect(seqs(followed)).to.deep.equal(seqs(all));
    expect(values(followed)).to.deep.equal(values(all));
    expect(cursor).to.equal(log.committedSequence);
  });
});

describe('LogDb scanGlobal', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  /** Keys t:a, t:b, u:c interleaved over three batches. */
  async function interleaved(): Promise<LogDb> {
    const log = await fixture.open();
    await log.append([
      { key: 't:a', value: 'a0' },
      { key: 'u:c', value: 'c0' },
      { key: 't:b', value: 'b0' },
    ]);
    await log.append([
      { key: 't:b', value: 'b1' },
      { key: 't:a', value: 'a1' },
    ]);
    await log.append([
      { key: 'u:c', value: 'c1' },
      { key: 't:a', value: 'a2' },
    ]);
    return log;
  }

  it('returns the entries of the listed keys in global sequence order', async () => {
    const log = await interleaved();
    const entries = await collect(log.scanGlobal({ keys: ['t:a', 'u:c'] }));
    expect(entries.map((e) => [e.sequence, e.key.toString(), e.value.toString()])).to.deep.equal([
      [0, 't:a', 'a0'],
      [1, 'u:c', 'c0'],
      [4, 't:a', 'a1'],
      [5, 'u:c', 'c1'],
      [6, 't:a', 'a2'],
    ]);
  });

  it('returns the entries of every key under a prefix and of no other key', async () => {
    const log = await interleaved();
    const entries = await collect(log.scanGlobal({ prefix: 't:' }));
    expect(entries.map((e) => [e.sequence, e.value.toString()])).to.deep.equal([
      [0, 'a0'],
      [2, 'b0'],
      [3, 'b1'],
      [4, 'a1'],
      [6, 'a2'],
    ]);
  });

  it('limits a global scan to [start, end) and to limit entries, with nextSequence after the last yielded', async () => {
    const log = await interleaved();
    expect(seqs(await collect(log.scanGlobal({ prefix: 't:' }, { start: 1, end: 6 })))).to.deep.equal([2, 3, 4]);
    const it = log.scanGlobal({ prefix: 't:' }, { start: 1 }, { limit: 2 });
    expect(seqs(await collect(it))).to.deep.equal([2, 3]);
    expect(it.nextSequence).to.equal(4);
  });

  it('lifts nextSequence of a drained global scan to the committed frontier', async () => {
    const log = await interleaved();
    await log.append(recordsOf('zzz', ['later']));
    const it = log.scanGlobal({ keys: ['u:c'] });
    expect(values(await collect(it))).to.deep.equal(['c0', 'c1']);
    expect(it.nextSequence).to.equal(8);
    expect(it.nextSequence).to.equal(log.committedSequence);
  });

  it('finds a rare key across more commits than one read page looks at, and resumes without loss', async () => {
    // One record per commit: the rare key's entries lie thousands of commits apart.
    const log = await fixture.open({ durability: 'async', commitRecordsMax: 1 });
    const rare = [5, 4095, 4096, 4097, 4400];
    await Promise.all(range(0, 4500).map((i) => log.append([{ key: rare.includes(i) ? 'rare' : 'common', value: `${i}` }])));
    const all = log.scanGlobal({ keys: ['rare'] });
    expect(seqs(await collect(all))).to.deep.equal(rare);
    expect(all.nextSequence).to.equal(4500);
    const resumed: number[] = [];
    let cursor = 0;
    for (let page = 0; page < 10; page++) {
      const it = log.scanGlobal({ keys: ['rare'] }, { start: cursor }, { limit: 2 });
      resumed.push(...seqs(await collect(it)));
      cursor = it.nextSequence;
    }
    expect(resumed).to.deep.equal(rare);
    expect(cursor).to.equal(4500);
  });

  it('loses and repeats nothing when a global scan is resumed from nextSequence across interleaved commits', async () => {
    const log = await fixture.open();
    const random = prng(5);
    const followed: LogEntry[] = [];
    let cursor = 0;
    for (let round = 0; round < 50; round++) {
      const pending = ['p:1', 'q:1', 'p:2'].map((key) => log.append(recordsOf(key, range(0, randomInt(random, 1, 4)).map((i) => `${key}/${round}/${i}`))));
      if (round % 2 === 0) await Promise.all(pending);
      const it = log.scanGlobal({ prefix: 'p:' }, { start: cursor }, { limit: randomInt(random, 1, 6) });
      followed.push(...(await collect(it)));
      cursor = it.nextSequence;
      await Promise.all(pending);
    }
    for (;;) {
      const it = log.scanGlobal({ prefix: 'p:' }, { start: cursor }, { limit: 4 });
      const page = await collect(it);
      followed.push(...page);
      cursor = it.nextSequence;
      if (page.length === 0) break;
    }
    const all = await collect(log.scanGlobal({ prefix: 'p:' }));
    expect(seqs(followed)).to.deep.equal(seqs(all));
    expect(values(followed)).to.deep.equal(values(all));
  });
});
