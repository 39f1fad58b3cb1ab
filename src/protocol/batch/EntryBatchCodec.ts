import { ByteReader } from '../avro/ByteReader.js';
import { ByteWriter } from '../avro/ByteWriter.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';
import type { ProtocolVersion } from '../ProtocolVersion.js';
import { headersSize, readHeaders, writeHeadersAt, type RecordHeader, type RecordHeaderInput } from './RecordHeader.js';

/**
 * An entry of one key (schema `key-entry-batch.avsc`; in version 2 `key-entry-batch.v2.avsc`,
 * which adds `offset`, `timestamp` and `headers`).
 */
export interface KeyEntry {
  readonly sequence: number;
  readonly value: Buffer;
  /** Version 2: the entry's ordinal within its key (0 for the key's first entry ever). */
  readonly offset?: number;
  /** Version 2: append time, ms since the epoch. */
  readonly timestamp?: number;
  /** Version 2: the record's headers, present only when it has any. */
  readonly headers?: readonly RecordHeader[];
}

/** An entry with its key (schema `entry-batch.avsc`; in version 2 `entry-batch.v2.avsc`). */
export interface Entry extends KeyEntry {
  readonly key: Buffer;
}

/**
 * Writes an entry batch (with keys or without) in protocol `version` as one Avro array block.
 * The count is only known at the end, so the block is written into a body buffer and the count
 * put before it.
 */
export class EntryBatchWriter {
  private readonly body: ByteWriter;
  private entries = 0;
  private readonly withMeta: boolean;

  constructor(
    private readonly withKeys: boolean,
    version: ProtocolVersion = 1,
    initialBytes = 4096,
  ) {
    this.body = new ByteWriter(initialBytes);
    this.withMeta = version >= 2;
  }

  get count(): number {
    return this.entries;
  }

  /** Bytes of the batch so far (an upper bound on what finish() returns minus 11). */
  get byteLength(): number {
    return this.body.length;
  }

  /**
   * Add an entry whose value is `source[valueStart, valueEnd)`. `offset`, `timestamp` and
   * `headers` are written in version 2 only.
   */
  add(key: Uint8Array | undefined, sequence: number, source: Uint8Array, valueStart = 0, valueEnd = source.length, offset = 0, timestamp = 0, headers?: readonly RecordHeaderInput[]): void {
    const body = this.body;
    if (this.withKeys) body.writeBytes(key as Uint8Array);
    body.writeLong(sequence);
    if (this.withMeta) {
      body.writeLong(offset);
      body.writeLong(timestamp);
    }
    body.writeBytes(source, valueStart, valueEnd);
    if (this.withMeta) {
      if (headers === undefined || headers.length === 0) body.writeLong(0);
      else {
        body.ensure(headersSize(headers));
        body.pos = writeHeadersAt(body.buffer, body.pos, headers);
      }
    }
    this.entries++;
  }

  /** The encoded batch (a fresh buffer). */
  finish(): Buffer {
    const out = new ByteWriter(this.body.length + 11);
    if (this.entries > 0) out.writeLong(this.entries);
    out.writeRaw(this.body.view());
    out.writeLong(0);
    return out.view();
  }
}

function readBlocks(bytes: Buffer, entryBytesMin: number, each: (reader: ByteReader) => void): void {
  const reader = new ByteReader(bytes);
  for (;;) {
    let count = reader.readLong();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      reader.readLong();
    }
    if (count * entryBytesMin > reader.remaining) throw new ProtocolDecodeError(`an entry block claims ${count} entries but only ${reader.remaining} bytes remain`);
    for (let i = 0; i < count; i++) each(reader);
  }
  if (reader.pos !== reader.end) throw new ProtocolDecodeError('bytes trail the entry batch');
}

/** Headers per entry a reader accepts: bounded by the bytes there, as every count is. */
const headersPerEntryMax = Number.MAX_SAFE_INTEGER;

/** Decode a key-entry batch of protocol `version`; values are views into `bytes`. */
export function readKeyEntryBatch(bytes: Buffer, version: ProtocolVersion = 1): KeyEntry[] {
  const out: KeyEntry[] = [];
  if (version >= 2) {
    readBlocks(bytes, 5, (r) => {
      const sequence = r.readLong();
      const offset = r.readLong();
      const timestamp = r.readLong();
      const [start, end] = r.readBytesRange();
      const headers = readHeaders(r, headersPerEntryMax);
      const value = bytes.subarray(start, end);
      out.push(headers === undefined ? { sequence, offset, timestamp, value } : { sequence, offset, timestamp, value, headers });
    });
    return out;
  }
  readBlocks(bytes, 2, (r) => {
    const sequence = r.readLong();
    const [start, end] = r.readBytesRange();
    out.push({ sequence, value: bytes.subarray(start, end) });
  });
  return out;
}

/** Decode an entry batch of protocol `version`; keys and values are views into `bytes`. */
export function readEntryBatch(bytes: Buffer, version: ProtocolVersion = 1): Entry[] {
  const out: Entry[] = [];
  if (version >= 2) {
    readBlocks(bytes, 6, (r) => {
      const [ks, ke] = r.readBytesRange();
      const sequence = r.readLong();
      const offset = r.readLong();
      const timestamp = r.readLong();
      const [vs, ve] = r.readBytesRange();
      const headers = readHeaders(r, headersPerEntryMax);
      const key = bytes.subarray(ks, ke);
      const value = bytes.subarray(vs, ve);
      out.push(headers === undefined ? { key, sequence, offset, timestamp, value } : { key, sequence, offset, timestamp, value, headers });
    });
    return out;
  }
  readBlocks(bytes, 2, (r) => {
    const [ks, ke] = r.readBytesRange();
    const sequence = r.readLong();
    const [vs, ve] = r.readBytesRange();
    out.push({ key: bytes.subarray(ks, ke), sequence, value: bytes.subarray(vs, ve) });
  });
  return out;
}
