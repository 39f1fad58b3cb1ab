import type { KeyDirectory } from '../KeyDirectory.js';
import { encodeKeyCode } from '../KeyCode.js';
import type { StorageTables } from '../StorageEnvironment.js';
import type { StreamStore } from '../StreamStore.js';
import type { LogEntry } from '../types.js';
import type { ReadPage } from './LogIterator.js';
import { withSnapshot } from './ReadSnapshot.js';

/** Reads one key's stream: pages of entries for `scan`, and exact counts from the rows' running counts. */
export class KeyStreamReader {
  constructor(
    private readonly tables: StorageTables,
    private readonly directory: KeyDirectory,
    private readonly streams: StreamStore,
    /** Exclusive end of what readers may see: the writer's announced committed (or durable) frontier. */
    private readonly visibleLimit: () => number,
  ) {}

  /** Entries of `key` in `[from, end)`, stopping after `maxEntries` entries or `maxBytes` value bytes. */
  readPage(key: Buffer, from: number, end: number, maxEntries: number, maxBytes: number): ReadPage {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      const entries: LogEntry[] = [];
      const drained: ReadPage = { entries, scannedTo: Math.max(from, visibleEnd), reachedEnd: true };
      if (from >= visibleEnd) return drained;
      const keyId = this.directory.keyIdOf(encodeKeyCode(key), snapshot.transaction);
      if (keyId === undefined) return drained;
      let bytes = 0;
      for (const row of this.streams.rowsFrom(keyId, from, visibleEnd, snapshot.transaction, snapshot.compactedTo)) {
        for (let i = row.lowerBound(from); i < row.count; i++) {
          const sequence = row.sequence(i);
          if (sequence >= visibleEnd) return drained;
          const entryValue = row.value(i);
          entries.push({ key, sequence, value: entryValue });
          bytes += entryValue.length;
          if (entries.length >= maxEntries || bytes >= maxBytes) return { entries, scannedTo: sequence + 1, reachedEnd: false };
        }
      }
      return drained;
    });
  }

  /** Exact number of entries of `key` in `[start, end)`: a few seeks, no values read. */
  count(key: Buffer, start: number, end: number): number {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      if (start >= visibleEnd) return 0;
      const keyId = this.directory.keyIdOf(encodeKeyCode(key), snapshot.transaction);
      if (keyId === undefined) return 0;
      const { transaction, compactedTo } = snapshot;
      return this.streams.rank(keyId, visibleEnd, transaction, compactedTo) - this.streams.rank(keyId, start, transaction, compactedTo);
    });
  }
}
