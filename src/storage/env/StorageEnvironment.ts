import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';
import { IncompatibleFormatError, StorageError } from './errors.js';
import { DataDirectoryLock } from './DataDirectoryLock.js';
import { encodeHead, formatKey, headKey } from './layout/HeadRecord.js';

/** On-disk format of this build. A directory written by any other version is refused. */
export const formatVersion = 3;
const formatMagic = 'odlog';

/** A table with binary keys and values. lmdb-js takes a read transaction on binary gets too; its typings omit it. */
export type BinaryDb = Database<Buffer, Buffer> & {
  getBinary(id: Buffer, options?: { transaction?: Transaction }): Buffer | undefined;
  getBinaryFast(id: Buffer, options?: { transaction?: Transaction }): Buffer | undefined;
};

/** The LMDB environment of one log and its tables (layout in docs/storage.md). */
export interface StorageTables {
  readonly root: RootDatabase<Buffer, Buffer>;
  /** (key id, first seq) -> StreamRow: compacted records, clustered by key. */
  readonly streams: BinaryDb;
  /** run's first seq -> key id + StreamRow: what commits wrote since the last compaction. */
  readonly recent: BinaryDb;
  /** first seq of a commit -> ChunkEntry: the log in global order. */
  readonly chunks: BinaryDb;
  /** segment id -> SegmentRecord. */
  readonly segments: BinaryDb;
  /** (segment id, key code) -> ListingEntry. */
  readonly listings: BinaryDb;
  /** key code -> key id (f64 LE). */
  readonly keys: BinaryDb;
  /** key id -> key bytes. */
  readonly keyNames: BinaryDb;
  /** 'head' (versioned) and 'format'. */
  readonly meta: BinaryDb;
  /** cursor name -> cursor record. */
  readonly cursors: BinaryDb;
  /** producer id -> ProducerRecord (idempotency window). */
  readonly producers: BinaryDb;
}

export interface EnvironmentOptions {
  readonly path: string;
}

/** An open environment: its tables, its lock, and the version of its last commit. */
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
      const file = join(dir, 'log.mdb');
      const existed = existsSync(file);
      if (existed) checkLmdbMagic(file, dir);
      const root = open<Buffer, Buffer>({
        path: file,
        noSubdir: true,
        maxDbs: 16,
        separateFlushed: true,
        overlappingSync: true,
        // Commits are explicit atomic batches (ifVersion); letting lmdb-js close a transaction only at
        // the end of an event turn would hold every commit hostage to the busiest turn of the broker.
        eventTurnBatching: false,
        keyEncoding: 'binary',
        encoding: 'binary',
      });
      const db = (name: string, versions = false): BinaryDb =>
        root.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary', useVersions: versions }) as BinaryDb;
      const tables: StorageTables = {
        root,
        streams: db('streams'),
        recent: db('recent'),
        chunks: db('chunks'),
        segments: db('segments'),
        listings: db('listings'),
        keys: db('keys'),
        keyNames: db('key-names'),
        meta: db('meta', true),
        cursors: db('cursors'),
        producers: db('producers'),
      };
      checkOrInitFormat(tables, dir, existed);
      return new StorageEnvironment(tables, lock, dir);
    } catch (error) {
      lock.release();
      if (error instanceof IncompatibleFormatError || error instanceof StorageError) throw error;
      throw new StorageError(`cannot open the log in ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Version of the `head` row, i.e. the number of the last landed commit. */
  headVersion(): number {
    const entry = this.tables.meta.getEntry(headKey);
    return entry?.version ?? 0;
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
      tables.meta.putSync(headKey, encodeHead({ nextSequence: 0, nextKeyId: 1 }), 0);
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
  if (format.version !== formatVersion) {
    throw new IncompatibleFormatError(
      `${dir} was written by odlog storage format ${format.version}; this odlog reads format ${formatVersion} only. ` +
        `Use the odlog release that wrote it, or start with a new data directory`,
    );
  }
}

const tableNames = new Set(['streams', 'recent', 'chunks', 'segments', 'listings', 'keys', 'key-names', 'meta', 'cursors', 'producers']);

/** A crash between creating the tables and writing the format leaves only our table names. */
function hasForeignRow(tables: StorageTables): boolean {
  for (const key of tables.root.getKeys({ limit: 64 })) {
    if (!tableNames.has(Buffer.from(key as Uint8Array).toString('latin1'))) return true;
  }
  return false;
}
