import { gzipSync } from 'node:zlib';
import { CompressionCodec } from '../compression/decompress.js';
import { crc32c } from '../crc32c.js';
import { KafkaWriter, varintSize, varlongSize } from '../wire/KafkaWriter.js';
import {
  RecordBatchAttribute,
  RecordBatchField as F,
  recordBatchHeaderBytes,
  recordBatchLogOverheadBytes,
  recordBatchMagic,
  type KafkaRecordHeader,
  type TimestampType,
} from './RecordBatch.js';

/** One record to write; its offset is the batch's baseOffset plus its index. */
export interface RecordToEncode {
  /** Milliseconds since the epoch: the append time (LogAppendTime) or the producer's time (CreateTime). */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers?: readonly KafkaRecordHeader[];
}

export interface RecordBatchToEncode {
  readonly baseOffset: number;
  readonly records: readonly RecordToEncode[];
  /** Default 'LogAppendTime' (odlog's): clients then show the batch's maxTimestamp for every record. */
  readonly timestampType?: TimestampType;
  /** Default -1 (no epoch). */
  readonly partitionLeaderEpoch?: number;
  /** Default -1, with producerEpoch -1 and baseSequence -1: not idempotent. */
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  /** Default 'none'. gzip is there for clients and tests; Fetch answers are uncompressed. */
  readonly compression?: 'none' | 'gzip';
}

/**
 * Encode one magic-2 record batch: offsets baseOffset, baseOffset + 1, ...; BaseTimestamp the
 * first record's timestamp, MaxTimestamp the largest, CRC-32C filled in. One allocation when
 * uncompressed.
 *
 * @example
 * const bytes = encodeRecordBatch({ baseOffset: 42, records: [{ timestamp: Date.now(), key: null, value: Buffer.from('v') }] });
 */
export function encodeRecordBatch(batch: RecordBatchToEncode): Buffer {
  const records = batch.records;
  if (records.length === 0) throw new RangeError('a record batch holds at least one record');
  const baseTimestamp = records[0].timestamp;
  let maxTimestamp = baseTimestamp;
  for (const r of records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;

  const bodySizes = new Array<number>(records.length);
  let recordsBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const body = recordBodySize(records[i], i, baseTimestamp);
    bodySizes[i] = body;
    recordsBytes += varintSize(body) + body;
  }

  const gzip = batch.compression === 'gzip';
  let compressed: Buffer | undefined;
  if (gzip) {
    const w = new KafkaWriter(recordsBytes);
    writeRecords(w, records, bodySizes, baseTimestamp);
    compressed = gzipSync(w.finish());
  }

  const total = recordBatchHeaderBytes + (compressed === undefined ? recordsBytes : compressed.length);
  const w = new KafkaWriter(total);
  let attributes = gzip ? CompressionCodec.gzip : CompressionCodec.none;
  if ((batch.timestampType ?? 'LogAppendTime') === 'LogAppendTime') attributes |= RecordBatchAttribute.logAppendTime;
  w.int64(batch.baseOffset);
  w.int32(total - recordBatchLogOverheadBytes);
  w.int32(batch.partitionLeaderEpoch ?? -1);
  w.int8(recordBatchMagic);
  w.uint32(0); // CRC, patched below once the bytes it covers are written
  w.int16(attributes);
  w.int32(records.length - 1);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(batch.producerId ?? -1);
  w.int16(batch.producerEpoch ?? -1);
  w.int32(batch.baseSequence ?? -1);
  w.int32(records.length);
  if (compressed === undefined) writeRecords(w, records, bodySizes, baseTimestamp);
  else w.raw(compressed);
  const out = w.finish();
  out.writeUInt32BE(crc32c(out, F.attributes, out.length), F.crc);
  return out;
}

/**
 * Encode records for a Fetch answer as LogAppendTime batches, starting a new batch wherever the
 * append time changes: clients report a LogAppendTime batch's MaxTimestamp for each of its
 * records, so this keeps every record's time exact. Records are at offsets baseOffset, +1, ...
 *
 * @example
 * const bytes = encodeFetchRecordBatches(fetchOffset, entries.map((e) => ({ timestamp: e.appendedAtMs, key: e.kafkaKey, value: e.value, headers: e.headers })));
 */
export function encodeFetchRecordBatches(baseOffset: number, records: readonly RecordToEncode[]): Buffer {
  const batches: Buffer[] = [];
  let start = 0;
  for (let i = 1; i <= records.length; i++) {
    if (i === records.length || records[i].timestamp !== records[start].timestamp) {
      batches.push(encodeRecordBatch({ baseOffset: baseOffset + start, records: records.slice(start, i) }));
      start = i;
    }
  }
  return batches.length === 1 ? batches[0] : Buffer.concat(batches);
}

function recordBodySize(r: RecordToEncode, index: number, baseTimestamp: number): number {
  let size = 1 + varlongSize(r.timestamp - baseTimestamp) + varintSize(index);
  size += r.key === null ? 1 : varintSize(r.key.length) + r.key.length;
  size += r.value === null ? 1 : varintSize(r.value.length) + r.value.length;
  const headers = r.headers ?? [];
  size += varintSize(headers.length);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(keyBytes) + keyBytes;
    size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
  }
  return size;
}

function writeRecords(w: KafkaWriter, records: readonly RecordToEncode[], bodySizes: readonly number[], baseTimestamp: number): void {
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    w.varint(bodySizes[i]);
    w.int8(0);
    w.varlong(r.timestamp - baseTimestamp);
    w.varint(i);
    writeVarintBytes(w, r.key);
    writeVarintBytes(w, r.value);
    const headers = r.headers ?? [];
    w.varint(headers.length);
    for (const h of headers) {
      const key = Buffer.from(h.key, 'utf8');
      w.varint(key.length);
      w.raw(key);
      writeVarintBytes(w, h.value);
    }
  }
}

function writeVarintBytes(w: KafkaWriter, bytes: Uint8Array | null): void {
  if (bytes === null) {
    w.varint(-1);
    return;
  }
  w.varint(bytes.length);
  w.raw(bytes);
}
