import { expect } from 'chai';
import { encodeRecordBatch, walkRecordBatch, type RecordBytes, type WalkedRecords } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { batchSchemas } from '../../../src/protocol/batch/batchSchemas.js';
import { prng, randomInt } from '../../support/Random.js';
import { expectDecodeError, fromHex, hex } from './protocolTestKit.js';

const recordBatchType = batchSchemas.record[1].type;
const recordsMax = 100_000;

function records(...pairs: [string, string][]): RecordBytes[] {
  return pairs.map(([k, v]) => ({ key: Buffer.from(k, 'hex'), value: Buffer.from(v, 'hex') }));
}

/** The walked records as hex pairs. */
function walkedPairs(w: WalkedRecords): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < w.count; i++) {
    const o = w.offsets;
    out.push([hex(w.buffer.subarray(o[4 * i], o[4 * i + 1])), hex(w.buffer.subarray(o[4 * i + 2], o[4 * i + 3]))]);
  }
  return out;
}

function pairsOf(rs: readonly RecordBytes[]): [string, string][] {
  return rs.map((r) => [hex(r.key), hex(r.value)]);
}

function payloadOf(rs: readonly RecordBytes[]): number {
  return rs.reduce((sum, r) => sum + r.key.length + r.value.length, 0);
}

