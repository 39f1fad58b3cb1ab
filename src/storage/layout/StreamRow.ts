/**
 * One row of the `streams` table: the records of one key written by one commit, clustered so
 * that a key's scan reads contiguous rows, and carrying the key's running count so that `count`
 * never reads values.
 *
 * ```
 *   u32 LE  n                 records in the row
 *   f64 LE  countBefore       entries of this key before this row (ever appended)
 *   u32 LE  seqDelta[n]       sequence - row's first sequence (the first is 0)
 *   u32 LE  valueEnd[n]       end offset of each value, from the start of the values
 *   bytes   values            concatenated
 * ```
 * The row's first sequence is in its LMDB key (`streamRowKey`).
 */
export const rowFixedHeaderBytes = 12;

export function rowHeaderBytes(n: number): number {
  return rowFixedHeaderBytes + 8 * n;
}

/** A read-only view of an encoded row. */
export class StreamRow {
  readonly count: number;
  readonly countBefore: number;
  private readonly valuesStart: number;

  constructor(
    readonly buffer: Buffer,
    readonly firstSequence: number,
  ) {
    this.count = buffer.readUInt32LE(0);
    this.countBefore = buffer.readDoubleLE(4);
    this.valuesStart = rowHeaderBytes(this.count);
  }

  sequence(i: number): number {
    return this.firstSequence + this.buffer.readUInt32LE(rowFixedHeaderBytes + 4 * i);
  }

  lastSequence(): number {
    return this.sequence(this.count - 1);
  }

  valueStart(i: number): number {
    return i === 0 ? this.valuesStart : this.valuesStart + this.buffer.readUInt32LE(rowFixedHeaderBytes + 4 * (this.count + i - 1));
  }

  valueEnd(i: number): number {
    return this.valuesStart + this.buffer.readUInt32LE(rowFixedHeaderBytes + 4 * (this.count + i));
  }

  value(i: number): Buffer {
    return this.buffer.subarray(this.valueStart(i), this.valueEnd(i));
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
}

/**
 * Cut a row into rows of at most `maxBytes` (a single record bigger than that gets a row of its
 * own). Rows stay small so that reading one to count or to seek costs little whatever a commit's
 * or a compaction's size.
 */
export function splitRow(row: StreamRow, maxBytes: number): { firstSeq: number; buffer: Buffer }[] {
  if (row.buffer.length <= maxBytes) return [{ firstSeq: row.firstSequence, buffer: row.buffer }];
  const pieces: { firstSeq: number; buffer: Buffer }[] = [];
  let start = 0;
  while (start < row.count) {
    let end = start + 1;
    const valuesFrom = row.valueStart(start);
    while (end < row.count && rowHeaderBytes(end + 1 - start) + row.valueEnd(end) - valuesFrom <= maxBytes) end++;
    const n = end - start;
    const header = rowHeaderBytes(n);
    const valueBytes = row.valueEnd(end - 1) - valuesFrom;
    const out = Buffer.allocUnsafe(header + valueBytes);
    const first = row.sequence(start);
    out.writeUInt32LE(n, 0);
    out.writeDoubleLE(row.countBefore + start, 4);
    for (let i = 0; i < n; i++) {
      out.writeUInt32LE(row.sequence(start + i) - first, rowFixedHeaderBytes + 4 * i);
      out.writeUInt32LE(row.valueEnd(start + i) - valuesFrom, rowFixedHeaderBytes + 4 * (n + i));
    }
    row.buffer.copy(out, header, valuesFrom, valuesFrom + valueBytes);
    pieces.push({ firstSeq: first, buffer: out });
    start = end;
  }
  return pieces;
}
