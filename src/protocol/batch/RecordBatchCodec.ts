import { ByteReader } from '../avro/ByteReader.js';
import { longSize, writeLongAt } from '../avro/ByteWriter.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';

/**
 * The records of an Append (schema `record-batch.avsc`: `array<{ key: bytes, value: bytes }>`)
 * located inside the request's bytes: record `i` has key `buffer[offsets[4i] .. offsets[4i+1])`
 * and value `buffer[offsets[4i+2] .. offsets[4i+3])`. No object per record, no copy.
 */
export interface WalkedRecords {
  readonly buffer: Buffer;
  readonly offsets: Uint32Array;
  readonly count: number;
  /** Sum of key and value lengths. */
  readonly payloadBytes: number;
}

/** One record to encode. */
export interface RecordBytes {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * Walk an encoded record batch, checking every count and length against the bytes that are
 * really there and against `recordsMax`, before anything is allocated for it.
 */
export function walkRecordBatch(buffer: Buffer, recordsMax: number, start = 0, end = buffer.length): WalkedRecords {
  const reader = new ByteReader(buffer, start, end);
  let offsets = new Uint32Array(0);
  let count = 0;
  let payloadBytes = 0;
  for (;;) {
    let blockCount = reader.readLong();
    if (blockCount === 0) break;
    if (blockCount < 0) {
      blockCount = -blockCount;
      const blockBytes = reader.readLong();
      if (blockBytes < 0 || blockBytes > reader.remaining) throw new ProtocolDecodeError(`record block size ${blockBytes} does not fit the data`);
    }
    // Each record takes at least two bytes (two zero lengths).
    if (count + blockCount > recordsMax) throw new ProtocolDecodeError(`the batch holds more than ${recordsMax} records`);
    if (blockCount * 2 > reader.remaining) throw new ProtocolDecodeError(`a record block claims ${blockCount} records but only ${reader.remaining} bytes remain`);
    if (4 * (count + blockCount) > offsets.length) {
      const grown = new Uint32Array(4 * (count + blockCount));
      grown.set(offsets.subarray(0, 4 * count));
      offsets = grown;
    }
    for (let i = 0; i < blockCount; i++, count++) {
      const keyStart = reader.skipBytes();
      const keyEnd = reader.pos;
      const valueStart = reader.skipBytes();
      const valueEnd = reader.pos;
      offsets[4 * count] = keyStart;
      offsets[4 * count + 1] = keyEnd;
      offsets[4 * count + 2] = valueStart;
      offsets[4 * count + 3] = valueEnd;
      payloadBytes += keyEnd - keyStart + valueEnd - valueStart;
    }
  }
  if (reader.pos !== end) throw new ProtocolDecodeError(`${end - reader.pos} bytes trail the record batch`);
  return { buffer, offsets: offsets.length === 4 * count ? offsets : offsets.subarray(0, 4 * count), count, payloadBytes };
}

/** Encode records as one Avro array block, in one allocation. */
export function encodeRecordBatch(records: readonly RecordBytes[]): Buffer {
  let size = longSize(records.length) + 1;
  for (const r of records) size += longSize(r.key.length) + r.key.length + longSize(r.value.length) + r.value.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (records.length > 0) pos = writeLongAt(out, pos, records.length);
  for (const r of records) {
    pos = writeLongAt(out, pos, r.key.length);
    out.set(r.key, pos);
    pos += r.key.length;
    pos = writeLongAt(out, pos, r.value.length);
    out.set(r.value, pos);
    pos += r.value.length;
  }
  out[pos++] = 0;
  return out.subarray(0, pos);
}
