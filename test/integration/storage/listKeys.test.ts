import { expect } from 'chai';
import type { LogDb } from '../../../src/index.js';
import { limits } from '../../../src/limits.js';
import { collect, hexes, LogFixture, sortedDistinct } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

const strings = (keys: readonly Buffer[]): string[] => keys.map((k) => k.toString());

describe('LogDb listKeys', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  /** Segment 0: a, b, m/1. Segment 1: b, c, m/2. Segment 2 (active): c, d, m/1. */
  async function threeSegments(): Promise<LogDb> {
    const log = await fixture.open();
    const keysBySegment = [
      ['b', 'a', 'm/1', 'a'],
      ['c', 'b', 'm/2'],
      ['m/1', 'd', 'c'],
    ];
    for (const [i, keys] of keysBySegment.entries()) {
      await log.append(keys.map((key) => ({ key, value: key })));
      if (i < 2) await log.seal();
    }
    return log;
  }

  it('lists every key with entries once, sorted bytewise, across all segments', async () => {
    const log = await threeSegments();
    const keys = await collect(log.listKeys());
    expect(keys.every((k) => Buffer.isBuffer(k))).to.equal(true);
    expect(strings(keys)).to.deep.equal(['a', 'b', 'c', 'd', 'm/1', 'm/2']);
  });

  it('restricts the keys to those with entries in the segment range [start, end)', async () => {
    const log = await threeSegments();
    expect(strings(await collect(log.listKeys({ start: 0, end: 1 })))).to.deep.equal(['a', 'b', 'm/1']);
    expect(strings(await collect(log.listKeys({ start: 1, end: 2 })))).to.deep.equal(['b', 'c', 'm/2']);
    expect(strings(await collect(log.listKeys({ start: 1 })))).to.deep.equal(['b', 'c', 'd', 'm/1', 'm/2']);
    expect(strings(await collect(log.listKeys({ end: 2 })))).to.deep.equal(['a', 'b', 'c', 'm/1', 'm/2']);
    expect(strings(await collect(log.listKeys({ start: 1, end: 1 })))).to.deep.equal([]);
    expect(strings(await collect(log.listKeys({ start: 7 })))).to.deep.equal([]);
  });

  it('lists only the keys under a prefix', async () => {
    const log = await threeSegments();
    expect(strings(await collect(log.listKeys({}, { prefix: 'm/' })))).to.deep.equal(['m/1', 'm/2']);
    expect(strings(await collect(log.listKeys({ start: 2 }, { prefix: 'm/' })))).to.deep.equal(['m/1']);
    expect(strings(await collect(log.listKeys({}, { prefix: 'zz' })))).to.deep.equal([]);
  });

  it('lists only the keys after a given key, at most limit of them', async () => {
    const log = await threeSegments();
    expect(strings(await collect(log.listKeys({}, { after: 'b' })))).to.deep.equal(['c', 'd', 'm/1', 'm/2']);
    expect(strings(await collect(log.listKeys({}, { after: 'bb', limit: 2 })))).to.deep.equal(['c', 'd']);
    expect(strings(await collect(log.listKeys({}, { after: 'm/', prefix: 'm/' })))).to.deep.equal(['m/1', 'm/2']);
  });

  it('pages through 5,000 keys 97 at a time with after and limit, listing each exactly once', async () => {
    const log = await fixture.open();
    const random = prng(1234);
    const all: Buffer[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const records = [];
      for (let i = 0; i < 1000; i++) {
        // Batches 1..5 repeat some keys of the batch before, so keys recur across segments.
        const key = batch > 0 && i % 7 === 0 ? all[all.length - 1 - randomInt(random, 0, 900)] : Buffer.from(Array.from({ length: randomInt(random, 1, 10) }, () => randomInt(random, 0, 255)));
        all.push(key);
        records.push({ key, value: 'v' });
      }
      await log.append(records);
      if (batch % 2 === 1) await log.seal();
    }
    const expected = sortedDistinct(all);
    expect(expected.length).to.be.at.least(4500);
    const paged: Buffer[] = [];
    let after: Buffer | undefined;
    for (let page = 0; page < 200; page++) {
      const got = await collect(log.listKeys({}, { limit: 97, ...(after ? { after } : {}) }));
      if (got.length === 0) break;
      expect(got.length).to.be.at.most(97);
      paged.push(...got);
      after = got[got.length - 1];
    }
    expect(hexes(paged)).to.deep.equal(hexes(expected));
  });

  it('yields no more than limit keys when a long key is followed by a short one', async () => {
    const log = await fixture.open();
    const long = Buffer.alloc(3000, 0x61);
    await log.append([
      { key: long, value: 'v' },
      { key: 'b', value: 'v' },
    ]);
    expect(hexes(await collect(log.listKeys({}, { limit: 1 })))).to.deep.equal(hexes([long]));
  });

  it('flushes the memtable first when it holds more than listKeysUnflushedKeysMax keys, and lists them all', async () => {
    const log = await fixture.open({ durability: 'async' });
    const keyCount = limits.listKeysUnflushedKeysMax + 1000;
    for (let n = 0; n < keyCount; n += 10_000) {
      await log.append(Array.from({ length: Math.min(10_000, keyCount - n) }, (_, i) => ({ key: `many/${String(n + i).padStart(6, '0')}`, value: 'v' })));
    }
    expect(log.stats().memtableKeys, 'the keys are still in the memtable').to.be.greaterThan(limits.listKeysUnflushedKeysMax);
    let listed = 0;
    let previous = '';
    for await (const key of log.listKeys({}, { prefix: 'many/' })) {
      const text = key.toString();
      expect(text > previous, `${text} after ${previous}`).to.equal(true);
      previous = text;
      listed++;
    }
    expect(listed).to.equal(keyCount);
    expect(log.stats().memtableKeys, 'the listing flushed the memtable before reading').to.equal(0);
  });
});
