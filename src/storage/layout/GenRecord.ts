/**
 * One row of the `gens` table, keyed by generation id (u32 BE): a flush's worth of records of
 * one segment, clustered by key in `streams` under (gen, key id, first sequence).
 *
 * ```
 *   f64 LE  startSeq     the generation covers sequences [startSeq, endSeq)
 *   f64 LE  endSeq
 *   u32 LE  segmentId
 *   u32 LE  keys         distinct keys (rows, before cutting)
 *   f64 LE  records
 * ```
 */
export interface GenRecord {
  readonly id: number;
  readonly startSeq: number;
  readonly endSeq: number;
  readonly segmentId: number;
  readonly keys: number;
  readonly records: number;
}

export function encodeGenRecord(g: GenRecord): Buffer {
  const out = Buffer.allocUnsafe(32);
  out.writeDoubleLE(g.startSeq, 0);
  out.writeDoubleLE(g.endSeq, 8);
  out.writeUInt32LE(g.segmentId, 16);
  out.writeUInt32LE(g.keys, 20);
  out.writeDoubleLE(g.records, 24);
  return out;
}

export function decodeGenRecord(id: number, buf: Buffer): GenRecord {
  return { id, startSeq: buf.readDoubleLE(0), endSeq: buf.readDoubleLE(8), segmentId: buf.readUInt32LE(16), keys: buf.readUInt32LE(20), records: buf.readDoubleLE(24) };
}
