import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { StorageError } from '../../../src/index.js';
import { commitBodyBytes, sealFrameBytes, writeSealBody } from '../../../src/storage/wal/CommitFrame.js';
import { FrameKind, frameHeaderBytes, stampFrame, writeFrameHeader } from '../../../src/storage/wal/WalFrame.js';
import { nodeWalFiles } from '../../../src/storage/wal/WalFiles.js';
import { walFileName } from '../../../src/storage/wal/WalNames.js';
import { recoverWal } from '../../../src/storage/wal/WalRecovery.js';
import { TempDirs } from '../../support/TempDirs.js';

/** A commit frame with `records` records and no runs (recovery reads only its header and counts). */
function commitFrame(lsn: number, startSeq: number, records: number, fileNo: number): Buffer {
  const frame = Buffer.alloc(frameHeaderBytes + commitBodyBytes);
  writeFrameHeader(frame, FrameKind.Commit, lsn, startSeq);
  frame.writeDoubleLE(1_700_000_000_000, frameHeaderBytes);
  frame.writeUInt32LE(records, frameHeaderBytes + 8);
  stampFrame(frame, fileNo);
  return frame;
}

function sealFrame(lsn: number, seq: number, fileNo: number): Buffer {
  const frame = Buffer.alloc(sealFrameBytes);
  writeFrameHeader(frame, FrameKind.Seal, lsn, seq);
  writeSealBody(frame, 0, 1_700_000_000_000);
  stampFrame(frame, fileNo);
  return frame;
}

describe('WAL recovery', () => {
  const dirs = new TempDirs();
  afterEach(() => dirs.cleanup());

  function walDir(files: Record<number, Buffer[]>): string {
    const dir = join(dirs.make('odlog-wal'), 'wal');
    mkdirSync(dir);
    for (const [fileNo, frames] of Object.entries(files)) writeFileSync(join(dir, walFileName(Number(fileNo))), Buffer.concat(frames));
    return dir;
  }

  it('reads the frames after those LMDB holds, across files, in order', () => {
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1), commitFrame(2, 10, 5, 1)], 2: [sealFrame(3, 15, 2), commitFrame(4, 15, 1, 2)] });
    const wal = recoverWal(nodeWalFiles, dir, 1, 10);
    expect(wal.frames.map((f) => f.readDoubleLE(24))).to.deep.equal([2, 3, 4]);
    expect(wal.lastLsn).to.equal(4);
    expect(wal.endSeq).to.equal(16);
    expect(wal.files.map((f) => [f.fileNo, f.lastLsn])).to.deep.equal([[1, 2], [2, 4]]);
    expect(wal.nextFileNo).to.equal(3);
  });

  it('ends a file at a torn frame (its checksum fails) and ignores what follows it there', () => {
    const torn = commitFrame(3, 15, 2, 1);
    torn[torn.length - 1] ^= 0xff;
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1), commitFrame(2, 10, 5, 1), torn, commitFrame(4, 17, 1, 1)] });
    const wal = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(wal.lastLsn).to.equal(2);
    expect(wal.endSeq).to.equal(15);
  });

  it('ends a file at a frame cut short (written partly when the power went)', () => {
    const whole = commitFrame(2, 10, 5, 1);
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1), whole.subarray(0, whole.length - 7)] });
    const wal = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(wal.lastLsn).to.equal(1);
    expect(wal.endSeq).to.equal(10);
  });

  it('never reads a frame left over in a recycled file (it carries the file number it was written to)', () => {
    // File 2 was recycled from an old file: its first bytes are a valid frame of file 7.
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1)], 2: [commitFrame(2, 10, 5, 7)] });
    const wal = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(wal.lastLsn).to.equal(1);
    expect(wal.endSeq).to.equal(10);
  });

  it('continues in the next file after a torn frame: a writer that restarted after a crash began a new file', () => {
    const torn = commitFrame(2, 10, 5, 1);
    torn.writeUInt32LE(0, 8); // a wrong checksum
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1), torn], 2: [commitFrame(2, 10, 3, 2)] });
    const wal = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(wal.lastLsn).to.equal(2);
    expect(wal.endSeq).to.equal(13);
  });

  it('refuses a log with a gap in frame numbers or sequences (files lost or altered), naming the file', () => {
    const dir = walDir({ 1: [commitFrame(1, 0, 10, 1)], 3: [commitFrame(3, 20, 1, 3)] });
    expect(() => recoverWal(nodeWalFiles, dir, 0, 0))
      .to.throw(StorageError)
      .with.property('message')
      .that.matches(/wal-0+3\.log holds frame 3 at sequence 20 where frame 2 at sequence 10 was expected/);
    const seqGap = walDir({ 1: [commitFrame(1, 0, 10, 1), commitFrame(2, 11, 1, 1)] });
    expect(() => recoverWal(nodeWalFiles, seqGap, 0, 0)).to.throw(StorageError);
  });

  it('starts numbering at 1 in an empty directory', () => {
    const wal = recoverWal(nodeWalFiles, walDir({}), 0, 0);
    expect(wal).to.deep.include({ lastLsn: 0, endSeq: 0, nextFileNo: 1, bytes: 0 });
    expect(wal.frames).to.have.length(0);
  });
});
