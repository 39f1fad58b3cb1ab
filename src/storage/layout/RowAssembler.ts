import { assert } from '../errors.js';
import { rowFixedBytes, rowFlagHeaders, rowHeaderBytes, singleRowBytes, writeSingleRow, type StreamRow } from './StreamRow.js';

/** Records `[from, to)` of a row. */
export interface RowSlice {
  readonly row: StreamRow;
  readonly from: number;
  readonly to: number;
}

/** An assembled row and its first sequence (which goes in its LMDB key). */
export interface AssembledRow {
  readonly firstSeq: number;
  readonly buffer: Buffer;
}

const u32Span = 2 ** 32;

/**
 * Lay out the records of `slices` (one key's, in sequence order, with consecutive offsets) as
 * rows of at most `maxBytes` each (a single larger record gets a row of its own). Used to merge
 * a flush's runs of a key into generation rows, and to rewrite rows without trimmed records.
 */
export function assembleRows(slices: readonly RowSlice[], maxBytes: number): AssembledRow[] {
  const out: AssembledRow[] = [];
  forEachAssembledRow(slices, maxBytes, 0, undefined, (firstSeq, buffer) => out.push({ firstSeq, buffer: Buffer.from(buffer) }));
  return out;
}

/** Memory reused from row to row by `forEachAssembledRow`. */
export class RowScratch {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  take(bytes: number): Buffer {
    if (this.buffer.length < bytes) this.buffer = Buffer.allocUnsafe(Math.max(bytes, this.buffer.length * 2));
    return this.buffer;
  }
}

/**
 * As `assembleRows`, handing each row to `each` as it is laid out, after `prefixBytes` bytes left
 * for the caller, in `scratch` memory reused for the next row (so a flush of a million rows does
 * not allocate a million buffers). The buffer is valid during the call only.
 */
export function forEachAssembledRow(
  slices: readonly RowSlice[],
  maxBytes: number,
  prefixBytes: number,
  scratch: RowScratch | undefined,
  each: (firstSeq: number, buffer: Buffer) => void,
): void {
  let piece: RowSlice[] = [];
  let n = 0;
  let payload = 0;
  let headers = false;
  let first = -1;
  let firstTime = 0;
  let expectedOffset = -1;
  const cut = (): void => {
    if (n > 0) {
      const row = writeRow(piece, n, headers, prefixBytes, scratch);
      each(row.firstSeq, row.buffer);
    }
    piece = [];
    n = 0;
    payload = 0;
    headers = false;
  };
  for (const slice of slices) {
    const { row } = slice;
    let runStart = slice.from;
    for (let i = slice.from; i < slice.to; i++) {
      if (expectedOffset >= 0) assert(row.offset(i) === expectedOffset, 'the records of an assembled row have consecutive offsets');
      expectedOffset = row.offset(i) + 1;
      const recordHeaders = row.hasHeaders && row.headerBlockEnd(i) > row.headerBlockStart(i);
      const recordBytes = row.payloadBytes(i, i + 1) + 16;
      const seq = row.sequence(i);
      const time = row.timestamp(i);
      const fits = n === 0 || (rowHeaderBytes(n + 1, headers || recordHeaders) + payload + recordBytes - 16 <= maxBytes && seq - first < u32Span && time - firstTime < u32Span);
      if (!fits) {
        if (i > runStart) piece.push({ row, from: runStart, to: i });
        runStart = i;
        cut();
      }
      if (n === 0) {
        first = seq;
        firstTime = time;
      }
      n++;
      payload += recordBytes - 16;
      headers ||= recordHeaders;
    }
    if (slice.to > runStart) piece.push({ row, from: runStart, to: slice.to });
  }
  cut();
}

function writeRow(slices: readonly RowSlice[], n: number, withHeaders: boolean, prefixBytes: number, scratch: RowScratch | undefined): AssembledRow {
  if (n === 1 && !withHeaders) {
    const { row, from } = slices[0];
    const total = prefixBytes + singleRowBytes(row, from);
    const whole = scratch === undefined ? Buffer.allocUnsafe(total) : scratch.take(total).subarray(0, total);
    writeSingleRow(row, from, whole, prefixBytes);
    return { firstSeq: row.sequence(from), buffer: whole };
  }
  let valueBytes = 0;
  let headerBytes = 0;
  for (const { row, from, to } of slices) {
    valueBytes += row.valueEnd(to - 1) - row.valueStart(from);
    if (row.hasHeaders) headerBytes += row.headerBlockEnd(to - 1) - row.headerBlockStart(from);
  }
  const header = rowHeaderBytes(n, withHeaders);
  const total = prefixBytes + header + valueBytes + (withHeaders ? headerBytes : 0);
  const whole = scratch === undefined ? Buffer.allocUnsafe(total) : scratch.take(total).subarray(0, total);
  const out = whole.subarray(prefixBytes);
  const firstRow = slices[0].row;
  const firstSeq = firstRow.sequence(slices[0].from);
  const baseTime = firstRow.timestamp(slices[0].from);
  out.writeUInt32LE(n, 0);
  out.writeUInt32LE(withHeaders ? rowFlagHeaders : 0, 4);
  out.writeDoubleLE(firstRow.offset(slices[0].from), 8);
  out.writeDoubleLE(baseTime, 16);
  let j = 0;
  let valueAt = 0;
  let headerAt = 0;
  const valuesStart = header;
  const headersStart = header + valueBytes;
  for (const { row, from, to } of slices) {
    const valueBase = row.valueStart(from);
    const headerBase = row.hasHeaders ? row.headerBlockStart(from) : 0;
    for (let i = from; i < to; i++, j++) {
      out.writeUInt32LE(row.sequence(i) - firstSeq, rowFixedBytes + 4 * j);
      out.writeUInt32LE(row.timestamp(i) - baseTime, rowFixedBytes + 4 * (n + j));
      out.writeUInt32LE(valueAt + row.valueEnd(i) - valueBase, rowFixedBytes + 4 * (2 * n + j));
      if (withHeaders) out.writeUInt32LE(headerAt + (row.hasHeaders ? row.headerBlockEnd(i) - headerBase : 0), rowFixedBytes + 4 * (3 * n + j));
    }
    const values = row.valueEnd(to - 1) - valueBase;
    row.buffer.copy(out, valuesStart + valueAt, valueBase, valueBase + values);
    valueAt += values;
    if (withHeaders && row.hasHeaders) {
      const blocks = row.headerBlockEnd(to - 1) - headerBase;
      row.buffer.copy(out, headersStart + headerAt, headerBase, headerBase + blocks);
      headerAt += blocks;
    }
  }
  return { firstSeq, buffer: whole };
}
