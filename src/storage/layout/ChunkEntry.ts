/**
 * One row of the `chunks` table, keyed by the commit's first sequence: the commit's directory in
 * sequence order, so that a reader of several keys (or a prefix) can walk the log globally,
 * finding each run's records in the generation that holds them.
 *
 * ```
 *   u32 LE  records
 *   f64 LE  timeMs          commit time
 *   u32 LE  segmentId
 *   u32 LE  rowCount
 *   u32 LE  gen             the generation holding the commit's records
 *   rowCount x { f64 LE keyId, u32 LE firstSeqDelta }   run's first sequence = chunk's + delta
 * ```
 */
export interface ChunkRowRef {
  readonly keyId: number;
  readonly firstSeq: number;
}

export interface ChunkEntry {
  readonly firstSeq: number;
  readonly records: number;
  readonly timeMs: number;
  readonly segmentId: number;
  readonly gen: number;
  readonly rows: readonly ChunkRowRef[];
}

const fixedBytes = 24;
const rowBytes = 12;

export function encodeChunkEntry(entry: ChunkEntry): Buffer {
  const out = Buffer.allocUnsafe(fixedBytes + rowBytes * entry.rows.length);
  out.writeUInt32LE(entry.records, 0);
  out.writeDoubleLE(entry.timeMs, 4);
  out.writeUInt32LE(entry.segmentId, 12);
  out.writeUInt32LE(entry.rows.length, 16);
  out.writeUInt32LE(entry.gen, 20);
  let at = fixedBytes;
  for (const row of entry.rows) {
    out.writeDoubleLE(row.keyId, at);
    out.writeUInt32LE(row.firstSeq - entry.firstSeq, at + 8);
    at += rowBytes;
  }
  return out;
}

export function decodeChunkEntry(firstSeq: number, buf: Buffer): ChunkEntry {
  const rowCount = buf.readUInt32LE(16);
  const rows = new Array<ChunkRowRef>(rowCount);
  let at = fixedBytes;
  for (let i = 0; i < rowCount; i++) {
    rows[i] = { keyId: buf.readDoubleLE(at), firstSeq: firstSeq + buf.readUInt32LE(at + 8) };
    at += rowBytes;
  }
  return { firstSeq, records: buf.readUInt32LE(0), timeMs: buf.readDoubleLE(4), segmentId: buf.readUInt32LE(12), gen: buf.readUInt32LE(20), rows };
}
