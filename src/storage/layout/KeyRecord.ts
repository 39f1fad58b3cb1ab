/**
 * One row of the `keys` table, keyed by the key's code (KeyCode): the key's id and its state as
 * of the last flush, rewritten by every flush that holds records of the key. The writer loads it
 * when it meets a key it does not hold in memory; readers start a key's generation chain here.
 *
 * ```
 *   f64 LE  keyId
 *   f64 LE  count        entries ever appended to the key (the next entry's offset)
 *   f64 LE  lastSeq      the key's last sequence, -1 if none
 *   f64 LE  trimSeq      entries of the key below this sequence are deleted (trim, delete)
 *   u32 LE  latestGen    the newest generation holding records of the key (noGen: none)
 *   u32 LE  listedIn     the newest segment whose listing holds the key (noSegment: none)
 * ```
 */
export interface KeyRecord {
  readonly keyId: number;
  readonly count: number;
  readonly lastSeq: number;
  readonly trimSeq: number;
  readonly latestGen: number;
  readonly listedIn: number;
}

export const noGen = 0xffff_ffff;
export const noSegment = 0xffff_ffff;
const recordBytes = 40;

export function encodeKeyRecord(r: KeyRecord): Buffer {
  const out = Buffer.allocUnsafe(recordBytes);
  out.writeDoubleLE(r.keyId, 0);
  out.writeDoubleLE(r.count, 8);
  out.writeDoubleLE(r.lastSeq, 16);
  out.writeDoubleLE(r.trimSeq, 24);
  out.writeUInt32LE(r.latestGen, 32);
  out.writeUInt32LE(r.listedIn, 36);
  return out;
}

export function decodeKeyRecord(buf: Buffer): KeyRecord {
  return {
    keyId: buf.readDoubleLE(0),
    count: buf.readDoubleLE(8),
    lastSeq: buf.readDoubleLE(16),
    trimSeq: buf.readDoubleLE(24),
    latestGen: buf.readUInt32LE(32),
    listedIn: buf.readUInt32LE(36),
  };
}
