import { limits } from '../../../limits.js';
import { CompressionCodec, compressionCodecName, decompress, type CompressionCodecId } from '../compression/decompress.js';
import { KafkaDecompressionError } from '../compression/KafkaDecompressionError.js';
import { crc32c } from '../crc32c.js';
import { KafkaDecodeError } from '../KafkaDecodeError.js';
import { KafkaReader } from '../wire/KafkaReader.js';
import { KafkaRecordBatchError } from './KafkaRecordBatchError.js';
import {
  RecordBatchAttribute,
  RecordBatchField as F,
  recordBatchHeaderBytes,
  recordBatchLogOverheadBytes,
  recordBatchMagic,
  type KafkaRecord,
  type KafkaRecordBatch,
  type KafkaRecordHeader,
} from './RecordBatch.js';

export interface DecodeRecordBatchesOptions {
  /** Records in all batches together; beyond it TOO_LARGE. Default `limits.batchRecordsMax`. */
  readonly recordsMax?: number;
  /** Decompressed bytes of all batches together; beyond it TOO_LARGE. Default `limits.kafkaDecompressedBatchBytesMax`. */
  readonly decompressedBytesMax?: number;
  /** Headers on one record; beyond it INVALID_RECORD. Default `limits.kafkaRecordHeadersMax`. */
  readonly headersPerRecordMax?: number;
  /**
   * Stop quietly at an incomplete last batch instead of refusing it. Fetch responses may end
   * with a partial batch (cut at the fetch size); Produce payloads may not. Default false.
   */
  readonly allowPartialTail?: boolean;
}

/** Fewest bytes one record takes: Length, Attributes, TimestampDelta, OffsetDelta, KeyLength, ValueLength, HeadersCount. */
const recordMinBytes = 7;
/** Fewest bytes one header takes: two one-byte lengths. */
const headerMinBytes = 2;
/** Shared by every record without headers (most of them), instead of an empty array each. */
const noHeaders: readonly KafkaRecordHeader[] = Object.freeze([]);

/**
 * Decode the record batches of a Produce partition's `records` (magic 2 only). Each batch's
 * length is checked against the bytes present, its CRC-32C against its bytes, every count
 * against the bytes left and the bounds, and a compressed batch is inflated (gzip, snappy, lz4)
 * within `decompressedBytesMax` before its records are read. Keys, values and header values are
 * views of `data` (or of the inflated records), not copies.
 *
 * Throws KafkaRecordBatchError; its `kafkaErrorCode` is the partition's answer.
 *
 * @example
 * const batches = decodeRecordBatches(partition.records);
 * for (const batch of batches) checkProducedBatch(batch);
 */
export function decodeRecordBatches(data: Uint8Array, options: DecodeRecordBatchesOptions = {}): KafkaRecordBatch[] {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const budget = {
    records: options.recordsMax ?? limits.batchRecordsMax,
    inflatedBytes: options.decompressedBytesMax ?? limits.kafkaDecompressedBatchBytesMax,
  };
  const headersMax = options.headersPerRecordMax ?? limits.kafkaRecordHeadersMax;
  const batches: KafkaRecordBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    const batchLength = remaining >= recordBatchLogOverheadBytes ? buf.readInt32BE(pos + F.batchLength) : -1;
    if (remaining < recordBatchLogOverheadBytes || (batchLength >= 0 && batchLength > remaining - recordBatchLogOverheadBytes)) {
      if (options.allowPartialTail === true) break;
      throw new KafkaRecordBatchError('INVALID_RECORD', `a record batch is cut off: ${remaining} bytes remain of ${remaining < recordBatchLogOverheadBytes ? 'its header' : `${batchLength + recordBatchLogOverheadBytes}`}`);
    }
    if (remaining >= F.magic + 1 && buf[pos + F.magic] !== recordBatchMagic) {
      throw new KafkaRecordBatchError('UNSUPPORTED_MAGIC', `record batch magic ${buf.readInt8(pos + F.magic)} is not supported: send magic 2 batches (Kafka 0.11+ clients do)`);
    }
    if (batchLength < recordBatchHeaderBytes - recordBatchLogOverheadBytes) {
      throw new KafkaRecordBatchError('INVALID_RECORD', `record batch length ${batchLength} is shorter than a batch header`);
    }
    const end = pos + recordBatchLogOverheadBytes + batchLength;
    batches.push(decodeBatch(buf, pos, end, budget, headersMax));
    pos = end;
  }
  return batches;
}

