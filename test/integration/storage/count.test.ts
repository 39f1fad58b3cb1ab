import { expect } from 'chai';
import type { LogDb } from '../../../src/index.js';
import { collect, LogFixture, recordsOf } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

/** Every [start, end) over `points`, with start <= end. */
function rangesOver(points: readonly number[]): { start: number; end: number }[] {
  const sorted = [...new Set(points)].sort((x, y) => x - y);
  const out: { start: number; end: number }[] = [];
  for (const start of sorted) for (const end of sorted) if (start <= end) out.push({ start, end });
  return out;
}

/** Count `key` over every range built from its sequences (and their neighbours) and compare with a scan. */
async function expectExactCounts(log: LogDb, key: string): Promise<number> {
  const sequences = (await collect(log.scan(key))).map((e) => e.sequence);
  const points = [0, log.committedSequence, log.committedSequence + 10, Number.MAX_SAFE_INTEGER];
  for (const s of sequences) points.push(s - 1 < 0 ? 0 : s - 1, s, s + 1);
  let checked = 0;
  for (const { start, end } of rangesOver(points)) {
    const brute = sequences.filter((s) => s >= start && s < end).length;
    expect(await log.count(key, { start, end }), `count(${key}, [${start}, ${end}))`).to.equal(brute);
    checked++;
  }
  expect(await log.count(key)).to.equal(sequences.length);
  return checked;
}

describe('LogDb count', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  /** Key 'x' spread over many commits and several segments, interleaved with other keys. */
  async function spread(log: LogDb, seed: number, commits: number): Promise<void> {
    const random = prng(seed);
    for (let c = 0; c < commits; c++) {
      const records = [];
      for (let i = randomInt(random, 1, 6); i > 0; i--) records.push({ key: random() < 0.4 ? 'x' : `y${randomInt(random, 0, 3)}`, value: `${c}.${i}` });
      if (c % 3 === 0) records.push({ key: 'x', value: `${c}.x` });
      await log.append(records);
      if (c % 9 === 8) await log.seal();
    }
  }

  it('counts a key exactly over arbitrary sub-ranges when its entries span many commits and segments', async () => {
    const log = await fixture.open();
    await spread(log, 3, 45);
    expect((await log.listSegments()).length).to.be.at.least(5);
    expect(await expectExactCounts(log, 'x')).to.be.greaterThan(1000);
  });

  it('keeps counts exact for entries appended after the log is reopened', async () => {
    const dir = fixture.dir();
    const first = await fixture.open({ path: dir });
    await spread(first, 4, 20);
    const before = await first.count('x');
    await first.close();
    const log = await fixture.open({ path: dir });
    expect(await log.count('x')).to.equal(before);
    await spread(log, 5, 20);
    await expectExactCounts(log, 'x');
  });

  it('counts a key exactly when many commits land concurrently', async () => {
    const log = await fixture.open();
    const random = prng(8);
    await Promise.all(
      Array.from({ length: 80 }, (_, i) => log.append(recordsOf(random() < 0.5 ? 'x' : 'z', Array.from({ length: randomInt(random, 1, 4) }, (_, j) => `${i}.${j}`)))),
    );
    await expectExactCounts(log, 'x');
  });

  it('counts exactly when the key-state cache holds a single key', async () => {
    const log = await fixture.open({ keyStateCacheEntriesMax: 1 });
    const random = prng(17);
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) => log.append(recordsOf(`x${(wave + i) % 4}`, Array.from({ length: randomInt(random, 1, 3) }, () => 'v')))),
      );
      if (wave === 5) await log.seal();
    }
    for (const key of ['x0', 'x1', 'x2', 'x3']) await expectExactCounts(log, key);
  });

  it('counts 0 for a key that does not exist', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('x', ['1', '2']));
    expect(await log.count('missing')).to.equal(0);
    expect(await log.count('missing', { start: 0, end: 2 })).to.equal(0);
  });

  it('counts 0 over an empty range', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('x', ['1', '2', '3']));
    expect(await log.count('x', { start: 1, end: 1 })).to.equal(0);
  });
});
