import { limits } from '../limits.js';
import { InvalidArgumentError } from './errors.js';
import { encodeHeaderBlock, type HeaderBounds } from './layout/HeaderBlock.js';
import type { Record } from './types.js';

/**
 * The header blocks of a batch's records (see HeaderBlock), concatenated: record `i`'s block is
 * `buffer[ends[i-1] .. ends[i])` (from 0 for the first); an empty block is a record without headers.
 */
export interface BatchHeaders {
  readonly buffer: Buffer;
  readonly ends: Uint32Array;
}

const defaultHeaderBounds: HeaderBounds = limits;

/**
 * A batch of records as one buffer plus offsets: no object per record. The broker builds one
 * straight over the wire bytes of an Append request; the embedded API packs `Record[]` into one.
 *
 * Record `i` has key `buffer[offsets[4i] .. offsets[4i+1])` and value
 * `buffer[offsets[4i+2] .. offsets[4i+3])`; its headers, if the batch has any, are in `headers`.
 *
 * @example
 * const batch = RecordBatch.fromRecords([{ key: 'k', value: 'v' }]);
 * batch.key(0).toString(); // 'k'
 */
export class RecordBatch {
  constructor(
    readonly buffer: Buffer,
    readonly offsets: Uint32Array,
    readonly count: number,
    /** Sum of key, value and header block lengths. */
    readonly payloadBytes: number,
    /** Absent when no record has headers. */
    readonly headers?: BatchHeaders,
  ) {}

  headerBlockStart(i: number): number {
    return i === 0 || this.headers === undefined ? 0 : this.headers.ends[i - 1];
  }

  headerBlockEnd(i: number): number {
    return this.headers === undefined ? 0 : this.headers.ends[i];
  }

  keyLength(i: number): number {
    return this.offsets[4 * i + 1] - this.offsets[4 * i];
  }

  valueLength(i: number): number {
    return this.offsets[4 * i + 3] - this.offsets[4 * i + 2];
  }

  key(i: number): Buffer {
    return this.buffer.subarray(this.offsets[4 * i], this.offsets[4 * i + 1]);
  }

  value(i: number): Buffer {
    return this.buffer.subarray(this.offsets[4 * i + 2], this.offsets[4 * i + 3]);
  }

  /** Pack records (with their headers, checked against `headerBounds`) into one batch. */
  static fromRecords(records: readonly Record[], headerBounds: HeaderBounds = defaultHeaderBounds): RecordBatch {
    const n = records.length;
    const keys = new Array<Buffer>(n);
    const values = new Array<Buffer>(n);
    let blocks: Buffer[] | undefined;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i];
      if (r === null || typeof r !== 'object') throw new InvalidArgumentError(`record ${i} is not an object with key and value`);
      keys[i] = toBuffer(r.key, `record ${i} key`);
      values[i] = toBuffer(r.value, `record ${i} value`);
      total += keys[i].length + values[i].length;
      if (r.headers !== undefined && r.headers !== null) {
        const block = encodeHeaderBlock(r.headers, headerBounds, `record ${i}`);
        if (block.length > 0) {
          blocks ??= new Array<Buffer>(n);
          blocks[i] = block;
          total += block.length;
        }
      }
    }
    const buffer = Buffer.allocUnsafe(total);
    const offsets = new Uint32Array(4 * n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      offsets[4 * i] = at;
      at += keys[i].copy(buffer, at);
      offsets[4 * i + 1] = at;
      offsets[4 * i + 2] = at;
      at += values[i].copy(buffer, at);
      offsets[4 * i + 3] = at;
    }
    return new RecordBatch(buffer, offsets, n, total, blocks === undefined ? undefined : packBlocks(blocks, n));
  }
}

function packBlocks(blocks: (Buffer | undefined)[], n: number): BatchHeaders {
  const ends = new Uint32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    size += blocks[i]?.length ?? 0;
    ends[i] = size;
  }
  const buffer = Buffer.allocUnsafe(size);
  for (let i = 0, at = 0; i < n; i++) {
    const block = blocks[i];
    if (block !== undefined) at += block.copy(buffer, at);
  }
  return { buffer, ends };
}

/** Bytes of a key or value: a Uint8Array as is, a string as UTF-8. */
export function toBuffer(bytes: unknown, what: string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  if (bytes instanceof Uint8Array) {
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  throw new InvalidArgumentError(`${what} must be a Uint8Array or a string`);
}
