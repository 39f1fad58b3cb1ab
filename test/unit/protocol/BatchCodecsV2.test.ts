import { expect } from 'chai';
import { limits } from '../../../src/limits.js';
import { batchSchemas } from '../../../src/protocol/batch/batchSchemas.js';
import { EntryBatchWriter, readEntryBatch, readKeyEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { entryCreditBytes } from '../../../src/protocol/batch/EntryCost.js';
import { encodeRecordBatch, walkRecordBatch, type RecordBytes } from '../../../src/protocol/batch/RecordBatchCodec.js';
import type { RecordHeader } from '../../../src/protocol/batch/RecordHeader.js';
import { prng, randomInt } from '../../support/Random.js';
import { expectDecodeError, fromHex, hex, plain } from './protocolTestKit.js';

function randomBytes(random: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: randomInt(random, 0, max) }, () => randomInt(random, 0, 255)));
}

/** Headers for some records only (a third have none), names in several scripts, some null values. */
function randomHeaders(random: () => number): RecordHeader[] {
  if (random() < 0.34) return [];
  const names = ['trace', 'content-type', 'ключ', '名前', 'x'];
  return Array.from({ length: randomInt(random, 1, 4) }, () => ({ name: names[randomInt(random, 0, names.length - 1)], value: random() < 0.2 ? null : randomBytes(random, 20) }));
}

function randomRecords(n: number, seed: number): (RecordBytes & { headers: RecordHeader[] })[] {
  const random = prng(seed);
  return Array.from({ length: n }, () => ({ key: Buffer.concat([Buffer.from('k'), randomBytes(random, 10)]), value: randomBytes(random, 60), headers: randomHeaders(random) }));
}

/** The walked headers, each record's list (empty for none), as avsc would give them. */
function walkedHeaders(bytes: Buffer): RecordHeader[][] {
  const walked = walkRecordBatch(bytes, 100_000, 0, bytes.length, 2);
  return Array.from({ length: walked.count }, (_, i) => [...(walked.headers?.[i] ?? [])]);
}