function decodeBatch(buf: Buffer, start: number, end: number, budget: { records: number; inflatedBytes: number }, headersMax: number): KafkaRecordBatch {
  const crc = buf.readUInt32BE(start + F.crc);
  const computed = crc32c(buf, start + F.attributes, end);
  if (crc !== computed) {
    throw new KafkaRecordBatchError('CRC_MISMATCH', `record batch CRC-32C is ${hex32(crc)} but its bytes give ${hex32(computed)}: the batch was corrupted in transit`);
  }
  const attributes = buf.readInt16BE(start + F.attributes);
  const codec = attributes & RecordBatchAttribute.compressionMask;
  const recordsCount = buf.readInt32BE(start + F.recordsCount);
  if (recordsCount < 0) throw new KafkaRecordBatchError('INVALID_RECORD', `record batch count is negative (${recordsCount})`);
  if (recordsCount > budget.records) throw new KafkaRecordBatchError('TOO_LARGE', `record batch holds ${recordsCount} records; at most ${budget.records} more are accepted in this request`);
  budget.records -= recordsCount;

  let records: Buffer;
  let recordsStart = start + recordBatchHeaderBytes;
  let recordsEnd = end;
  if (codec === CompressionCodec.none) {
    records = buf;
  } else {
    records = inflate(codec, buf.subarray(recordsStart, end), budget);
    recordsStart = 0;
    recordsEnd = records.length;
  }
  return {
    baseOffset: int64Field(buf, start + F.baseOffset, 'baseOffset'),
    batchLength: end - start - recordBatchLogOverheadBytes,
    partitionLeaderEpoch: buf.readInt32BE(start + F.partitionLeaderEpoch),
    magic: recordBatchMagic,
    crc,
    attributes,
    compression: codec as CompressionCodecId,
    timestampType: (attributes & RecordBatchAttribute.logAppendTime) !== 0 ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & RecordBatchAttribute.transactional) !== 0,
    isControl: (attributes & RecordBatchAttribute.control) !== 0,
    lastOffsetDelta: buf.readInt32BE(start + F.lastOffsetDelta),
    baseTimestamp: int64Field(buf, start + F.baseTimestamp, 'baseTimestamp'),
    maxTimestamp: int64Field(buf, start + F.maxTimestamp, 'maxTimestamp'),
    producerId: int64Field(buf, start + F.producerId, 'producerId'),
    producerEpoch: buf.readInt16BE(start + F.producerEpoch),
    baseSequence: buf.readInt32BE(start + F.baseSequence),
    records: readRecords(records, recordsStart, recordsEnd, recordsCount, headersMax),
  };
}

function inflate(codec: number, compressed: Buffer, budget: { inflatedBytes: number }): Buffer {
  if (codec > CompressionCodec.zstd) throw new KafkaRecordBatchError('INVALID_RECORD', `record batch compression id ${codec} does not exist`);
  try {
    const inflated = decompress(codec, compressed, budget.inflatedBytes);
    budget.inflatedBytes -= inflated.length;
    return inflated;
  } catch (error) {
    if (!(error instanceof KafkaDecompressionError)) throw error;
    if (error.code === 'UNSUPPORTED') throw new KafkaRecordBatchError('UNSUPPORTED_COMPRESSION', `${compressionCodecName(codec)} compression is not supported: configure the producer with gzip, snappy, lz4 or none`, { cause: error });
    if (error.code === 'TOO_LARGE') throw new KafkaRecordBatchError('TOO_LARGE', `a ${compressionCodecName(codec)} batch inflates past the decompressed-size bound: ${error.message}`, { cause: error });
    throw new KafkaRecordBatchError('INVALID_RECORD', `the ${compressionCodecName(codec)} records of a batch do not decompress: ${error.message}`, { cause: error });
  }
}

function readRecords(buf: Buffer, start: number, end: number, count: number, headersMax: number): KafkaRecord[] {
  const reader = new KafkaReader(buf, start, end);
  try {
    reader.checkCount(count, recordMinBytes, Number.MAX_SAFE_INTEGER, 'a record batch');
    const records = new Array<KafkaRecord>(count);
    for (let i = 0; i < count; i++) {
      const length = reader.varint();
      if (length < recordMinBytes - 1 || length > reader.remaining) {
        throw new KafkaRecordBatchError('INVALID_RECORD', `record ${i} has length ${length} with ${reader.remaining} bytes left in the batch`);
      }
      const record = new KafkaReader(buf, reader.pos, reader.pos + length);
      records[i] = readRecord(record, headersMax);
      record.expectEnd(`record ${i}`);
      reader.pos = record.end;
    }
    if (reader.remaining !== 0) throw new KafkaRecordBatchError('INVALID_RECORD', `${reader.remaining} bytes follow the last of the batch's ${count} records`);
    return records;
  } catch (error) {
    if (error instanceof KafkaDecodeError) throw new KafkaRecordBatchError('INVALID_RECORD', `a record does not parse: ${error.message}`, { cause: error });
    throw error;
  }
}

function readRecord(r: KafkaReader, headersMax: number): KafkaRecord {
  const attributes = r.int8();
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = varintBytes(r, 'key');
  const value = varintBytes(r, 'value');
  const headerCount = r.varint();
  if (headerCount > headersMax) throw new KafkaRecordBatchError('INVALID_RECORD', `a record has ${headerCount} headers; at most ${headersMax} are accepted`);
  r.checkCount(headerCount, headerMinBytes, headersMax, 'a record\'s headers');
  if (headerCount === 0) return { attributes, timestampDelta, offsetDelta, key, value, headers: noHeaders };
  const headers = new Array<KafkaRecordHeader>(headerCount);
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.varint();
    if (keyLength < 0) throw new KafkaRecordBatchError('INVALID_RECORD', `a record header key length is ${keyLength}`);
    const headerKey = r.raw(keyLength).toString('utf8');
    headers[h] = { key: headerKey, value: varintBytes(r, 'header value') };
  }
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

function varintBytes(r: KafkaReader, what: string): Buffer | null {
  const length = r.varint();
  if (length === -1) return null;
  if (length < -1) throw new KafkaRecordBatchError('INVALID_RECORD', `a record ${what} length is ${length}`);
  return r.raw(length);
}

function int64Field(buf: Buffer, at: number, name: string): number {
  const value = buf.readInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
  if (!Number.isSafeInteger(value)) throw new KafkaRecordBatchError('INVALID_RECORD', `record batch ${name} is outside the safe integer range`);
  return value;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
