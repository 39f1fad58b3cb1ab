/**
 * One row of the `chunks` table, keyed by the commit's first sequence: the commit's directory in
 * sequence order, so that a reader of several keys (or a prefix) can walk the log globally,
 * finding each run's records in the generation that holds them.
 *
 * ```
 *   u32 LE  records
 *   f64 LE  timeMs          commit time
 *   u32 LE  segmentId
 *   u32 LE  rowCount        bit 31 (from storage format 5): rows are varints
 *   u32 LE  gen             the generation holding the commit's records
 *   rowCount x { f64 LE keyId, u32 LE firstSeqDelta }   run's first sequence = chunk's + delta
 *     or, with bit 31: rowCount x { varint keyId, varint firstSeqDelta }
 * ```
 * Varints (LEB128: 7 bits a byte, low first) take a row from 12 bytes to about 5 at a million
 * keys, where a commit holds a run per record and the directory was 12 bytes of every record's ~190.
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
const fixedRowBytes = 12;
const varintRows = 0x8000_0000;
/** A key id (below 2^53) takes at most 8 varint bytes, a delta (below 2^32) 5. */
const varintRowBytesMax = 13;

export function encodeChunkEntry(entry: ChunkEntry): Buffer {
  const out = Buffer.allocUnsafe(fixedBytes + varintRowBytesMax * entry.rows.length);
  out.writeUInt32LE(entry.records, 0);
  out.writeDoubleLE(entry.timeMs, 4);
  out.writeUInt32LE(entry.segmentId, 12);
  out.writeUInt32LE((entry.rows.length | varintRows) >>> 0, 16);
  out.writeUInt32LE(entry.gen, 20);
  let at = fixedBytes;
  for (const row of entry.rows) {
    at = writeVarint(out, at, row.keyId);
    at = writeVarint(out, at, row.firstSeq - entry.firstSeq);
  }
  return out.subarray(0, at);
}

export function decodeChunkEntry(firstSeq: number, buf: Buffer): ChunkEntry {
  const countField = buf.readUInt32LE(16);
  const rowCount = countField & ~varintRows;
  const rows = new Array<ChunkRowRef>(rowCount);
  let at = fixedBytes;
  if ((countField & varintRows) !== 0) {
    const cursor = { at };
    for (let i = 0; i < rowCount; i++) {
      const keyId = readVarint(buf, cursor);
      rows[i] = { keyId, firstSeq: firstSeq + readVarint(buf, cursor) };
    }
  } else {
    for (let i = 0; i < rowCount; i++) {
      rows[i] = { keyId: buf.readDoubleLE(at), firstSeq: firstSeq + buf.readUInt32LE(at + 8) };
      at += fixedRowBytes;
    }
  }
  return { firstSeq, records: buf.readUInt32LE(0), timeMs: buf.readDoubleLE(4), segmentId: buf.readUInt32LE(12), gen: buf.readUInt32LE(20), rows };
}

/** Write `value` (a non-negative integer below 2^53) as a varint at `at`; returns the end. */
function writeVarint(out: Buffer, at: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    out[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[at++] = rest;
  return at;
}

function readVarint(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = buf[cursor.at++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
}
