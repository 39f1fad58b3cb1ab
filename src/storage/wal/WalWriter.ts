import { join } from 'node:path';
import { assert } from '../errors.js';
import { stampFrame } from './WalFrame.js';
import type { WalFiles, WalHandle } from './WalFiles.js';
import { isSpareFile, spareFileName, spareNo, walFileName } from './WalNames.js';

export interface WalWriterOptions {
  /** Every write is durable when it resolves (O_DSYNC); otherwise `sync()` makes them so. */
  readonly durable: boolean;
  /** A file is closed and the next one begun once a frame would take it past this. */
  readonly fileBytesMax: number;
  /** Emptied files kept to be written over again. */
  readonly sparesMax: number;
}

/** A WAL file that holds frames the memtable or a flush may still need. */
export interface WalFileState {
  readonly fileNo: number;
  /** Number of the last frame in it (so far); 0 if none. */
  lastLsn: number;
}

interface OpenFile extends WalFileState {
  readonly handle: WalHandle;
  position: number;
  /** Writes issued and not yet completed. */
  writes: Set<Promise<void>>;
}

/**
 * Appends frames to the WAL. Positions are taken in call order, so frames land in the order
 * they were built; each write is one `write` system call (with O_DSYNC when durable: one
 * synchronous disk write, no separate fsync). A new file is begun whenever the current one is
 * full, and a file is given back (kept as a spare or removed) once every frame in it is in LMDB.
 */
export class WalWriter {
  private current: OpenFile;
  private readonly retained: WalFileState[];
  private readonly spares: string[];
  private nextSpare: number;
  private closed = false;
  /** Full files still being finished (their last writes completing, synced if not durable, closed). */
  private readonly finishing = new Set<Promise<void>>();

  constructor(
    private readonly files: WalFiles,
    private readonly dir: string,
    private readonly options: WalWriterOptions,
    /** Files from before this writer (recovered), oldest first; the new file follows them. */
    retained: readonly WalFileState[],
    nextFileNo: number,
  ) {
    this.retained = [...retained];
    const names = files.list(dir);
    this.spares = names.filter(isSpareFile);
    this.nextSpare = Math.max(0, ...this.spares.map((n) => (spareNo(n) ?? 0) + 1));
    this.current = this.begin(nextFileNo);
  }

  /** The file being written. */
  get fileNo(): number {
    return this.current.fileNo;
  }

  /**
   * Write frame number `lsn`. Resolves once it is written (and durable, with a durable writer).
   * Frames must be appended in number order.
   */
  append(frame: Buffer, lsn: number): Promise<void> {
    assert(!this.closed, 'no append after the WAL is closed');
    if (this.current.position > 0 && this.current.position + frame.length > this.options.fileBytesMax) this.rotate();
    const file = this.current;
    stampFrame(frame, file.fileNo);
    const position = file.position;
    file.position += frame.length;
    assert(lsn > file.lastLsn, 'WAL frames are appended in number order');
    file.lastLsn = lsn;
    const write = file.handle.write(frame, position);
    file.writes.add(write);
    const settled = (): void => void file.writes.delete(write);
    write.then(settled, settled);
    return write;
  }

  /** Make every frame appended before this call durable (a no-op beyond waiting with a durable writer). */
  async sync(): Promise<void> {
    const file = this.current;
    await Promise.all([...file.writes, ...this.finishing]);
    if (!this.options.durable) await file.handle.sync();
  }

  /** Give back every full file whose frames are all in LMDB (numbered `flushedLsn` or below). */
  release(flushedLsn: number): void {
    while (this.retained.length > 0 && this.retained[0].lastLsn <= flushedLsn) {
      const file = this.retained.shift() as WalFileState;
      const name = walFileName(file.fileNo);
      if (this.spares.length < this.options.sparesMax) {
        const spare = spareFileName(this.nextSpare++);
        this.files.rename(join(this.dir, name), join(this.dir, spare));
        this.spares.push(spare);
      } else this.files.remove(join(this.dir, name));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.finishing);
    await this.finish(this.current);
  }

  /** Files written and not yet given back, oldest first (for tests and stats). */
  get filesRetained(): number {
    return this.retained.length + 1;
  }

  private rotate(): void {
    const full = this.current;
    this.retained.push(full);
    this.current = this.begin(full.fileNo + 1);
    // The full file's last writes may still be under way; close it once they are done (and, for a
    // non-durable writer, synced: `sync()` only covers the current file).
    const finished = this.finish(full);
    this.finishing.add(finished);
    const settled = (): void => void this.finishing.delete(finished);
    finished.then(settled, settled);
  }

  private async finish(file: OpenFile): Promise<void> {
    await Promise.allSettled(file.writes);
    if (!this.options.durable) await file.handle.sync();
    await file.handle.close();
  }

  /** Begin file `fileNo`: a spare written over, or a new file; its name is durable before any frame goes in. */
  private begin(fileNo: number): OpenFile {
    const path = join(this.dir, walFileName(fileNo));
    const spare = this.spares.shift();
    if (spare !== undefined) this.files.rename(join(this.dir, spare), path);
    const handle = this.files.open(path, this.options.durable);
    this.files.syncDir(this.dir);
    return { fileNo, lastLsn: 0, handle, position: 0, writes: new Set() };
  }
}
