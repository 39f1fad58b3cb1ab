import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { IncompatibleFormatError, StorageError } from '../errors.js';
import { DataDirectoryLock } from './DataDirectoryLock.js';
import { migrateKeyRecords } from './KeyRecordMigration.js';
import { openTables, tablesIn, type BinaryDb, type StorageTables } from './StorageTables.js';
import { decodeFlushMeta, encodeFlushMeta, formatKey, flushMetaKey, initialFlushMeta } from '../layout/FlushMeta.js';

/**
 * On-disk format of this build. Format 5 added single rows (StreamRow) and varint commit
 * directories (ChunkEntry) to format 4, each told apart by a flag; format 6 moves key states into
 * groups of sixteen (`key-states`) and key bytes into `key-names`. A format 4 or 5 directory is
 * migrated at open, in one transaction with the new format record (so an older odlog refuses it
 * from then on); any other version is refused.
 */
export const formatVersion = 6;
const migratableFormats: readonly number[] = [4, 5];
const formatMagic = 'odlog';

export interface EnvironmentOptions {
  readonly path: string;
}

/** The LMDB file of a data directory. */
export function lmdbFile(dir: string): string {
  return join(dir, 'log.mdb');
}

/** Where LMDB ends in a copy of an environment (a backup), read without taking it over. */
export function readCopyFlushedSeq(file: string): number {
  const copy = open<Buffer, Buffer>({ path: file, noSubdir: true, readOnly: true, maxDbs: 16, keyEncoding: 'binary', encoding: 'binary' });
  try {
    const meta = copy.openDB<Buffer, Buffer>({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' }) as BinaryDb;
    return decodeFlushMeta(meta.getBinary(flushMetaKey)).flushedSeq;
  } finally {
    void copy.close();
  }
}

/** An open environment: its tables and its lock. */
export class StorageEnvironment {
  private constructor(
    readonly tables: StorageTables,
    private readonly lock: DataDirectoryLock,
    readonly path: string,
  ) {}

  static open(options: EnvironmentOptions): StorageEnvironment {
    const dir = options.path;
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw new StorageError(
        `cannot use data directory ${dir}: ${(error as Error).message}; check that it exists and is readable and writable by this user`,
        { cause: error },
      );
    }
    const lock = DataDirectoryLock.acquire(dir);
    try {
      const file = lmdbFile(dir);
      const existed = existsSync(file);
      if (existed) checkLmdbMagic(file, dir);
      const tables = openTables(file);
      checkOrInitFormat(tables, dir, existed);
      return new StorageEnvironment(tables, lock, dir);
    } catch (error) {
      lock.release();
      if (error instanceof IncompatibleFormatError || error instanceof StorageError) throw error;
      throw new StorageError(`cannot open the log in ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    try {
      await this.tables.root.close();
    } finally {
      this.lock.release();
    }
  }
}

/** LMDB's meta page magic (u32 LE at offset 24 of page 0). */
const lmdbMagic = 0xbeefc0de;

/**
 * Opening a file that is not LMDB crashes the process inside the native library (SIGSEGV), so
 * anything that is not an empty file or an LMDB environment is refused here first.
 */
function checkLmdbMagic(file: string, dir: string): void {
  const head = Buffer.alloc(28);
  let read: number;
  const fd = openSync(file, 'r');
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === 0) return; // created but never written: LMDB initialises it
  if (read < head.length || head.readUInt32LE(24) !== lmdbMagic) {
    throw new IncompatibleFormatError(`${file} is not an LMDB file, so ${dir} is not an odlog data directory; point odlog at an empty or odlog directory`);
  }
}

interface FormatRecord {
  readonly magic: string;
  readonly version: number;
}

function checkOrInitFormat(tables: StorageTables, dir: string, existed: boolean): void {
  const raw = tables.meta.getBinary(formatKey);
  if (raw === undefined) {
    if (existed && hasForeignRow(tables)) {
      throw new IncompatibleFormatError(`${dir} holds an LMDB file that is not an odlog log; point odlog at an empty or odlog directory`);
    }
    const format: FormatRecord = { magic: formatMagic, version: formatVersion };
    tables.root.transactionSync(() => {
      tables.meta.putSync(formatKey, Buffer.from(JSON.stringify(format)));
      tables.meta.putSync(flushMetaKey, encodeFlushMeta(initialFlushMeta));
    });
    return;
  }
  let format: FormatRecord;
  try {
    format = JSON.parse(raw.toString('utf8')) as FormatRecord;
  } catch {
    throw new IncompatibleFormatError(`${dir} has an unreadable format record; it was not written by odlog`);
  }
  if (format.magic !== formatMagic) {
    throw new IncompatibleFormatError(`${dir} is not an odlog data directory`);
  }
  if (migratableFormats.includes(format.version)) {
    const migrated: FormatRecord = { magic: formatMagic, version: formatVersion };
    tables.root.transactionSync(() => {
      migrateKeyRecords(tables, tablesIn(tables.root));
      tables.meta.putSync(formatKey, Buffer.from(JSON.stringify(migrated)));
    });
  } else if (format.version !== formatVersion) {
    throw new IncompatibleFormatError(
      `${dir} was written by odlog storage format ${format.version}; this odlog reads format ${formatVersion} (and migrates format ${migratableFormats.join(', ')}) only. ` +
        `Use the odlog release that wrote it, or start with a new data directory`,
    );
  }
}

/** Table names of this format, and `keys` of formats 4 and 5 (a directory to migrate). */
const tableNames = new Set(['streams', 'gens', 'chunks', 'segments', 'listings', 'keys', 'key-states', 'key-names', 'key-ids', 'meta', 'cursors', 'producers', 'group-offsets']);

/** A crash between creating the tables and writing the format leaves only our table names. */
function hasForeignRow(tables: StorageTables): boolean {
  return tablesIn(tables.root, 64).some((name) => !tableNames.has(name));
}