/** The zig-zag varint of n. */
function long(n: number): Buffer {
  const z = n >= 0 ? BigInt(n) << 1n : (BigInt(-n) << 1n) - 1n;
  const out: number[] = [];
  let v = z;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** One record's item bytes: key and value, each length-prefixed. */
function item(r: RecordBytes): Buffer {
  return Buffer.concat([long(r.key.length), r.key, long(r.value.length), r.value]);
}

function randomRecords(n: number, seed: number): RecordBytes[] {
  const random = prng(seed);
  return Array.from({ length: n }, () => {
    const key = Buffer.from(Array.from({ length: randomInt(random, 1, 40) }, () => randomInt(random, 0, 255)));
    const value = Buffer.from(Array.from({ length: random() < 0.2 ? 0 : randomInt(random, 1, 200) }, () => randomInt(random, 0, 255)));
    return { key, value };
  });
}

describe('RecordBatchCodec', () => {
  describe('round trips', () => {
    it('walks what encodeRecordBatch wrote: keys, values and the payload size', () => {
      const rs = records(['6b31', '7631'], ['6b32', '']);
      const bytes = encodeRecordBatch(rs);
      expect(hex(bytes)).to.equal('04' + '046b31' + '047631' + '046b32' + '00' + '00');
      const walked = walkRecordBatch(bytes, recordsMax);
      expect(walked.count).to.equal(2);
      expect(walked.payloadBytes).to.equal(6);
      expect(walkedPairs(walked)).to.deep.equal(pairsOf(rs));
    });

    it('round-trips binary keys and values holding 0x00 and 0xff, and empty values', () => {
      const rs = records(['00', ''], ['ff', 'ff'], ['00ff00', '0000'], ['ffff', '00'], ['01', '']);
      const walked = walkRecordBatch(encodeRecordBatch(rs), recordsMax);
      expect(walkedPairs(walked)).to.deep.equal(pairsOf(rs));
    });

    it('round-trips 10,000 records', () => {
      const rs = randomRecords(10_000, 5);
      const bytes = encodeRecordBatch(rs);
      const walked = walkRecordBatch(bytes, recordsMax);
      expect(walked.count).to.equal(10_000);
      expect(walked.offsets.length).to.equal(40_000);
      expect(walked.payloadBytes).to.equal(payloadOf(rs));
      expect(walkedPairs(walked)).to.deep.equal(pairsOf(rs));
    });

    it('encodes exactly as avsc encodes record-batch.avsc', () => {
      for (const n of [0, 1, 2, 63, 64, 300]) {
        const rs = randomRecords(n, n + 1);
        const avsc = recordBatchType.toBuffer(rs.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value) })));
        expect(hex(encodeRecordBatch(rs)), `${n} records`).to.equal(hex(avsc));
      }
    });

    it('encodes an empty batch as the terminator alone', () => {
      expect(hex(encodeRecordBatch([]))).to.equal('00');
      const walked = walkRecordBatch(fromHex('00'), recordsMax);
      expect(walked.count).to.equal(0);
      expect(walked.payloadBytes).to.equal(0);
    });

    it('walks the bytes avsc wrote from record-batch.avsc to the same records', () => {
      const rs = randomRecords(500, 9);
      const bytes = recordBatchType.toBuffer(rs.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value) })));
      expect(walkedPairs(walkRecordBatch(bytes, recordsMax))).to.deep.equal(pairsOf(rs));
    });

    it('walks a batch lying inside a larger buffer, with offsets into that buffer', () => {
      const rs = records(['61', '62'], ['63', '']);
      const inner = encodeRecordBatch(rs);
      const outer = Buffer.concat([fromHex('deadbeef'), inner, fromHex('cafe')]);
      const walked = walkRecordBatch(outer, recordsMax, 4, 4 + inner.length);
      expect(walked.buffer).to.equal(outer);
      expect(Array.from(walked.offsets)).to.deep.equal([6, 7, 8, 9, 10, 11, 12, 12]);
      expect(walkedPairs(walked)).to.deep.equal(pairsOf(rs));
    });
  });

  describe('other valid Avro encodings', () => {
    const rs = randomRecords(7, 21);

    it('walks a batch written in several blocks', () => {
      const bytes = Buffer.concat([long(3), ...rs.slice(0, 3).map(item), long(1), item(rs[3]), long(3), ...rs.slice(4).map(item), long(0)]);
      expect(walkedPairs(walkRecordBatch(bytes, recordsMax))).to.deep.equal(pairsOf(rs));
      // avsc agrees that this is the same array.
      expect(recordBatchType.fromBuffer(bytes)).to.have.length(7);
    });

    it('walks blocks with a negative count followed by their byte size', () => {
      const first = Buffer.concat(rs.slice(0, 4).map(item));
      const second = Buffer.concat(rs.slice(4).map(item));
      const bytes = Buffer.concat([long(-4), long(first.length), first, long(-3), long(second.length), second, long(0)]);
      expect(walkedPairs(walkRecordBatch(bytes, recordsMax))).to.deep.equal(pairsOf(rs));
      expect(recordBatchType.fromBuffer(bytes)).to.have.length(7);
    });

    it('walks the same records whatever the block layout (seeded random layouts)', () => {
      const many = randomRecords(60, 33);
      const random = prng(77);
      for (let run = 0; run < 200; run++) {
        const parts: Buffer[] = [];
        let i = 0;
        while (i < many.length) {
          const n = randomInt(random, 1, 15);
          const block = many.slice(i, i + n);
          i += block.length;
          const body = Buffer.concat(block.map(item));
          parts.push(random() < 0.5 ? long(block.length) : Buffer.concat([long(-block.length), long(body.length)]), body);
        }
        parts.push(long(0));
        const walked = walkRecordBatch(Buffer.concat(parts), recordsMax);
        expect(walkedPairs(walked), `run ${run}`).to.deep.equal(pairsOf(many));
      }
    });
  });

  describe('lies', () => {
    it('refuses a block count above recordsMax before allocating for it', () => {
      const bytes = Buffer.concat([long(11), ...records(...Array.from({ length: 11 }, (): [string, string] => ['61', ''])).map(item), long(0)]);
      expect(walkRecordBatch(bytes, 11).count).to.equal(11);
      expect(expectDecodeError(() => walkRecordBatch(bytes, 10)).message).to.match(/more than 10 records/);
      // Counted across blocks, too.
      const split = Buffer.concat([long(6), ...Array.from({ length: 6 }, () => fromHex('026100')), long(5), ...Array.from({ length: 5 }, () => fromHex('026100')), long(0)]);
      expect(expectDecodeError(() => walkRecordBatch(split, 10)).message).to.match(/more than 10 records/);
      // A huge claim: refused from the count alone.
      const started = performance.now();
      expect(expectDecodeError(() => walkRecordBatch(Buffer.concat([long(2 ** 50), Buffer.alloc(64)]), recordsMax)).message).to.match(/more than/);
      expect(expectDecodeError(() => walkRecordBatch(Buffer.concat([long(-(2 ** 50)), long(8), Buffer.alloc(64)]), 2 ** 52)).message).to.match(/size|claims/);
      expect(performance.now() - started).to.be.below(1000);
    });

    it('refuses a count larger than the bytes can hold (two bytes per record at least)', () => {
      const bytes = Buffer.concat([long(1000), Buffer.alloc(20)]);
      expect(expectDecodeError(() => walkRecordBatch(bytes, recordsMax)).message).to.match(/claims 1000 records/);
      const huge = Buffer.concat([long(2 ** 45), Buffer.alloc(20)]);
      expectDecodeError(() => walkRecordBatch(huge, 2 ** 50));
    });

    it('refuses a key or value length past the end', () => {
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '0a6162' + '00' + '00'), recordsMax), 'key 5 of 2');
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '0261' + '0a6162' + '00'), recordsMax), 'value 5 of 3');
      // The end bound counts, not the buffer's length.
      const bytes = fromHex('02' + '0461' + '62' + '00' + '00');
      expectDecodeError(() => walkRecordBatch(bytes, recordsMax, 0, 3), 'key past end bound');
    });

    it('refuses a negative key or value length', () => {
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '01' + '00' + '00'), recordsMax), 'key length -1');
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '0261' + '03' + '00'), recordsMax), 'value length -2');
    });

    it('refuses a negative or oversized block byte size', () => {
      expectDecodeError(() => walkRecordBatch(fromHex('01' + '01' + '026100' + '00'), recordsMax), 'size -1');
      expectDecodeError(() => walkRecordBatch(fromHex('01' + '14' + '026100' + '00'), recordsMax), 'size 10 of 4');
    });

    it('refuses trailing bytes and a missing terminator', () => {
      const good = encodeRecordBatch(records(['61', '62']));
      expectDecodeError(() => walkRecordBatch(Buffer.concat([good, fromHex('00')]), recordsMax), 'trailing 00');
      expectDecodeError(() => walkRecordBatch(Buffer.concat([good, fromHex('02')]), recordsMax), 'trailing 02');
      expectDecodeError(() => walkRecordBatch(good.subarray(0, good.length - 1), recordsMax), 'no terminator');
      expectDecodeError(() => walkRecordBatch(Buffer.alloc(0), recordsMax), 'empty input');
    });

    it('refuses every truncation of a valid batch', () => {
      const bytes = encodeRecordBatch(randomRecords(20, 3));
      for (let length = 0; length < bytes.length; length++) {
        expectDecodeError(() => walkRecordBatch(bytes.subarray(0, length), recordsMax), `${length} of ${bytes.length} bytes`);
        expectDecodeError(() => walkRecordBatch(bytes, recordsMax, 0, length), `end ${length} of ${bytes.length}`);
      }
    });

    it('refuses a truncated or overlong varint in a count or length', () => {
      expectDecodeError(() => walkRecordBatch(fromHex('80'), recordsMax), 'cut count');
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '8080'), recordsMax), 'cut length');
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '80808080808080808080' + '00'), recordsMax), '11-byte length');
    });
  });
});
