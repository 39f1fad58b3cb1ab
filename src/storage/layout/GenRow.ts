import { noGen } from './KeyRecord.js';
import { StreamRow } from './StreamRow.js';

/**
 * A `streams` row's value: a key's records in one generation (cut at `streamRowBytesMax`), and
 * the previous generation holding records of the key, so that a key's generations form a chain
 * from the newest (in its KeyRecord) back to its first.
 *
 * ```
 *   u32 LE  prevGen    noGen: none
 *   u32 LE  reserved
 *   bytes   StreamRow
 * ```
 */
export const genRowPrefixBytes = 8;

export function encodeGenRow(prevGen: number, row: Buffer): Buffer {
  const out = Buffer.allocUnsafe(genRowPrefixBytes + row.length);
  out.writeUInt32LE(prevGen, 0);
  out.writeUInt32LE(0, 4);
  row.copy(out, genRowPrefixBytes);
  return out;
}

/** Write the prefix into the first `genRowPrefixBytes` of a value whose row follows it. */
export function writeGenRowPrefix(value: Buffer, prevGen: number): void {
  value.writeUInt32LE(prevGen, 0);
  value.writeUInt32LE(0, 4);
}

export function genRowPrevGen(value: Buffer): number {
  return value.readUInt32LE(0);
}

export function decodeGenRow(value: Buffer, firstSeq: number): StreamRow {
  return new StreamRow(value.subarray(genRowPrefixBytes), firstSeq);
}

export { noGen };
