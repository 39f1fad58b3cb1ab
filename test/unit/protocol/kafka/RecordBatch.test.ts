import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { crc32c } from '../../../../src/protocol/kafka/crc32c.js';
import { KafkaErrorCode } from '../../../../src/protocol/kafka/KafkaErrorCode.js';
import { checkProducedBatch } from '../../../../src/protocol/kafka/records/checkProducedBatch.js';
import { decodeRecordBatches } from '../../../../src/protocol/kafka/records/decodeRecordBatches.js';
import { encodeFetchRecordBatches, encodeRecordBatch, type RecordToEncode } from '../../../../src/protocol/kafka/records/encodeRecordBatch.js';
import { KafkaRecordBatchError } from '../../../../src/protocol/kafka/records/KafkaRecordBatchError.js';
import { RecordBatchField, recordBatchHeaderBytes, type KafkaRecordBatch } from '../../../../src/protocol/kafka/records/RecordBatch.js';
import { prng } from '../../../support/Random.js';
import { expectThrows, kafkajsModule } from './kafkaTestKit.js';

const t0 = 1_700_000_000_000;
const records: RecordToEncode[] = [
  { timestamp: t0, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'h', value: Buffer.from('hv') }, { key: 'h', value: null }, { key: 'é', value: Buffer.alloc(0) }] },
  { timestamp: t0 - 5, key: null, value: Buffer.from('v1') },
  { timestamp: t0 + 2 ** 33, key: Buffer.alloc(0), value: null },
];

/** The batch with its attributes' compression bits set to `codec`, its records replaced by `region`, and its CRC and length redone. */
function withRecords(batch: Buffer, codec: number, region: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, recordBatchHeaderBytes), region]);
  out.writeInt16BE((out.readInt16BE(RecordBatchField.attributes) & ~7) | codec, RecordBatchField.attributes);
  return resealed(out);
}

/** Redo BatchLength and CRC after an edit, so only the edit itself is under test. */
function resealed(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.length - 12, RecordBatchField.batchLength);
  batch.writeUInt32BE(crc32c(batch, RecordBatchField.attributes), RecordBatchField.crc);
  return batch;
}

function simple(batch: KafkaRecordBatch): unknown[] {
  return batch.records.map((r) => [
    batch.baseOffset + r.offsetDelta,
    batch.baseTimestamp + r.timestampDelta,
    r.key === null ? null : Buffer.from(r.key).toString(),
    r.value === null ? null : Buffer.from(r.value).toString(),
    r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value).toString()]),
  ]);
}

const expectedRecords = [
  [1000, t0, 'k0', 'v0', [['h', 'hv'], ['h', null], ['é', '']]],
  [1001, t0 - 5, null, 'v1', []],
  [1002, t0 + 2 ** 33, '', null, []],
];

interface KafkajsRecordBatchModule {
  RecordBatch(args: Record<string, unknown>): Promise<{ buffer: Buffer }>;
}

