import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { CommitFrame } from './CommitFrame.js';
import { FrameKind, frameKind, frameLsn, frameStartSeq, validFrameLength } from './WalFrame.js';
import type { WalFiles } from './WalFiles.js';
import type { WalFileState } from './WalWriter.js';
import { walFileNo } from './WalNames.js';

/** What the WAL holds beyond LMDB. */
export interface RecoveredWal {
  /** Frames after `afterLsn`, in order (views into the files' bytes: copy what you keep). */
  readonly frames: Buffer[];
  /** The last frame number recovered (`afterLsn` if none). */
  readonly lastLsn: number;
  /** Exclusive end of the recovered sequence space. */
  readonly endSeq: number;
  /** Files holding frames, oldest first, with the number of the last frame in each. */
  readonly files: WalFileState[];
  /** The number the next file takes (always a new file: nothing is ever written after a torn frame). */
  readonly nextFileNo: number;
  /** Bytes of the frames replayed (the memtable they rebuild). */
  readonly bytes: number;
}

/**
 * Read the WAL after frame `afterLsn` (everything up to it is in LMDB, which ends the sequence
 * space at `fromSeq`): files in number order, each up to its first invalid frame (the end of what
 * was written, or a write torn by a crash). Frames after `afterLsn` must follow one another
 * without a gap in frame numbers or sequences, or the log is refused: an acknowledged frame is
 * never behind an invalid one (acknowledgements are given in order, and a new file is begun after
 * every recovery), so a gap means files were lost or altered.
 */
export function recoverWal(files: WalFiles, dir: string, afterLsn: number, fromSeq: number): RecoveredWal {
  const numbered = files
    .list(dir)
    .map((name) => ({ name, fileNo: walFileNo(name) }))
    .filter((f): f is { name: string; fileNo: number } => f.fileNo !== undefined)
    .sort((a, b) => a.fileNo - b.fileNo);
  const frames: Buffer[] = [];
  const states: WalFileState[] = [];
  let lsn = afterLsn;
  let seq = fromSeq;
  let bytes = 0;
  for (const { name, fileNo } of numbered) {
    const data = files.read(join(dir, name));
    let lastInFile = 0;
    for (let at = 0, length = validFrameLength(data, 0, fileNo); length > 0; at += length, length = validFrameLength(data, at, fileNo)) {
      const frame = data.subarray(at, at + length);
      const frameNo = frameLsn(frame);
      const start = frameStartSeq(frame);
      const end = frameKind(frame) === FrameKind.Commit ? new CommitFrame(frame).endSeq : start;
      lastInFile = Math.max(lastInFile, frameNo);
      if (frameNo <= afterLsn) continue;
      if (frameNo !== lsn + 1 || start !== seq) {
        throw new StorageError(
          `the write-ahead log in ${dir} has a gap: ${name} holds frame ${frameNo} at sequence ${start} where frame ${lsn + 1} at sequence ${seq} ` +
            'was expected; files of the log were lost or altered, so it cannot be opened safely',
        );
      }
      frames.push(frame);
      bytes += length;
      lsn = frameNo;
      seq = end;
    }
    states.push({ fileNo, lastLsn: lastInFile });
  }
  const last = numbered[numbered.length - 1];
  return { frames, lastLsn: lsn, endSeq: seq, files: states, nextFileNo: last === undefined ? 1 : last.fileNo + 1, bytes };
}
