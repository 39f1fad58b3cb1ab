import type { Transaction } from 'lmdb';
import type { StorageTables } from '../env/StorageTables.js';
import { decodeFlushMeta, flushMetaKey } from '../layout/FlushMeta.js';

/**
 * A read transaction and where LMDB ends in it. Every read takes its data and its frontiers from
 * one snapshot and reads the memtable in the same synchronous call: LMDB holds `[0, flushedSeq)`
 * and the memtable everything after, and the memtable lets go of frames only after a flush is
 * visible to new snapshots, so a read never misses a record nor sees one twice.
 */
export class ReadSnapshot {
  readonly transaction: Transaction;
  /** Exclusive end of what LMDB holds in this snapshot. */
  readonly flushedSeq: number;
  /** Exclusive end of what a reader may see: the writer's visible frontier when the read began. */
  readonly visibleEnd: number;

  constructor(tables: StorageTables, visibleLimit: number) {
    this.transaction = tables.root.useReadTransaction();
    this.flushedSeq = decodeFlushMeta(tables.meta.getBinary(flushMetaKey, { transaction: this.transaction })).flushedSeq;
    this.visibleEnd = visibleLimit;
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
