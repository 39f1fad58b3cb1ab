import type { Transaction } from 'lmdb';
import { compactionKey, decodeCompactedTo, recentKey, recentKeyIdBytes } from './layout/RecentRow.js';
import { keyIdKey, streamRowFirstSeq, streamRowKey } from './layout/StorageKeys.js';
import { StreamRow } from './layout/StreamRow.js';
import { lastAtOrBefore, type RecentIndex } from './RecentIndex.js';
import type { StorageTables } from './StorageEnvironment.js';

/**
 * A key's stream across both tiers: runs below the compaction frontier are merged rows in
 * `streams` (clustered by key), runs at or above it are in `recent` (one row per commit and key,
 * found through the RecentIndex). Every method reads within one transaction, and takes the
 * frontier from it, so a read never sees a run twice or misses one while compaction moves it.
 */
export class StreamStore {
  constructor(
    private readonly tables: StorageTables,
    private readonly recent: RecentIndex,
  ) {}

  compactedTo(transaction?: Transaction): number {
    return decodeCompactedTo(this.tables.meta.getBinary(compactionKey, transaction ? { transaction } : undefined));
  }

  /** The run of `recent` starting at `firstSeq`, if the transaction sees it. */
  recentRun(firstSeq: number, transaction?: Transaction): StreamRow | undefined {
    const raw = this.tables.recent.getBinary(recentKey(firstSeq), transaction ? { transaction } : undefined);
    return raw === undefined ? undefined : new StreamRow(raw.subarray(recentKeyIdBytes), firstSeq);
  }

  /** The key's newest row or run. */
  lastRow(keyId: number, transaction?: Transaction): StreamRow | undefined {
    const runs = this.recent.runsOf(keyId);
    for (let i = (runs?.length ?? 0) - 1; i >= 0; i--) {
      const run = this.recentRun((runs as readonly number[])[i], transaction);
      if (run !== undefined) return run;
    }
    return this.compactedRowAtOrBefore(keyId, Number.MAX_SAFE_INTEGER, transaction);
  }

  /** The merged row of `streams` holding `seq` (the last one starting at or before it). */
  compactedRowAtOrBefore(keyId: number, seq: number, transaction?: Transaction): StreamRow | undefined {
    for (const { key, value } of this.tables.streams.getRange({ start: streamRowKey(keyId, seq), end: keyIdKey(keyId), reverse: true, limit: 1, ...(transaction ? { transaction } : {}) })) {
      return new StreamRow(value, streamRowFirstSeq(key));
    }
    return undefined;
  }

  /**
   * The key's rows and runs that hold sequences at or after `from` and start before `end`, in
   * sequence order: compacted rows first, then recent runs.
   */
  *rowsFrom(keyId: number, from: number, end: number, transaction: Transaction, compactedTo: number): Generator<StreamRow> {
    if (from < compactedTo) {
      const first = this.compactedRowAtOrBefore(keyId, from, transaction);
      const start = streamRowKey(keyId, first?.firstSequence ?? from);
      for (const { key, value } of this.tables.streams.getRange({ start, end: streamRowKey(keyId, Math.min(end, compactedTo)), transaction })) {
        yield new StreamRow(value, streamRowFirstSeq(key));
      }
    }
    const runs = this.recent.runsOf(keyId);
    if (runs === undefined) return;
    for (let i = Math.max(0, lastAtOrBefore(runs, from)); i < runs.length && runs[i] < end; i++) {
      if (runs[i] < compactedTo) continue;
      const run = this.recentRun(runs[i], transaction);
      if (run !== undefined) yield run;
    }
  }

  /** Entries of the key with sequence < `seq`, counted from the first entry ever appended. */
  rank(keyId: number, seq: number, transaction: Transaction, compactedTo: number): number {
    const runs = this.recent.runsOf(keyId);
    if (runs !== undefined && seq > compactedTo) {
      for (let i = lastAtOrBefore(runs, seq - 1); i >= 0; i--) {
        if (runs[i] < compactedTo) break;
        const run = this.recentRun(runs[i], transaction);
        if (run !== undefined) return run.countBefore + run.lowerBound(seq);
      }
    }
    if (seq > 0) {
      const row = this.compactedRowAtOrBefore(keyId, seq - 1, transaction);
      if (row !== undefined) return row.countBefore + row.lowerBound(seq);
    }
    // Nothing starts before seq: everything that remains is at or after it.
    for (const { value } of this.tables.streams.getRange({ start: keyIdKey(keyId), end: streamRowKey(keyId, Number.MAX_SAFE_INTEGER), limit: 1, transaction })) {
      return new StreamRow(value, 0).countBefore;
    }
    if (runs !== undefined) {
      for (const firstSeq of runs) {
        const run = firstSeq >= compactedTo ? this.recentRun(firstSeq, transaction) : undefined;
        if (run !== undefined) return run.countBefore;
      }
    }
    return 0;
  }
}
