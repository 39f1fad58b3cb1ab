import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, StorageError } from '../errors.js';

/** Paths locked by this process, so a stale lock carrying our own (reused) pid is told apart. */
const heldHere = new Set<string>();

/**
 * Exclusive ownership of a data directory by one process. LMDB itself lets several processes
 * write one environment, but odlog keeps the head of the log in memory, so a second writer would
 * hand out sequences twice. A lock left by a killed process (its pid no longer alive) is taken over.
 */
export class DataDirectoryLock {
  private released = false;

  private constructor(private readonly file: string) {}

  static acquire(dir: string): DataDirectoryLock {
    // One spelling per directory (relative paths, symlinks), or this process could lock it twice.
    const file = join(realpathSync(dir), 'odlog.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        heldHere.add(file);
        return new DataDirectoryLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StorageError(`cannot create lock file ${file}: ${(error as Error).message}`, { cause: error });
        }
      }
      const holder = readHolder(file);
      if (holder !== undefined && isAlive(holder) && (holder !== process.pid || heldHere.has(file))) {
        throw new LockedError(
          `data directory ${dir} is in use by process ${holder}; stop that broker first, or use another --data-dir`,
        );
      }
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch {
        // another opener removed it first; try again
      }
    }
    throw new LockedError(`could not lock data directory ${dir}: another process keeps taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.file);
    try {
      unlinkSync(this.file);
    } catch {
      // already gone: nothing to release
    }
  }
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