describe('protocol version 2 batches (record, key-entry and entry batches with headers)', () => {
  describe('record-batch.v2 (AppendRequest.records)', () => {
    it('encodes exactly as avsc encodes record-batch.v2.avsc, and walks back to the same records and headers', () => {
      for (const n of [1, 2, 63, 64, 300]) {
        const records = randomRecords(n, n);
        const bytes = encodeRecordBatch(records, 2);
        expect(hex(bytes), `${n} records`).to.equal(hex(batchSchemas.record[2].type.toBuffer(records)));
        expect(plain(walkedHeaders(bytes)), `${n} records`).to.deep.equal(plain(records.map((r) => r.headers)));
        expect(walkRecordBatch(bytes, 100_000, 0, bytes.length, 2).count).to.equal(n);
      }
    });

    it('walks a version 2 batch in which no record has headers without allocating a headers list', () => {
      const bytes = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }], 2);
      expect(hex(bytes)).to.equal('02' + '026b' + '0276' + '00' + '00');
      expect(walkRecordBatch(bytes, 10, 0, bytes.length, 2).headers).to.equal(undefined);
    });

    it('refuses headers in a version 1 batch, which has no place for them', () => {
      expect(() => encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ name: 'a', value: null }] }], 1)).to.throw(RangeError);
    });

    it('refuses a record claiming more headers than limits.headersPerRecordMax, before allocating for them', () => {
      const headers = Array.from({ length: limits.headersPerRecordMax + 1 }, (_, i) => ({ name: `h${i}`, value: null }));
      const bytes = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers }], 2);
      expect(expectDecodeError(() => walkRecordBatch(bytes, 10, 0, bytes.length, 2)).message).to.match(/more than 64 headers/);
      expectDecodeError(() => walkRecordBatch(fromHex('02' + '026b' + '0276' + '8080808080808010' + '00' + '00'), 10, 0, 15, 2), 'header count 2^52');
    });

    it('refuses a header name that is not UTF-8, a value union branch that does not exist, and every truncation', () => {
      expect(expectDecodeError(() => walkRecordBatch(fromHex('02' + '026b' + '0276' + '02' + '02ff' + '00' + '00' + '00'), 10, 0, 9, 2)).message).to.match(/not valid UTF-8/);
      expect(expectDecodeError(() => walkRecordBatch(fromHex('02' + '026b' + '0276' + '02' + '0261' + '04' + '00' + '00'), 10, 0, 9, 2)).message).to.match(/branch 2/);
      const good = encodeRecordBatch(randomRecords(5, 9), 2);
      for (let length = 0; length < good.length; length++) expectDecodeError(() => walkRecordBatch(good, 100, 0, length, 2), `${length} of ${good.length}`);
    });

    it('reads a headers array written in sized (negative-count) blocks', () => {
      // One record whose two headers come as a block of -2 items with its byte size, then the terminator.
      const bytes = fromHex('02' + '026b' + '0276' + '03' + '10' + '0261' + '00' + '0262' + '02' + '0278' + '00' + '00');
      expect(plain(walkedHeaders(bytes))).to.deep.equal(plain([[{ name: 'a', value: null }, { name: 'b', value: Buffer.from('x') }]]));
    });
  });

  describe('key-entry-batch.v2 and entry-batch.v2 (Scan responses, subscription pushes)', () => {
    const entries = (n: number, seed: number) => {
      const random = prng(seed);
      let sequence = 0;
      let timestamp = 1_764_669_600_000;
      return randomRecords(n, seed).map((r, offset) => ({ key: r.key, sequence: (sequence += randomInt(random, 1, 1000)), offset, timestamp: (timestamp += randomInt(random, 0, 3)), value: r.value, headers: r.headers }));
    };

    for (const withKeys of [true, false]) {
      it(`${withKeys ? 'entry' : 'key-entry'} batches: EntryBatchWriter writes what avsc encodes, and the reader gives back offset, timestamp and headers (headers only where there are some)`, () => {
        for (const n of [1, 2, 64, 300]) {
          const list = entries(n, 40 + n);
          const writer = new EntryBatchWriter(withKeys, 2, 16);
          for (const e of list) writer.add(e.key, e.sequence, e.value, 0, e.value.length, e.offset, e.timestamp, e.headers);
          const bytes = Buffer.from(writer.finish());
          const avscValue = list.map(({ key, ...rest }) => (withKeys ? { key, ...rest } : rest));
          const schema = withKeys ? batchSchemas.entry[2] : batchSchemas.keyEntry[2];
          expect(hex(bytes), `${n} entries`).to.equal(hex(schema.type.toBuffer(avscValue)));
          const read = withKeys ? readEntryBatch(bytes, 2) : readKeyEntryBatch(bytes, 2);
          const expected = avscValue.map(({ headers, ...rest }) => (headers.length > 0 ? { ...rest, headers } : rest));
          expect(plain(read), `${n} entries`).to.deep.equal(plain(expected));
        }
      });
    }

    it('writes a version 1 batch from the same calls, without offset, timestamp or headers', () => {
      const writer = new EntryBatchWriter(true, 1);
      writer.add(Buffer.from('k'), 42, Buffer.from('v1'), 0, 2, 7, 1_764_669_600_000, [{ name: 'trace', value: Buffer.from('abc') }]);
      expect(hex(writer.finish())).to.equal('02' + '026b' + '54' + '047631' + '00');
    });

    it('refuses lies in a version 2 entry batch: cut entries, a bad header branch, trailing bytes', () => {
      const writer = new EntryBatchWriter(true, 2);
      for (const e of entries(4, 3)) writer.add(e.key, e.sequence, e.value, 0, e.value.length, e.offset, e.timestamp, e.headers);
      const good = Buffer.from(writer.finish());
      for (let length = 0; length < good.length; length++) expectDecodeError(() => readEntryBatch(good.subarray(0, length), 2), `${length} of ${good.length}`);
      expectDecodeError(() => readEntryBatch(Buffer.concat([good, fromHex('00')]), 2), 'trailing');
      expectDecodeError(() => readKeyEntryBatch(fromHex('02' + '02' + '00' + '00' + '00' + '02' + '0261' + '06' + '00' + '00'), 2), 'branch 3');
    });
  });

  it('counts an entry\'s byte credit as its key, value, header names (UTF-8) and header values', () => {
    expect(entryCreditBytes(3, 10, undefined)).to.equal(13);
    expect(entryCreditBytes(3, 10, [{ name: 'trace', value: Buffer.from('abc') }, { name: 'ключ', value: null }])).to.equal(3 + 10 + 5 + 3 + 8);
  });
});
