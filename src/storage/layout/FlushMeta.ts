/**
 * The `meta` row `flush`: how far LMDB holds the log. Written by every flush, in the same
 * transaction as the rows it describes; everything after it is in the write-ahead log.
 *
 * ```
 *   f64 LE  flushedLsn   the last WAL frame whose effects are in LMDB (0: none)
 *   f64 LE  flushedSeq   exclusive end of the sequences in LMDB
 *   f64 LE  nextKeyId    above every key id LMDB knows
 *   f64 LE  nextGen      the id the next generation takes
 * ```
 */
export interface FlushMeta {
  readonly flushedLsn: number;
  readonly flushedSeq: number;
  readonly nextKeyId: number;
  readonly nextGen: number;
}

export const flushMetaKey = Buffer.from('flush');
export const formatKey = Buffer.from('format');
export const initialFlushMeta: FlushMeta = { flushedLsn: 0, flushedSeq: 0, nextKeyId: 1, nextGen: 0 };

export function encodeFlushMeta(m: FlushMeta): Buffer {
  const out = Buffer.allocUnsafe(32);
  out.writeDoubleLE(m.flushedLsn, 0);
  out.writeDoubleLE(m.flushedSeq, 8);
  out.writeDoubleLE(m.nextKeyId, 16);
  out.writeDoubleLE(m.nextGen, 24);
  return out;
}

export function decodeFlushMeta(buf: Buffer | undefined): FlushMeta {
  if (buf === undefined) return initialFlushMeta;
  return { flushedLsn: buf.readDoubleLE(0), flushedSeq: buf.readDoubleLE(8), nextKeyId: buf.readDoubleLE(16), nextGen: buf.readDoubleLE(24) };
}