describe('Kafka record batches', () => {
  it('round trip: offsets, timestamps (negative deltas too), null and empty keys and values, headers', () => {
    const [batch] = decodeRecordBatches(encodeRecordBatch({ baseOffset: 1000, records, timestampType: 'CreateTime', producerId: 7, producerEpoch: 2, baseSequence: 40 }));
    expect(simple(batch)).to.deep.equal(expectedRecords);
    expect(batch).to.include({ magic: 2, compression: 0, timestampType: 'CreateTime', isTransactional: false, isControl: false, lastOffsetDelta: 2, maxTimestamp: t0 + 2 ** 33, producerId: 7, producerEpoch: 2, baseSequence: 40, partitionLeaderEpoch: -1 });
    checkProducedBatch(batch);
  });

  it('Fetch batches are uncompressed LogAppendTime batches, one per run of equal append times', () => {
    const bytes = encodeFetchRecordBatches(50, [
      { timestamp: t0, key: null, value: Buffer.from('a') },
      { timestamp: t0, key: null, value: Buffer.from('b') },
      { timestamp: t0 + 1, key: null, value: Buffer.from('c') },
    ]);
    const batches = decodeRecordBatches(bytes);
    expect(batches.map((b) => [b.baseOffset, b.timestampType, b.compression, b.maxTimestamp, b.records.length])).to.deep.equal([
      [50, 'LogAppendTime', 0, t0, 2],
      [52, 'LogAppendTime', 0, t0 + 1, 1],
    ]);
  });

  it('decodes batches kafkajs encodes, uncompressed and gzip', async () => {
    const { RecordBatch } = kafkajsModule<KafkajsRecordBatchModule>('recordBatch/v0');
    const Record = kafkajsModule<(args: Record<string, unknown>) => unknown>('recordBatch/record/v0');
    for (const compression of [0, 1]) {
      const encoded = await RecordBatch({
        compression,
        firstOffset: '0',
        firstTimestamp: t0,
        maxTimestamp: t0 + 9,
        lastOffsetDelta: 1,
        producerId: '12',
        producerEpoch: 3,
        firstSequence: 5,
        records: [Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: 'b' } }), Record({ offsetDelta: 1, timestampDelta: 9, key: null, value: Buffer.from('w') })],
      });
      const [batch] = decodeRecordBatches(encoded.buffer);
      checkProducedBatch(batch);
      expect(batch).to.include({ compression, producerId: 12, producerEpoch: 3, baseSequence: 5, maxTimestamp: t0 + 9 });
      expect(simple(batch)).to.deep.equal([
        [0, t0, 'k', 'v', [['a', 'b']]],
        [1, t0 + 9, null, 'w', []],
      ]);
    }
  });

  it('encodes batches kafkajs decodes: offsets, LogAppendTime timestamps, keys, values, headers', async () => {
    const Decoder = kafkajsModule<new (b: Buffer) => unknown>('decoder');
    const decodeBatch = kafkajsModule<(d: unknown) => Promise<{ firstOffset: string; timestampType: number; records: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> }[] }>>('recordBatch/v0/decoder');
    for (const compression of ['none', 'gzip'] as const) {
      const decoded = await decodeBatch(new Decoder(encodeRecordBatch({ baseOffset: 1000, records, compression })));
      expect(decoded.timestampType).to.equal(1);
      expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).to.deep.equal([
        ['1000', String(t0 + 2 ** 33), 'k0', 'v0'],
        ['1001', String(t0 + 2 ** 33), null, 'v1'],
        ['1002', String(t0 + 2 ** 33), '', null],
      ]);
      expect(decoded.records[0].headers.h).to.have.length(2);
    }
  });

  it('decodes several batches in one payload', () => {
    const payload = Buffer.concat([encodeRecordBatch({ baseOffset: 0, records: records.slice(0, 1) }), encodeRecordBatch({ baseOffset: 1, records: records.slice(1) })]);
    expect(decodeRecordBatches(payload).map((b) => b.records.length)).to.deep.equal([1, 2]);
  });

  describe('compressed batches', () => {
    const plain = encodeRecordBatch({ baseOffset: 1000, records, timestampType: 'CreateTime' });
    const region = plain.subarray(recordBatchHeaderBytes);

    it('gzip', () => {
      expect(simple(decodeRecordBatches(withRecords(plain, 1, gzipSync(region)))[0])).to.deep.equal(expectedRecords);
    });

    it('snappy, raw block and xerial framing', () => {
      const literal = (b: Buffer): Buffer => Buffer.concat([Buffer.from([61 << 2, (b.length - 1) & 0xff, (b.length - 1) >> 8]), b]);
      const rawBlock = Buffer.concat([Buffer.from([region.length]), literal(region)]);
      expect(region.length).to.be.lessThan(128);
      expect(simple(decodeRecordBatches(withRecords(plain, 2, rawBlock))[0])).to.deep.equal(expectedRecords);
      const size = Buffer.alloc(4);
      size.writeInt32BE(rawBlock.length, 0);
      const xerial = Buffer.concat([Buffer.from('82534e415050590000000001000000 01'.replace(/ /g, ''), 'hex'), size, rawBlock]);
      expect(simple(decodeRecordBatches(withRecords(plain, 2, xerial))[0])).to.deep.equal(expectedRecords);
    });

    it('lz4 (a frame from the lz4 command)', function () {
      let frame: Buffer;
      try {
        frame = execFileSync('lz4', ['-c', '-q'], { input: region });
      } catch {
        console.log('skipped: the lz4 command is not installed (apt-get install lz4)');
        this.skip();
      }
      expect(simple(decodeRecordBatches(withRecords(plain, 3, frame))[0])).to.deep.equal(expectedRecords);
    });

    it('zstd is refused with UNSUPPORTED_COMPRESSION_TYPE, an unknown codec id with INVALID_RECORD', () => {
      const zstd = expectThrows(() => decodeRecordBatches(withRecords(plain, 4, Buffer.from('28b52ffd', 'hex'))), KafkaRecordBatchError, 'UNSUPPORTED_COMPRESSION');
      expect(zstd.kafkaErrorCode).to.equal(KafkaErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      expectThrows(() => decodeRecordBatches(withRecords(plain, 5, region)), KafkaRecordBatchError, 'INVALID_RECORD');
    });

    it('a batch that inflates past the bound is refused with MESSAGE_TOO_LARGE', () => {
      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
      expect(bomb.length).to.be.lessThan(20_000);
      const error = expectThrows(() => decodeRecordBatches(withRecords(plain, 1, bomb), { decompressedBytesMax: 1024 * 1024 }), KafkaRecordBatchError, 'TOO_LARGE');
      expect(error.kafkaErrorCode).to.equal(KafkaErrorCode.MESSAGE_TOO_LARGE);
    });

    it('compressed data that does not decompress is INVALID_RECORD', () => {
      expectThrows(() => decodeRecordBatches(withRecords(plain, 1, Buffer.from('not gzip'))), KafkaRecordBatchError, 'INVALID_RECORD');
      expectThrows(() => decodeRecordBatches(withRecords(plain, 3, Buffer.from('not an lz4 frame'))), KafkaRecordBatchError, 'INVALID_RECORD');
    });
  });

  describe('refusals', () => {
    const batch = encodeRecordBatch({ baseOffset: 0, records });

    it('a CRC mismatch is CORRUPT_MESSAGE', () => {
      for (const at of [RecordBatchField.crc, RecordBatchField.attributes + 1, batch.length - 1]) {
        const bad = Buffer.from(batch);
        bad[at] ^= 0x10;
        const error = expectThrows(() => decodeRecordBatches(bad), KafkaRecordBatchError, 'CRC_MISMATCH');
        expect(error.kafkaErrorCode).to.equal(KafkaErrorCode.CORRUPT_MESSAGE);
      }
    });

    it('legacy magic 0 and 1 message sets are refused with INVALID_RECORD', () => {
      for (const magic of [0, 1]) {
        const legacy = Buffer.from(batch);
        legacy[RecordBatchField.magic] = magic;
        const error = expectThrows(() => decodeRecordBatches(legacy), KafkaRecordBatchError, 'UNSUPPORTED_MAGIC');
        expect(error.kafkaErrorCode).to.equal(KafkaErrorCode.INVALID_RECORD);
      }
    });

    it('a record count that lies is INVALID_RECORD', () => {
      for (const count of [2, 4, 99_999]) {
        const lying = Buffer.from(batch);
        lying.writeInt32BE(count, RecordBatchField.recordsCount);
        expectThrows(() => decodeRecordBatches(resealed(lying)), KafkaRecordBatchError, 'INVALID_RECORD');
      }
    });

    it('more records than the bound is MESSAGE_TOO_LARGE; more headers than the bound is INVALID_RECORD', () => {
      expect(expectThrows(() => decodeRecordBatches(batch, { recordsMax: 2 }), KafkaRecordBatchError, 'TOO_LARGE').kafkaErrorCode).to.equal(KafkaErrorCode.MESSAGE_TOO_LARGE);
      expectThrows(() => decodeRecordBatches(batch, { headersPerRecordMax: 2 }), KafkaRecordBatchError, 'INVALID_RECORD');
    });

    it('every truncation is refused with a typed error, or skipped as a partial tail when allowed', () => {
      const two = Buffer.concat([batch, batch]);
      for (let cut = 1; cut < two.length; cut++) {
        const prefix = two.subarray(0, cut);
        if (cut === batch.length) {
          expect(decodeRecordBatches(prefix)).to.have.length(1);
          continue;
        }
        expectThrows(() => decodeRecordBatches(prefix), KafkaRecordBatchError);
        expect(decodeRecordBatches(prefix, { allowPartialTail: true })).to.have.length(cut < batch.length ? 0 : 1);
      }
    });

    it('random corruption inside the records (CRC redone) is refused with a typed error or decodes, never anything else', () => {
      const random = prng(11);
      let refused = 0;
      for (let i = 0; i < 2000; i++) {
        const bad = Buffer.from(batch);
        const flips = 1 + Math.floor(random() * 3);
        for (let f = 0; f < flips; f++) bad[recordBatchHeaderBytes + Math.floor(random() * (bad.length - recordBatchHeaderBytes))] = Math.floor(random() * 256);
        try {
          decodeRecordBatches(resealed(bad));
        } catch (error) {
          expect(error).to.be.instanceOf(KafkaRecordBatchError);
          refused++;
        }
      }
      expect(refused).to.be.greaterThan(1000);
    });

    it('checkProducedBatch refuses offset deltas that are not 0, 1, 2, ..., a wrong LastOffsetDelta and control batches', () => {
      const [good] = decodeRecordBatches(batch);
      expectThrows(() => checkProducedBatch({ ...good, records: [good.records[0], good.records[2]] }), KafkaRecordBatchError, 'INVALID_RECORD');
      expectThrows(() => checkProducedBatch({ ...good, lastOffsetDelta: 5 }), KafkaRecordBatchError, 'INVALID_RECORD');
      expectThrows(() => checkProducedBatch({ ...good, isControl: true }), KafkaRecordBatchError, 'INVALID_RECORD');
      expect(() => checkProducedBatch(good)).to.not.throw();
    });
  });
});
