import type { Segment } from '../types.js';

/**
 * One row of the `segments` table, keyed by segment id (`segmentKey`).
 *
 * ```
 *   f64 LE  startSeq, startTimeMs, endSeq, lastAppendTimeMs, records, bytes
 *   u8      flags   (1 = sealed, 2 = being deleted by retention)
 * ```
 */
export interface SegmentRecord extends Segment {
  readonly deleting: boolean;
}

const SEALED = 1;
const DELETING = 2;

export function encodeSegmentRecord(s: SegmentRecord): Buffer {
  const out = Buffer.allocUnsafe(49);
  out.writeDoubleLE(s.startSeq, 0);
  out.writeDoubleLE(s.startTimeMs, 8);
  out.writeDoubleLE(s.endSeq, 16);
  out.writeDoubleLE(s.lastAppendTimeMs, 24);
  out.writeDoubleLE(s.records, 32);
  out.writeDoubleLE(s.bytes, 40);
  out.writeUInt8((s.sealed ? SEALED : 0) | (s.deleting ? DELETING : 0), 48);
  return out;
}

export function decodeSegmentRecord(id: number, buf: Buffer): SegmentRecord {
  const flags = buf.readUInt8(48);
  return {
    id,
    startSeq: buf.readDoubleLE(0),
    startTimeMs: buf.readDoubleLE(8),
    endSeq: buf.readDoubleLE(16),
    lastAppendTimeMs: buf.readDoubleLE(24),
    records: buf.readDoubleLE(32),
    bytes: buf.readDoubleLE(40),
    sealed: (flags & SEALED) !== 0,
    deleting: (flags & DELETING) !== 0,
  };
}
