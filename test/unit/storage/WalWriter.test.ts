import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { commitBodyBytes } from '../../../src/storage/wal/CommitFrame.js';
import { FrameKind, frameHeaderBytes, writeFrameHeader } from '../../../src/storage/wal/WalFrame.js';
import { nodeWalFiles, type WalFiles, type WalHandle } from '../../../src/storage/wal/WalFiles.js';
import { walFileName } from '../../../src/storage/wal/WalNames.js';
import { recoverWal } from '../../../src/storage/wal/WalRecovery.js';
import { WalWriter } from '../../../src/storage/wal/WalWriter.js';
import { PassThroughWalFiles } from '../../support/PassThroughWalFiles.js';
import { TempDirs } from '../../support/TempDirs.js';

const KiB = 1024;
const zeroAhead = { aheadBytes: 64 * KiB, chunkBytes: 16 * KiB, frameBytesMax: 4 * KiB };

/** A commit frame of `bytes` bytes holding one record (recovery reads only its header and counts). */
function commitFrame(lsn: number, bytes: number): Buffer {
  const frame = Buffer.alloc(Math.max(bytes, frameHeaderBytes + commitBodyBytes));
  writeFrameHeader(frame, FrameKind.Commit, lsn, lsn - 1);
  frame.writeDoubleLE(1_700_000_000_000, frameHeaderBytes);
  frame.writeUInt32LE(1, frameHeaderBytes + 8);
  return frame;
}

/** The real file layer, except that writes of zeros wait until `release()` (a slow zeroing). */
class HeldZerosFiles extends PassThroughWalFiles {
  private held: (() => void)[] = [];
  zeroWrites = 0;
  frameWrites = 0;
  open(path: string, durable: boolean): WalHandle {
    const inner = nodeWalFiles.open(path, durable);
    return {
      write: async (data, position) => {
        if (data.every((b) => b === 0)) {
          this.zeroWrites++;
          await new Promise<void>((resolve) => this.held.push(resolve));
        } else this.frameWrites++;
        await inner.write(data, position);
      },
      sync: () => inner.sync(),
      close: () => inner.close(),
    };
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

describe('WalWriter zeroing ahead', () => {
  const dirs = new TempDirs();
  afterEach(() => dirs.cleanup());

  function writer(files: WalFiles, dir: string): WalWriter {
    return new WalWriter(files, dir, { durable: true, fileBytesMax: 1024 * KiB, sparesMax: 0, zeroAhead }, [], 1);
  }

  it('keeps zeros written ahead of small frames, and recovery reads the frames and stops at the zeros', async () => {
    const dir = join(dirs.make('odlog-wal'), 'wal');
    const wal = writer(nodeWalFiles, dir);
    let written = 0;
    for (let lsn = 1; lsn <= 40; lsn++) {
      const frame = commitFrame(lsn, 1000);
      written += frame.length;
      await wal.append(frame, lsn);
    }
    await wal.sync();
    await wal.close();
    const size = statSync(join(dir, walFileName(1))).size;
    expect(size, 'zeros ahead of the last frame').to.be.greaterThan(written);
    expect(size).to.be.at.most(written + zeroAhead.aheadBytes + zeroAhead.chunkBytes);
    const recovered = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(recovered.lastLsn).to.equal(40);
    expect(recovered.bytes).to.equal(written);
  });

  it('writes no zeros for frames over frameBytesMax', async () => {
    const dir = join(dirs.make('odlog-wal'), 'wal');
    const wal = writer(nodeWalFiles, dir);
    let written = 0;
    for (let lsn = 1; lsn <= 5; lsn++) {
      const frame = commitFrame(lsn, 8 * KiB);
      written += frame.length;
      await wal.append(frame, lsn);
    }
    await wal.close();
    expect(statSync(join(dir, walFileName(1))).size).to.equal(written);
  });

  it('never lets zeros land on a frame: a frame reaching into zeros still being written waits for them', async () => {
    const dir = join(dirs.make('odlog-wal'), 'wal');
    const files = new HeldZerosFiles();
    const wal = writer(files, dir);
    // The first frame starts zeroing [1000, 1000 + chunk); the frames after it reach into that range.
    const appends: Promise<void>[] = [];
    for (let lsn = 1; lsn <= 30; lsn++) appends.push(wal.append(commitFrame(lsn, 1000), lsn));
    await appends[0];
    expect(files.zeroWrites).to.equal(1);
    expect(files.frameWrites, 'only the frame before the zeros is handed to the file while they are held').to.equal(1);
    files.release();
    await Promise.all(appends);
    files.release(); // the zeroing that followed
    await wal.close();
    const recovered = recoverWal(nodeWalFiles, dir, 0, 0);
    expect(recovered.lastLsn).to.equal(30);
  });
});
