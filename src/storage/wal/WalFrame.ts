import { crc32 } from 'node:zlib';

/**
 * One frame of the write-ahead log: a commit, or a change of segment state, exactly as it will
 * be replayed. Frames follow one another in a WAL file; sequences run on from frame to frame
 * and from file to file.
 *
 * ```
 *   u32 LE  magic       0x574C444F ("ODLW")
 *   u32 LE  frameBytes  header + body
 *   u32 LE  crc32       of bytes [12, frameBytes)
 *   u32 LE  kind        1 commit, 2 seal, 3 trim
 *   f64 LE  fileNo      the WAL file the frame was written to: a frame left over in a recycled
 *                       file carries an older number and is never read as current
 *   f64 LE  lsn         the frame's number: 1, 2, 3, ... with no gap; LMDB records the last one
 *                       it holds, so replay knows exactly where to start (a seal has no records,
 *                       so a sequence alone could not say whether it was applied)
 *   f64 LE  startSeq    the first sequence of the frame (a seal or trim: the log's next sequence)
 *   ...     body        (CommitFrame, seal, trim)
 * ```
 * A frame is valid only if its magic, length, checksum and file number hold; recovery stops at
 * the first invalid one (a torn write), which is never an acknowledged one.
 */
export const frameMagic = 0x574c444f;
export const frameHeaderBytes = 40;

export const FrameKind = {
  Commit: 1,
  Seal: 2,
  Trim: 3,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Write the header fields known when the frame is built; fileNo and crc are set by `stampFrame`. */
export function writeFrameHeader(frame: Buffer, kind: FrameKind, lsn: number, startSeq: number): void {
  frame.writeUInt32LE(frameMagic, 0);
  frame.writeUInt32LE(frame.length, 4);
  frame.writeUInt32LE(0, 8);
  frame.writeUInt32LE(kind, 12);
  frame.writeDoubleLE(0, 16);
  frame.writeDoubleLE(lsn, 24);
  frame.writeDoubleLE(startSeq, 32);
}

/** Bind the frame to the file it goes into and checksum it (just before it is written). */
export function stampFrame(frame: Buffer, fileNo: number): void {
  frame.writeDoubleLE(fileNo, 16);
  frame.writeUInt32LE(crc32(frame.subarray(12)), 8);
}

export function frameKind(frame: Buffer): number {
  return frame.readUInt32LE(12);
}

export function frameLsn(frame: Buffer): number {
  return frame.readDoubleLE(24);
}

export function frameStartSeq(frame: Buffer): number {
  return frame.readDoubleLE(32);
}

/**
 * The length of the valid frame at `at` in `data` (a file's bytes), or 0 if there is none: the
 * end of what was written there, or a torn or foreign frame.
 */
export function validFrameLength(data: Buffer, at: number, fileNo: number): number {
  if (at + frameHeaderBytes > data.length) return 0;
  if (data.readUInt32LE(at) !== frameMagic) return 0;
  const length = data.readUInt32LE(at + 4);
  if (length < frameHeaderBytes || at + length > data.length) return 0;
  if (data.readDoubleLE(at + 16) !== fileNo) return 0;
  if (crc32(data.subarray(at + 12, at + length)) !== data.readUInt32LE(at + 8)) return 0;
  return length;
}
