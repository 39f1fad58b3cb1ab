import { writeU64BE } from './StorageKeys.js';

/**
 * The `recent` table: every commit writes its per-key runs here, keyed by each run's first
 * sequence, so a commit's rows land together at the right edge of one B-tree (sequential writes)
 * instead of one page per key. The compactor later merges them into key-clustered `streams` rows.
 *
 * ```
 *   key:    u64 BE  the run's first sequence
 *   value:  f64 LE  key id
 *           ...     the run, as a StreamRow
 * ```
 */
export const recentKeyIdBytes = 8;

export function recentKey(firstSeq: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeU64BE(out, 0, firstSeq);
  return out;
}

/** The `meta` row holding the compaction frontier: runs below it are in `streams`, at or above it in `recent`. */
export const compactionKey = Buffer.from('compaction');

export function encodeCompactedTo(seq: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeDoubleLE(seq, 0);
  return out;
}

export function decodeCompactedTo(raw: Buffer | undefined): number {
  return raw === undefined ? 0 : raw.readDoubleLE(0);
}
