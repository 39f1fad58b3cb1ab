import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';
import { assert } from '../errors.js';

/** A table with binary keys and values. lmdb-js takes a read transaction on binary gets too; its typings omit it. */
export type BinaryDb = Database<Buffer, Buffer> & {
  getBinary(id: Buffer, options?: { transaction?: Transaction }): Buffer | undefined;
  getBinaryFast(id: Buffer, options?: { transaction?: Transaction }): Buffer | undefined;
};

/** MDB_APPEND: lmdb-js's put takes options in this place; its typings name only a version. */
const appendOption = { append: true } as unknown as number;

/**
 * Put a row whose key is above every key of its table, inside a write transaction: MDB_APPEND
 * fills pages whole and skips the search. LMDB refuses a key out of order, and lmdb-js reports
 * that only as a put whose result is false, the row silently not written: this throws instead,
 * so the transaction (a flush) fails and is retried rather than committing without the row.
 */
export function appendRow(db: BinaryDb, key: Buffer, value: Buffer): void {
  const put = db.put(key, value, appendOption) as unknown as { readonly result?: boolean };
  assert(put.result !== false, `a row appended to an LMDB table is above every key in it (key ${key.toString('hex')})`);
}

/** The LMDB environment of one log and its tables (layout in docs/storage.md). */
export interface StorageTables {
  readonly root: RootDatabase<Buffer, Buffer>;
  /** (generation, key id, first seq) -> GenRow: a flush's records, clustered by key. */
  readonly streams: BinaryDb;
  /** generation -> GenRecord. */
  readonly gens: BinaryDb;
  /** first seq of a commit -> ChunkEntry: the log in global order. */
  readonly chunks: BinaryDb;
  /** segment id -> SegmentRecord. */
  readonly segments: BinaryDb;
  /** (segment id, key code) -> ListingEntry. */
  readonly listings: BinaryDb;
  /** key id / 16 -> the states of sixteen keys as of the last flush (KeyRecord). */
  readonly keyStates: BinaryDb;
  /** key id -> the key's bytes. */
  readonly keyNames: BinaryDb;
  /** key code -> key id (f64 LE): a key found by its bytes. */
  readonly keyIds: BinaryDb;
  /** 'format' and 'flush' (FlushMeta). */
  readonly meta: BinaryDb;
  /** cursor name -> cursor record. */
  readonly cursors: BinaryDb;
  /** producer id -> ProducerRecord (idempotency window). */
  readonly producers: BinaryDb;
  /** (group, key) -> committed offset of a consumer group (GroupOffsetStore). */
  readonly groupOffsets: BinaryDb;
}

/**
 * Open the environment's tables (in this thread: the flush worker opens the same environment,
 * which lmdb-js shares between the threads of a process). Commits are durable when they resolve:
 * LMDB syncs its data and then its meta page, so a crash of the process or of the machine leaves
 * the last completed commit.
 */
export function openTables(file: string): StorageTables {
  const root = open<Buffer, Buffer>({
    path: file,
    noSubdir: true,
    maxDbs: 16,
    overlappingSync: false,
    // A flush is one explicit transaction; batching puts of an event turn would only add waiting.
    eventTurnBatching: false,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  const db = (name: string): BinaryDb => root.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' }) as BinaryDb;
  return {
    root,
    streams: db('streams'),
    gens: db('gens'),
    chunks: db('chunks'),
    segments: db('segments'),
    listings: db('listings'),
    keyStates: db('key-states'),
    keyNames: db('key-names'),
    keyIds: db('key-ids'),
    meta: db('meta'),
    cursors: db('cursors'),
    producers: db('producers'),
    groupOffsets: db('group-offsets'),
  };
}

/** Names of the tables of an environment: the rows of its root table (lmdb-js ends each with a NUL). */
export function tablesIn(root: RootDatabase<Buffer, Buffer>, limit?: number): string[] {
  return [...root.getKeys({ limit })].map((key) => Buffer.from(key as Uint8Array).toString('latin1').replace(/\0$/, ''));
}
