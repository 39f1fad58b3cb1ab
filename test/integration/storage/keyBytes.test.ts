import { expect } from 'chai';
import type { LogDb } from '../../../src/index.js';
import { collect, hexes, LogFixture, sortedDistinct } from '../../support/LogFixture.js';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

/** Keys holding the bytes the key encoding escapes (0x00, 0x01) and the largest byte, and prefixes of each other. */
const binaryKeys = [
  b(0x00),
  b(0x00, 0x00),
  b(0x00, 0x01),
  b(0x01),
  b(0x01, 0x00),
  b(0x01, 0x01),
  b(0x02),
  b(0xff),
  b(0xff, 0x00),
  b(0xff, 0xff),
  Buffer.from('a'),
  Buffer.from('a\x00'),
  Buffer.from('a\x00\x00'),
  Buffer.from('a\x01'),
  Buffer.from('ab'),
];

/** Several long keys sharing their first 3000 bytes, plus keys around the 1900-byte point where key codes are cut. */
function longKeys(): Buffer[] {
  const shared = Buffer.alloc(3000, 0x61);
  const tails = [b(0x62), b(0x61), b(0x00), b(0x01), b(0xff), b(0x63, 0x00), b(0x61, 0x61), b(0x7a)];
  const keys = tails.map((tail) => Buffer.concat([shared, tail, Buffer.alloc(4096 - 3000 - tail.length, 0x30)]));
  keys.push(Buffer.concat([shared, Buffer.alloc(1096, 0x00)])); // 0x00 doubles when escaped
  keys.push(Buffer.alloc(4096, 0x61));
  keys.push(Buffer.alloc(10, 0x61)); // a short key that is a prefix of the long ones
  keys.push(Buffer.concat([Buffer.alloc(2000, 0x61), b(0x62), Buffer.alloc(499, 0x61)])); // shares the cut code, not the 3000 bytes
  const edge = Buffer.alloc(1898, 0x61);
  keys.push(edge); // the longest code that is not cut
  keys.push(Buffer.concat([edge, b(0x00)])); // cut in the middle of an escape
  keys.push(Buffer.concat([edge, b(0x00), b(0x62)]));
  keys.push(Buffer.concat([edge, b(0x01), b(0x62)]));
  keys.push(Buffer.concat([edge, b(0x02)]));
  return keys;
}

