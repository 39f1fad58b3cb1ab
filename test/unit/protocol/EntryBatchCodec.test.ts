import { expect } from 'chai';
import { EntryBatchWriter, readEntryBatch, readKeyEntryBatch, type Entry, type KeyEntry } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { batchSchemas } from '../../../src/protocol/batch/batchSchemas.js';
import { prng, randomInt } from '../../support/Random.js';
import { expectDecodeError, fromHex, hex, plain } from './protocolTestKit.js';

/** The published schemas, decoded by avsc: the hand-written encoder must match them. */
const entryBatch = batchSchemas.entry[1];
const keyEntryBatch = batchSchemas.keyEntry[1];

function randomEntries(n: number, seed: number, firstSequence = 0): Entry[] {
  const random = prng(seed);
  let sequence = firstSequence;
  return Array.from({ length: n }, () => {
    sequence += randomInt(random, 1, 1000);
    const key = Buffer.from(Array.from({ length: randomInt(random, 1, 30) }, () => randomInt(random, 0, 255)));
    const value = Buffer.from(Array.from({ length: random() < 0.2 ? 0 : randomInt(random, 1, 100) }, () => randomInt(random, 0, 255)));
    return { key, sequence, value };
  });
}

function written(entries: readonly Entry[], withKeys: boolean): Buffer {
  const writer = new EntryBatchWriter(withKeys, 1, 16);
  for (const e of entries) writer.add(withKeys ? e.key : undefined, e.sequence, e.value);
  expect(writer.count).to.equal(entries.length);
  return Buffer.from(writer.finish());
}

const withoutKeys = (entries: readonly Entry[]): KeyEntry[] => entries.map(({ sequence, value }) => ({ sequence, value }));

