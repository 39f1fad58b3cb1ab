/**
 * The `meta` row `head`: where the log goes on. It is written by every commit with LMDB
 * version = the commit's number, and every commit is conditional on the previous commit's
 * version, so a commit that builds on a failed one can never land.
 *
 * ```
 *   f64 LE  nextSequence
 *   f64 LE  nextKeyId
 * ```
 */
export interface HeadRecord {
  readonly nextSequence: number;
  readonly nextKeyId: number;
}

export const headKey = Buffer.from('head');
export const formatKey = Buffer.from('format');

export function encodeHead(head: HeadRecord): Buffer {
  const out = Buffer.allocUnsafe(16);
  out.writeDoubleLE(head.nextSequence, 0);
  out.writeDoubleLE(head.nextKeyId, 8);
  return out;
}

export function decodeHead(buf: Buffer): HeadRecord {
  return { nextSequence: buf.readDoubleLE(0), nextKeyId: buf.readDoubleLE(8) };
}
