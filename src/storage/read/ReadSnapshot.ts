import type { Transaction } from 'lmdb';
import { decodeHead, headKey } from '../layout/HeadRecord.js';
import { compactionKey, decodeCompactedTo } from '../layout/RecentRow.js';
import type { StorageTables } from '../StorageEnvironment.js';

/**
 * A read transaction and the frontier visible in it. Every read that reports a resume point
 * takes its data and its frontier from one snapshot, so the frontier never runs ahead of data
 * the read did not see. The frontier is also capped by what the writer has announced as visible
 * (`visibleLimit`): lmdb-js may renew a read transaction after LMDB committed but before the
 * writer learned it, and the recent tier's index only lists announced commits.
 */
export class ReadSnapshot {
  readonly transaction: Transaction;
  /** Exclusive end of what a reader may see: the committed head, or the durable one. */
  readonly visibleEnd: number;
  /** The compaction frontier in this snapshot (see StreamStore). */
  readonly compactedTo: number;

  constructor(tables: StorageTables, visibleLimit: number) {
    this.transaction = tables.root.useReadTransaction();
    const raw = tables.meta.getBinary(headKey, { transaction: this.transaction }) as Buffer;
    this.visibleEnd = Math.min(decodeHead(raw).nextSequence, visibleLimit);
    this.compactedTo = decodeCompactedTo(tables.meta.getBinary(compactionKey, { transaction: this.transaction }));
  }

  done(): void {
    this.transaction.done();
  }
}

/** Read inside a fresh snapshot and always release it. */
export function withSnapshot<T>(tables: StorageTables, visibleLimit: number, read: (snapshot: ReadSnapshot) => T): T {
  const snapshot = new ReadSnapshot(tables, visibleLimit);
  try {
    return read(snapshot);
  } finally {
    snapshot.done();
  }
}
