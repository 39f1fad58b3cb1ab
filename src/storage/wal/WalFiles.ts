import { closeSync, constants, existsSync, fsyncSync, statSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, write, fdatasync, close } from 'node:fs';

/** An open WAL file. */
export interface WalHandle {
  /**
   * Write `data` at `position`. On a handle opened `durable`, the promise resolves only once the
   * bytes are on stable storage (O_DSYNC: one system call per write, no separate sync).
   */
  write(data: Buffer, position: number): Promise<void>;
  /** Make every write completed before this call durable (fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file operations the WAL needs, behind an interface so that a test can stand in a file
 * layer that forgets every write not covered by a completed sync (a simulated power cut).
 */
export interface WalFiles {
  /** Names of the files in `dir` (created if missing). */
  list(dir: string): string[];
  /** The file's whole content (recovery reads each file once, at open). */
  read(path: string): Buffer;
  /** The file's size in bytes (0 if it is missing). */
  size(path: string): number;
  /** Open for writing, creating the file if needed; `durable`: every write is synchronous to disk. */
  open(path: string, durable: boolean): WalHandle;
  rename(from: string, to: string): void;
  remove(path: string): void;
  /** Make creations, renames and removals in `dir` durable. */
  syncDir(dir: string): void;
}

class NodeWalHandle implements WalHandle {
  constructor(private readonly fd: number) {}

  write(data: Buffer, position: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (offset: number): void => {
        write(this.fd, data, offset, data.length - offset, position + offset, (error, written) => {
          if (error !== null) reject(error);
          else if (offset + written < data.length) step(offset + written);
          else resolve();
        });
      };
      step(0);
    });
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(this.fd, (error) => (error === null ? resolve() : reject(error))));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => close(this.fd, (error) => (error === null ? resolve() : reject(error))));
  }
}

/** The real file system (`node:fs`). */
export const nodeWalFiles: WalFiles = {
  list(dir) {
    mkdirSync(dir, { recursive: true });
    return readdirSync(dir);
  },
  read(path) {
    return readFileSync(path);
  },
  size(path) {
    return existsSync(path) ? statSync(path).size : 0;
  },
  open(path, durable) {
    const flags = constants.O_WRONLY | constants.O_CREAT | (durable ? constants.O_DSYNC : 0);
    return new NodeWalHandle(openSync(path, flags, 0o644));
  },
  rename(from, to) {
    renameSync(from, to);
  },
  remove(path) {
    rmSync(path, { force: true });
  },
  syncDir(dir) {
    // fsync on a directory descriptor makes its entries (creations, renames) durable. Rare: once
    // per new WAL file.
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
