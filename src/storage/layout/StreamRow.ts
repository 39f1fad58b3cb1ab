import type { LogEntry, RecordHeader } from '../types.js';
import { decodeHeaderBlock } from './HeaderBlock.js';

/**
 * Records of one key, in sequence order: a *run* (what one commit wrote for a key, in the WAL
 * and the memtable) or a *row* of a generation (runs of a flush merged, in LMDB). One layout for
 * both, so a flush copies bytes instead of re-encoding records.
 *
 * ```
 *   u32 LE  n                  records
 *   u32 LE  flags              bit 0: a headers section follows the values
 *   f64 LE  countBefore        entries of the key before this row (the first record's offset)
 *   f64 LE  baseTimeMs         timestamps are baseTimeMs + timeDelta
 *   u32 LE  seqDelta[n]        sequence - first sequence (the first is 0; the first sequence is
 *                              held outside the row: the run's directory entry or the LMDB key)
 *   u32 LE  timeDelta[n]
 *   u32 LE  valueEnd[n]        end of each value, from the start of the values
 *   u32 LE  headersEnd[n]      only with flag bit 0: end of each record's header block
 *   bytes   values
 *   bytes   header blocks      only with flag bit 0 (see HeaderBlock; empty for a record without)
 * ```
 * A row of one record without headers may be *single* (flag bit 1, LMDB rows only, from storage
 * format 5): the fixed fields (baseTimeMs is the record's time) and the value, which runs to the
 * end of the row. At a million keys most rows hold one record, and the three arrays were 12 of
 * their ~140 bytes.
 */
export const rowFixedBytes = 24;
export const rowFlagHeaders = 1;
export const rowFlagSingle = 2;

export function rowHeaderBytes(n: number, withHeaders: boolean): number {
  return rowFixedBytes + (withHeaders ? 16 : 12) * n;
}

/** A read-only view of an encoded row. */
export class StreamRow {
  readonly count: number;
  readonly countBefore: number;
  readonly baseTimeMs: number;
  readonly hasHeaders: boolean;
  private readonly single: boolean;
  private readonly valuesStart: number;

  constructor(
    readonly buffer: Buffer,
    readonly firstSequence: number,
  ) {
    this.count = buffer.readUInt32LE(0);
    const flags = buffer.readUInt32LE(4);
    this.hasHeaders = (flags & rowFlagHeaders) !== 0;
    this.single = (flags & rowFlagSingle) !== 0;
    this.countBefore = buffer.readDoubleLE(8);
    this.baseTimeMs = buffer.readDoubleLE(16);
    this.valuesStart = this.single ? rowFixedBytes : rowHeaderBytes(this.count, this.hasHeaders);
  }

  sequence(i: number): number {
    return this.single ? this.firstSequence : this.firstSequence + this.buffer.readUInt32LE(rowFixedBytes + 4 * i);
  }

  lastSequence(): number {
    return this.sequence(this.count - 1);
  }

  timestamp(i: number): number {
    return this.single ? this.baseTimeMs : this.baseTimeMs + this.buffer.readUInt32LE(rowFixedBytes + 4 * (this.count + i));
  }

  /** The entry's offset within its key (its ordinal). */
  offset(i: number): number {
    return this.countBefore + i;
  }

  valueStart(i: number): number {
    return i === 0 ? this.valuesStart : this.valuesStart + this.buffer.readUInt32LE(rowFixedBytes + 4 * (2 * this.count + i - 1));
  }

  valueEnd(i: number): number {
    return this.single ? this.buffer.length : this.valuesStart + this.buffer.readUInt32LE(rowFixedBytes + 4 * (2 * this.count + i));
  }

  value(i: number): Buffer {
    return this.buffer.subarray(this.valueStart(i), this.valueEnd(i));
  }

  /** Start of the header blocks (the end of the values). */
  private get headersStart(): number {
    return this.valueEnd(this.count - 1);
  }

  headerBlockStart(i: number): number {
    if (!this.hasHeaders) return 0;
    return i === 0 ? this.headersStart : this.headersStart + this.buffer.readUInt32LE(rowFixedBytes + 4 * (3 * this.count + i - 1));
  }

  headerBlockEnd(i: number): number {
    if (!this.hasHeaders) return 0;
    return this.headersStart + this.buffer.readUInt32LE(rowFixedBytes + 4 * (3 * this.count + i));
  }

  /** The record's headers, or undefined when it has none. */
  headers(i: number): RecordHeader[] | undefined {
    if (!this.hasHeaders) return undefined;
    const start = this.headerBlockStart(i);
    const end = this.headerBlockEnd(i);
    return end > start ? decodeHeaderBlock(this.buffer, start, end) : undefined;
  }

  /** Record `i` as an entry of `key`. */
  entry(key: Buffer, i: number): LogEntry {
    const headers = this.headers(i);
    const entry = { key, sequence: this.sequence(i), value: this.value(i), timestamp: this.timestamp(i), offset: this.countBefore + i };
    return headers === undefined ? entry : { ...entry, headers };
  }

  /** Index of the first record with sequence >= seq (count if none), by binary search. */
  lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sequence(mid) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first record with timestamp >= timeMs (count if none); timestamps never decrease. */
  lowerBoundTime(timeMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamp(mid) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Key, value and header bytes of records [from, to). */
  payloadBytes(from: number, to: number): number {
    if (to <= from) return 0;
    let bytes = this.valueEnd(to - 1) - this.valueStart(from);
    if (this.hasHeaders) bytes += this.headerBlockEnd(to - 1) - this.headerBlockStart(from);
    return bytes;
  }
}

/**
 * Write record `i` of `row` (which has no headers) into `out` at `at` as a single row; returns the
 * end. `out` must have `singleRowBytes(row, i)` bytes from `at`.
 */
export function writeSingleRow(row: StreamRow, i: number, out: Buffer, at: number): number {
  out.writeUInt32LE(1, at);
  out.writeUInt32LE(rowFlagSingle, at + 4);
  out.writeDoubleLE(row.offset(i), at + 8);
  out.writeDoubleLE(row.timestamp(i), at + 16);
  return at + rowFixedBytes + row.buffer.copy(out, at + rowFixedBytes, row.valueStart(i), row.valueEnd(i));
}

/** Bytes of record `i` of `row` as a single row. */
export function singleRowBytes(row: StreamRow, i: number): number {
  return rowFixedBytes + row.valueEnd(i) - row.valueStart(i);
}
