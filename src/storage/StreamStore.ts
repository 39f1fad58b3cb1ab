import type { Transaction } from 'lmdb';
import { compactionKey, decodeCompactedTo, recentKey, recentKeyIdBytes } from './layout/RecentRow.js';
import { keyIdKey, streamRowFirstSeq, streamRowKey } from './layout/StorageKeys.js';
import { StreamRow } from './layout/StreamRow.js';
import { lastAtOrBefore, type RecentIndex } from './RecentIndex.js';
import type { StorageTables } from './StorageEnvironment.js';

/**
 * A key's stream across both tiers. `streams` holds rows clustered by key: runs big enough to be
 * written there directly, and merged runs of the recent tier below the compaction frontier.
 * `recent` holds the small runs at or above the frontier, found through the RecentIndex. A key's
 * rows and runs never overlap in sequence, so reading both in order of first sequence reads the
 * stream. Every method reads within one transaction and takes the frontier from it, so a read
 * never sees a run twice or misses one while compaction moves it.
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

  /** The key's row of `streams` holding `seq` (the last one starting at or before it). */
  streamRowAtOrBefore(keyId: number, seq: number, transaction?: Transaction): StreamRow | undefined {
    for (const { key, value } of this.tables.streams.getRange({ start: streamRowKey(keyId, seq), end: keyIdKey(keyId), reverse: true, limit: 1, ...(transaction ? { transaction } : {}) })) {
      return new StreamRow(value, streamRowFirstSeq(key));
    }
    return undefined;
  }

  /** The key's last recent run starting at or before `seq` (at or above the frontier), if any. */
  private recentRunAtOrBefore(keyId: number, seq: number, transaction: Transaction | undefined, compactedTo: number): StreamRow | undefined {
    const runs = this.recent.runsOf(keyId);
    if (runs === undefined) return undefined;
    for (let i = lastAtOrBefore(runs, seq); i >= 0 && runs[i] >= compactedTo; i--) {
      const run = this.recentRun(runs[i], transaction);
      if (run !== undefined) return run;
    }
    return undefined;
  }

  /** The key's row or run holding `seq`: whichever of the two tiers has the later start at or before it. */
  rowAtOrBefore(keyId: number, seq: number, transaction: Transaction | undefined, compactedTo: number): StreamRow | undefined {
    const a = this.streamRowAtOrBefore(keyId, seq, transaction);
    const b = this.recentRunAtOrBefore(keyId, seq, transaction, compactedTo);
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a.firstSequence > b.firstSequence ? a : b;
  }

  /** The key's newest row or run. */
  lastRow(keyId: number, transaction?: Transaction): StreamRow | undefined {
    return this.rowAtOrBefore(keyId, Number.MAX_SAFE_INTEGER, transaction, this.compactedTo(transaction));
  }

  /**
   * The key's rows and runs that hold sequences at or after `from` and start before `end`, in
   * sequence order, from both tiers.
   */
  *rowsFrom(keyId: number, from: number, end: number, transaction: Transaction, compactedTo: number): Generator<StreamRow> {
    const first = this.streamRowAtOrBefore(keyId, from, transaction);
    const rows = this.tables.streams.getRange({ start: streamRowKey(keyId, first?.firstSequence ?? from), end: streamRowKey(keyId, end), transaction })[Symbol.iterator]();
    const nextRow = (): StreamRow | undefined => {
      const r = rows.next();
      return r.done ? undefined : new StreamRow(r.value.value, streamRowFirstSeq(r.value.key));
    };
    const runs = this.recent.runsOf(keyId) ?? [];
    let i = Math.max(0, lastAtOrBefore(runs, from));
    const nextRun = (): StreamRow | undefined => {
      for (; i < runs.length && runs[i] < end; i++) {
        if (runs[i] < compactedTo) continue;
        const run = this.recentRun(runs[i], transaction);
        if (run !== undefined) {
          i++;
          return run;
        }
      }
      return undefined;
    };
    let row = nextRow();
    let run = nextRun();
    while (row !== undefined || run !== undefined) {
      if (run === undefined || (row !== undefined && row.firstSequence < run.firstSequence)) {
        yield row as StreamRow;
        row = nextRow();
      } else {
        yield run;
        run = nextRun();
      }
    }
  }

  /** Entries of the key with sequence < `seq`, counted from the first entry ever appended. */
  rank(keyId: number, seq: number, transaction: Transaction, compactedTo: number): number {
    if (seq > 0) {
      const row = this.rowAtOrBefore(keyId, seq - 1, transaction, compactedTo);
      if (row !== undefined) return row.countBefore + row.lowerBound(seq);
    }
    // Nothing starts before seq: everything that remains is at or after it.
    const first = this.rowsFrom(keyId, 0, Number.MAX_SAFE_INTEGER, transaction, compactedTo).next();
    return first.done ? 0 : first.value.countBefore;
  }
}