describe('EntryBatchCodec', () => {
  describe('EntryBatchWriter with keys (entry-batch.avsc, SubscriptionBatch.entries)', () => {
    it('writes what readEntryBatch reads back', () => {
      const entries = randomEntries(300, 1);
      expect(plain(readEntryBatch(written(entries, true)))).to.deep.equal(plain(entries));
    });

    it('writes what avsc decodes with entry-batch.avsc, byte for byte as avsc encodes it', () => {
      for (const n of [1, 2, 63, 64, 500]) {
        const entries = randomEntries(n, n);
        const bytes = written(entries, true);
        expect(plain(entryBatch.decode(bytes)), `${n} entries`).to.deep.equal(plain(entries));
        expect(hex(bytes), `${n} entries`).to.equal(hex(entryBatch.type.toBuffer(entries)));
      }
    });

    it('reads what avsc encoded from entry-batch.avsc', () => {
      const entries = randomEntries(200, 17);
      expect(plain(readEntryBatch(entryBatch.type.toBuffer(entries)))).to.deep.equal(plain(entries));
    });

    it('writes one value taken from a range of a larger buffer', () => {
      const writer = new EntryBatchWriter(true);
      const source = fromHex('00112233445566');
      writer.add(fromHex('6b'), 9, source, 2, 5);
      const bytes = Buffer.from(writer.finish());
      expect(hex(bytes)).to.equal('02' + '026b' + '12' + '06223344' + '00');
      expect(plain(entryBatch.decode(bytes))).to.deep.equal(plain([{ key: fromHex('6b'), sequence: 9, value: fromHex('223344') }]));
    });
  });

  describe('EntryBatchWriter without keys (key-entry-batch.avsc, ScanResponse.entries)', () => {
    it('writes what readKeyEntryBatch reads back', () => {
      const entries = randomEntries(300, 2);
      expect(plain(readKeyEntryBatch(written(entries, false)))).to.deep.equal(plain(withoutKeys(entries)));
    });

    it('writes what avsc decodes with key-entry-batch.avsc, byte for byte as avsc encodes it', () => {
      for (const n of [1, 2, 63, 64, 500]) {
        const entries = randomEntries(n, 100 + n);
        const bytes = written(entries, false);
        expect(plain(keyEntryBatch.decode(bytes)), `${n} entries`).to.deep.equal(plain(withoutKeys(entries)));
        expect(hex(bytes), `${n} entries`).to.equal(hex(keyEntryBatch.type.toBuffer(withoutKeys(entries))));
      }
    });

    it('reads what avsc encoded from key-entry-batch.avsc', () => {
      const entries = withoutKeys(randomEntries(200, 18));
      expect(plain(readKeyEntryBatch(keyEntryBatch.type.toBuffer(entries)))).to.deep.equal(plain(entries));
    });
  });

  it('writes an empty batch as the terminator alone, which both readers and avsc read as []', () => {
    for (const withKeys of [true, false]) {
      const bytes = written([], withKeys);
      expect(hex(bytes)).to.equal('00');
      expect(withKeys ? readEntryBatch(bytes) : readKeyEntryBatch(bytes)).to.deep.equal([]);
      expect((withKeys ? entryBatch : keyEntryBatch).decode(bytes)).to.deep.equal([]);
    }
  });

  it('carries large sequences exactly (2^52 and beyond, up to 2^53 - 2)', () => {
    const sequences = [2 ** 52, 2 ** 52 + 1, 2 ** 53 - 3, 2 ** 53 - 2];
    const entries: Entry[] = sequences.map((sequence, i) => ({ key: Buffer.from([i]), sequence, value: Buffer.from([0xff, i]) }));
    const keyed = written(entries, true);
    expect(readEntryBatch(keyed).map((e) => e.sequence)).to.deep.equal(sequences);
    expect(entryBatch.decode(keyed).map((e) => e.sequence)).to.deep.equal(sequences);
    const unkeyed = written(entries, false);
    expect(readKeyEntryBatch(unkeyed).map((e) => e.sequence)).to.deep.equal(sequences);
    expect(keyEntryBatch.decode(unkeyed).map((e) => e.sequence)).to.deep.equal(sequences);
    expect(hex(unkeyed.subarray(0, 10))).to.equal('08' + '8080808080808010' + '04');
  });

  it('reads entries in several blocks and in sized (negative-count) blocks', () => {
    const a = fromHex('02' + '0261');
    const b = fromHex('04' + '00');
    const c = fromHex('06' + '0263');
    const bytes = Buffer.concat([fromHex('02'), a, fromHex('01' + '04'), b, fromHex('02'), c, fromHex('00')]);
    expect(plain(readKeyEntryBatch(bytes))).to.deep.equal(plain([
      { sequence: 1, value: fromHex('61') },
      { sequence: 2, value: Buffer.alloc(0) },
      { sequence: 3, value: fromHex('63') },
    ]));
    expect(keyEntryBatch.decode(bytes)).to.have.length(3);
  });

  it('refuses lies: counts beyond the bytes, cut values, negative lengths, trailing bytes, no terminator', () => {
    const good = written(randomEntries(5, 4), true);
    expectDecodeError(() => readEntryBatch(Buffer.concat([good, fromHex('00')])), 'trailing');
    expectDecodeError(() => readEntryBatch(good.subarray(0, good.length - 1)), 'no terminator');
    for (let length = 0; length < good.length; length++) expectDecodeError(() => readEntryBatch(good.subarray(0, length)), `${length} of ${good.length}`);
    const started = performance.now();
    expectDecodeError(() => readKeyEntryBatch(fromHex('8080808080808010' + '0000')), 'count 2^52');
    expectDecodeError(() => readEntryBatch(fromHex('ffffffffffffff0f' + '00' + '0000')), 'count -2^52 with a size');
    expect(performance.now() - started).to.be.below(1000);
    expectDecodeError(() => readKeyEntryBatch(fromHex('02' + '02' + '01' + '00')), 'value length -1');
    expectDecodeError(() => readEntryBatch(fromHex('02' + '0a61' + '02' + '00' + '00')), 'key past the end');
  });
});
