import type { StorageTables } from '../env/StorageTables.js';
import type { LogEntry } from '../types.js';
import type { KeyRef, KeyRows } from './KeyRows.js';
import type { ReadPage } from './LogIterator.js';
import { withSnapshot } from './ReadSnapshot.js';

/** Reads one key's stream: pages of entries for `scan`, and exact counts from the rows' running offsets. */
export class KeyStreamReader {
  constructor(
    private readonly tables: StorageTables,
    private readonly rows: KeyRows,
    /** Exclusive end of what readers may see (the writer's visible frontier). */
    private readonly visibleLimit: () => number,
  ) {}

  /** Entries of `key` in `[from, end)`, stopping after `maxEntries` entries or `maxBytes` value bytes. */
  readPage(ref: KeyRef, from: number, end: number, maxEntries: number, maxBytes: number): ReadPage {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      const entries: LogEntry[] = [];
      const drained: ReadPage = { entries, scannedTo: Math.max(from, visibleEnd), reachedEnd: true };
      if (from >= visibleEnd) return drained;
      let bytes = 0;
      const start = this.rows.start(ref, from, snapshot);
      for (const row of this.rows.rows(ref, start, visibleEnd, snapshot)) {
        for (let i = row.lowerBound(start); i < row.count; i++) {
          const sequence = row.sequence(i);
          if (sequence >= visibleEnd) return drained;
          const entry = row.entry(ref.key, i);
          entries.push(entry);
          bytes += entry.value.length;
          if (entries.length >= maxEntries || bytes >= maxBytes) return { entries, scannedTo: sequence + 1, reachedEnd: false };
        }
      }
      return drained;
    });
  }

  /** Exact number of entries of `key` in `[start, end)`: a few seeks per generation, no values read. */
  count(ref: KeyRef, start: number, end: number): number {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      if (start >= visibleEnd) return 0;
      const rank = (seq: number): number => this.rows.firstOffsetFrom(ref, seq, visibleEnd, snapshot) ?? this.rows.offsetEnd(ref, visibleEnd, snapshot);
      return rank(visibleEnd) - rank(start);
    });
  }
}
