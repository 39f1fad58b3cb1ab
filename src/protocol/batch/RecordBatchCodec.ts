import { limits } from '../../limits.js';
import { ByteReader } from '../avro/ByteReader.js';
import { longSize, writeLongAt } from '../avro/ByteWriter.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';
import type { ProtocolVersion } from '../ProtocolVersion.js';
import { headersSize, readHeaders, writeHeadersAt, type RecordHeader, type RecordHeaderInput } from './RecordHeader.js';

/**
 * The records of an Append (schema `record-batch.avsc`: `array<{ key: bytes, value: bytes }>`;
 * in version 2 `record-batch.v2.avsc`, with `headers` after the value) located inside the
 * request's bytes: record `i` has key `buffer[offsets[4i] .. offsets[4i+1])` and value
 * `buffer[offsets[4i+2] .. offsets[4i+3])`. No object per record, no copy.
 */
export interface WalkedRecords {
  readonly buffer: Buffer;
  readonly offsets: Uint32Array;
  readonly count: number;
  /** Sum of key and value lengths. */
  readonly payloadBytes: number;
  /**
   * Version 2: the headers of each record (undefined for a record without); the whole array is
   * undefined when no record has headers, so a batch without them costs nothing more.
   */
  readonly headers?: readonly (readonly RecordHeader[] | undefined)[];
}

/** One record to encode; `headers` only in version 2. */
export interface RecordBytes {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly headers?: readonly RecordHeaderInput[];
}

/**
 * Walk an encoded record batch of protocol `version`, checking every count and length against
 * the bytes that are really there and against `recordsMax` (and header counts against
 * `limits.headersPerRecordMax`), before anything is allocated for it.
 */
export function walkRecordBatch(buffer: Buffer, recordsMax: number, start = 0, end = buffer.length, version: ProtocolVersion = 1): WalkedRecords {
  const reader = new ByteReader(buffer, start, end);
  const withHeaders = version >= 2;
  // Each record takes at least two bytes (two zero lengths), three with a header count.
  const recordBytesMin = withHeaders ? 3 : 2;
  let headers: (RecordHeader[] | undefined)[] | undefined;
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
    if (count + blockCount > recordsMax) throw new ProtocolDecodeError(`the batch holds more than ${recordsMax} records`);
    if (blockCount * recordBytesMin > reader.remaining) throw new ProtocolDecodeError(`a record block claims ${blockCount} records but only ${reader.remaining} bytes remain`);
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
      if (withHeaders) {
        const found = readHeaders(reader, limits.headersPerRecordMax);
        if (found !== undefined) (headers ??= [])[count] = found;
      }
    }
  }
  if (reader.pos !== end) throw new ProtocolDecodeError(`${end - reader.pos} bytes trail the record batch`);
  if (headers !== undefined) headers.length = count;
  return { buffer, offsets: offsets.length === 4 * count ? offsets : offsets.subarray(0, 4 * count), count, payloadBytes, headers };
}

/**
 * Encode records in protocol `version` as one Avro array block, in one allocation. Headers need
 * version 2 (a RangeError otherwise: the caller checks the version first).
 */
export function encodeRecordBatch(records: readonly RecordBytes[], version: ProtocolVersion = 1): Buffer {
  const withHeaders = version >= 2;
  let size = longSize(records.length) + 1;
  for (const r of records) {
    size += longSize(r.key.length) + r.key.length + longSize(r.value.length) + r.value.length;
    if (withHeaders) size += headersSize(r.headers);
    else if (r.headers !== undefined && r.headers.length > 0) throw new RangeError('records carry headers from protocol version 2 on');
  }
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
    if (withHeaders) pos = writeHeadersAt(out, pos, r.headers);
  }
  out[pos++] = 0;
  return out.subarray(0, pos);
}
