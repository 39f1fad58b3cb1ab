import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { LogDb } from '../../storage/index.js';
import { BrokerError } from '../BrokerError.js';
import type { Logger } from '../Logger.js';

/** LMDB's lock file for a data file `F` is `F-lock` (noSubdir environments). */
const lmdbLockSuffix = '-lock';

/** The directory of a data directory where the broker writes the copies it streams. */
export function backupTmpDir(dataDir: string): string {
  return join(dataDir, 'backup-tmp');
}

/** What BackupBegin answers. */
export interface BackupCopy {
  readonly backupId: number;
  readonly fileName: string;
  readonly bytes: number;
  readonly sequence: number;
}

export interface BackupSessionOptions {
  /** Copies that may exist at once (the ones being written count). */
  readonly backupsMax: number;
  /** A copy neither read nor ended for this long is deleted. */
  readonly idleTimeoutMs: number;
}

interface Session {
  readonly id: number;
  readonly owner: object;
  readonly dir: string;
  /** Set once the copy is written (before that, the session only holds its place). */
  copy?: BackupCopy;
  file?: FileHandle;
  idleTimer?: NodeJS.Timeout;
  /** Its owner went away or it idled out while the copy was still being written. */
  cancelled: boolean;
}

/**
 * The copies BackupBegin makes for streamed backups: each in `<dataDir>/backup-tmp/<id>`, owned
 * by the connection that began it, and deleted when that connection ends it (BackupEnd) or
 * closes, after `idleTimeoutMs` without a read, or at the next broker start (whatever a crash left).
 * At most `backupsMax` exist at once, so the disk a forgotten backup can hold is bounded.
 *
 * A copy is removed only once LMDB has finished writing it: a session cancelled meanwhile is
 * removed when its copy completes.
 */
export class BackupSessions {
  private readonly sessions = new Map<number, Session>();
  private nextId = 1;

  constructor(
    private readonly log: LogDb,
    private readonly tmpDir: string,
    private readonly options: BackupSessionOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Delete what earlier runs left in `tmpDir` (a broker killed mid-backup). Call with the data
   * directory's lock held (after the log is open), so no other broker's copy is in it.
   */
  static removeLeftovers(tmpDir: string, logger: Logger): void {
    let names: string[];
    try {
      names = readdirSync(tmpDir);
    } catch {
      return; // no directory: nothing left over
    }
    for (const name of names) rmSync(join(tmpDir, name), { recursive: true, force: true });
    if (names.length > 0) logger.info('backup_leftovers_removed', { dir: tmpDir, copies: names.length });
  }

  /** Copies that exist now (being written or waiting to be read). */
  get size(): number {
    return this.sessions.size;
  }

  /** Write a consistent copy of the log for `owner`; LIMIT_EXCEEDED when backupsMax exist. */
  async begin(owner: object): Promise<BackupCopy> {
    if (this.sessions.size >= this.options.backupsMax) {
      throw new BrokerError(ErrorCode.LimitExceeded, `${this.sessions.size} backups are under way already (backupsMax ${this.options.backupsMax}); retry once one has ended`);
    }
    const id = this.nextId++;
    const session: Session = { id, owner, dir: join(this.tmpDir, String(id)), cancelled: false };
    this.sessions.set(id, session);
    try {
      mkdirSync(this.tmpDir, { recursive: true });
      const { bytes, sequence } = await this.log.backup(session.dir);
      // LogDb.backup writes the one LMDB file a data directory holds, and reading the copy's
      // end back leaves LMDB's lock file beside it, which any open recreates. Anything else is a
      // change in storage that streaming one file would silently drop.
      const all = readdirSync(session.dir);
      const names = all.filter((name) => !name.endsWith(lmdbLockSuffix));
      if (names.length !== 1) throw new Error(`a backup copy holds ${names.length} data files (${all.join(', ')}); streaming expects exactly one`);
      if (session.cancelled) throw new BrokerError(ErrorCode.NotFound, 'the backup was cancelled while its copy was written');
      session.file = await open(join(session.dir, names[0]), 'r');
      session.copy = { backupId: id, fileName: names[0], bytes, sequence };
      this.touch(session);
      this.logger.info('backup_copy_written', { backupId: id, bytes, sequence });
      return session.copy;
    } catch (error) {
      await this.remove(session);
      throw error;
    }
  }

  /** Up to `maxBytes` of the copy from `offset` (empty at or past its end). */
  async read(owner: object, id: number, offset: number, maxBytes: number): Promise<Buffer> {
    const session = this.owned(owner, id);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new BrokerError(ErrorCode.InvalidRequest, `a backup read's offset is ≥ 0, got ${offset}`);
    const copy = session.copy as BackupCopy;
    const length = Math.max(0, Math.min(maxBytes, copy.bytes - offset));
    if (length === 0) return Buffer.alloc(0);
    this.touch(session);
    const chunk = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await (session.file as FileHandle).read(chunk, filled, length - filled, offset + filled);
      if (bytesRead === 0) throw new Error(`backup copy ${id} ended at ${offset + filled} bytes, before its ${copy.bytes}`);
      filled += bytesRead;
    }
    return chunk;
  }

  /** Delete a copy (BackupEnd). */
  async end(owner: object, id: number): Promise<void> {
    await this.remove(this.owned(owner, id));
  }

  /** Delete the copies of a connection that closed (those still being written, once written). */
  release(owner: object): void {
    for (const session of this.sessions.values()) if (session.owner === owner) this.cancel(session, 'connection_closed');
  }

  /** Delete every copy (broker shutdown). */
  async closeAll(): Promise<void> {
    for (const session of this.sessions.values()) if (session.copy === undefined) session.cancelled = true;
    await Promise.all([...this.sessions.values()].filter((s) => s.copy !== undefined).map((s) => this.remove(s)));
  }

  private owned(owner: object, id: number): Session {
    const session = this.sessions.get(id);
    // Another connection's copy is not named to this one: it cannot tell it exists.
    if (session === undefined || session.owner !== owner || session.copy === undefined) {
      throw new BrokerError(ErrorCode.NotFound, `no backup ${id} on this connection (a backup ends with BackupEnd, its connection, or ${this.options.idleTimeoutMs} ms unread); begin another`);
    }
    return session;
  }

  private touch(session: Session): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => this.cancel(session, 'idle'), this.options.idleTimeoutMs);
    session.idleTimer.unref();
  }

  private cancel(session: Session, reason: string): void {
    if (session.copy === undefined) {
      session.cancelled = true; // begin() removes it once LMDB is done writing
      return;
    }
    this.logger.info('backup_removed', { backupId: session.id, reason });
    void this.remove(session).catch((error: unknown) => this.logger.error('backup_remove_failed', { backupId: session.id, error: (error as Error).message }));
  }

  private async remove(session: Session): Promise<void> {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    clearTimeout(session.idleTimer);
    const file = session.file;
    session.file = undefined;
    try {
      await file?.close();
    } finally {
      rmSync(session.dir, { recursive: true, force: true });
    }
  }
}