describe('LogDb keys: arbitrary bytes', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  /** Append to every key in turn, interleaved, `rounds` times; entry values are "<key label>#<round>" (see hexes). */
  async function appendInterleaved(log: LogDb, keys: readonly Buffer[], rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await log.append(keys.map((key) => ({ key, value: `${hexes([key])[0]}#${round}` })));
    }
  }

  it('keeps keys holding 0x00, 0x01 and 0xff, and keys that prefix each other, in separate streams', async () => {
    const log = await fixture.open();
    await appendInterleaved(log, binaryKeys, 3);
    for (const key of binaryKeys) {
      const entries = await collect(log.scan(key));
      expect(entries.map((e) => e.value.toString()), key.toString('hex')).to.deep.equal([0, 1, 2].map((r) => `${hexes([key])[0]}#${r}`));
      expect(entries.every((e) => e.key.equals(key))).to.equal(true);
      expect(await log.count(key), key.toString('hex')).to.equal(3);
    }
  });

  it('lists keys holding 0x00, 0x01 and 0xff, and keys that prefix each other, sorted bytewise', async () => {
    const log = await fixture.open();
    await appendInterleaved(log, [...binaryKeys].reverse(), 1);
    expect(hexes(await collect(log.listKeys()))).to.deep.equal(hexes(sortedDistinct(binaryKeys)));
  });

  it('matches a global scan prefix against key bytes, not against a shorter key', async () => {
    const log = await fixture.open();
    await appendInterleaved(log, binaryKeys, 1);
    const under = await collect(log.scanGlobal({ prefix: 'a\x00' }));
    expect(under.map((e) => e.key.toString('hex')).sort()).to.deep.equal([Buffer.from('a\x00').toString('hex'), Buffer.from('a\x00\x00').toString('hex')]);
    const ff = await collect(log.scanGlobal({ prefix: b(0xff) }));
    expect(ff.map((e) => e.key.toString('hex')).sort()).to.deep.equal(['ff', 'ff00', 'ffff']);
  });

  it('lists the keys under a prefix holding 0x00 and 0xff', async () => {
    const log = await fixture.open();
    await appendInterleaved(log, binaryKeys, 1);
    expect(hexes(await collect(log.listKeys({}, { prefix: b(0x00) })))).to.deep.equal(['00', '0000', '0001']);
    expect(hexes(await collect(log.listKeys({}, { prefix: b(0xff) })))).to.deep.equal(['ff', 'ff00', 'ffff']);
    expect(hexes(await collect(log.listKeys({}, { prefix: 'a\x00' })))).to.deep.equal(hexes([Buffer.from('a\x00'), Buffer.from('a\x00\x00')]));
  });

  it('appends, scans and counts a 4096-byte key', async () => {
    const log = await fixture.open();
    const key = Buffer.alloc(4096, 0x6b);
    await log.append([{ key, value: 'one' }, { key: 'x', value: 'other' }, { key, value: 'two' }]);
    const entries = await collect(log.scan(key));
    expect(entries.map((e) => [e.sequence, e.value.toString()])).to.deep.equal([
      [0, 'one'],
      [2, 'two'],
    ]);
    expect(entries[0].key.equals(key)).to.equal(true);
    expect(await log.count(key)).to.equal(2);
    expect(await log.count(key, { start: 1 })).to.equal(1);
  });

  it('keeps long keys sharing their first 3000 bytes in separate streams', async () => {
    const log = await fixture.open();
    const keys = longKeys();
    await appendInterleaved(log, keys, 2);
    for (const key of keys) {
      const entries = await collect(log.scan(key));
      expect(entries.map((e) => e.value.toString()), `${key.length}-byte key`).to.deep.equal([`${hexes([key])[0]}#0`, `${hexes([key])[0]}#1`]);
      expect(await log.count(key)).to.equal(2);
    }
  });

  it('lists long keys sharing their first 3000 bytes sorted bytewise', async () => {
    const log = await fixture.open();
    const keys = longKeys();
    await appendInterleaved(log, [...keys, Buffer.from('b'), Buffer.from('a')], 1);
    expect(hexes(await collect(log.listKeys()))).to.deep.equal(hexes(sortedDistinct([...keys, Buffer.from('b'), Buffer.from('a')])));
  });

  it('lists the long keys under a 3000-byte prefix', async () => {
    const log = await fixture.open();
    const keys = longKeys();
    await appendInterleaved(log, keys, 1);
    const prefix = Buffer.alloc(3000, 0x61);
    const expected = sortedDistinct(keys.filter((k) => k.subarray(0, 3000).equals(prefix) && k.length >= 3000));
    expect(expected.length).to.equal(10);
    expect(hexes(await collect(log.listKeys({}, { prefix })))).to.deep.equal(hexes(expected));
  });

  it('pages through long keys one at a time with after, listing each once in order', async () => {
    const log = await fixture.open();
    const keys = longKeys();
    await appendInterleaved(log, keys, 1);
    const paged: Buffer[] = [];
    let after: Buffer | undefined;
    for (let page = 0; page <= keys.length; page++) {
      const got = await collect(log.listKeys({}, { limit: 1, ...(after ? { after } : {}) }));
      if (got.length === 0) break;
      expect(got.length).to.equal(1);
      paged.push(got[0]);
      after = got[0];
    }
    expect(hexes(paged)).to.deep.equal(hexes(sortedDistinct(keys)));
  });

  it('lists exactly the keys after each long key, in order', async () => {
    const log = await fixture.open();
    const keys = longKeys();
    await appendInterleaved(log, keys, 1);
    const sorted = sortedDistinct(keys);
    for (const [i, after] of sorted.entries()) {
      expect(hexes(await collect(log.listKeys({}, { after }))), `after key ${i}`).to.deep.equal(hexes(sorted.slice(i + 1)));
    }
  });
});
