import type { Transaction } from 'lmdb';
import { decodeHead, headKey } from '../layout/HeadRecord.js';
import type { StorageTables } from '../StorageEnvironment.js';
import type { ReadVisibility } from '../types.js';

/**
 * A read transaction and the frontier visible in it. Every read that reports a resume point
 * takes its data and its frontier from one snapshot, so the frontier never runs ahead of data
 * the read did not see.
 */
export class ReadSnapshot {
  readonly transaction: Transaction;
  /** Exclusive end of what a reader may see: the committed head, or the durable one. */
  readonly visibleEnd: number;

  constructor(tables: StorageTables, visibility: ReadVisibility, durableSequence: number) {
    this.transaction = tables.root.useReadTransaction();
    const raw = tables.meta.getBinary(headKey, { transaction: this.transaction }) as Buffer;
    const committed = decodeHead(raw).nextSequence;
    this.visibleEnd = visibility === 'durable' ? Math.min(committed, durableSequence) : committed;
  }

  done(): void {
    this.transaction.done();
  }
}

/** Read inside a fresh snapshot and always release it. */
export function withSnapshot<T>(tables: StorageTables, visibility: ReadVisibility, durableSequence: number, read: (snapshot: ReadSnapshot) => T): T {
  const snapshot = new ReadSnapshot(tables, visibility, durableSequence);
  try {
    return read(snapshot);
  } finally {
    snapshot.done();
  }
}
