import type { KeyDirectory } from '../KeyDirectory.js';
import { encodeKeyCode } from '../KeyCode.js';
import { keyIdKey, streamRowFirstSeq, streamRowKey } from '../layout/StorageKeys.js';
import { StreamRow } from '../layout/StreamRow.js';
import type { StorageTables } from '../StorageEnvironment.js';
import type { LogEntry, ReadVisibility } from '../types.js';
import type { ReadPage } from './LogIterator.js';
import { withSnapshot, type ReadSnapshot } from './ReadSnapshot.js';

/** Reads one key's stream: pages of entries for `scan`, and exact counts from the rows' running counts. */
export class KeyStreamReader {
  constructor(
    private readonly tables: StorageTables,
    private readonly directory: KeyDirectory,
    private readonly visibility: ReadVisibility,
    private readonly durableSequence: () => number,
  ) {}

  /** Entries of `key` in `[from, end)`, stopping after `maxEntries` entries or `maxBytes` value bytes. */
  readPage(key: Buffer, from: number, end: number, maxEntries: number, maxBytes: number): ReadPage {
    return withSnapshot(this.tables, this.visibility, this.durableSequence(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      const entries: LogEntry[] = [];
      const drained: ReadPage = { entries, scannedTo: Math.max(from, visibleEnd), reachedEnd: true };
      if (from >= visibleEnd) return drained;
      const keyId = this.directory.keyIdOf(encodeKeyCode(key), snapshot.transaction);
      if (keyId === undefined) return drained;
      const first = this.rowAtOrBefore(keyId, from, snapshot);
      let bytes = 0;
      for (const { key: rowKey, value } of this.tables.streams.getRange({
        start: streamRowKey(keyId, first ?? from),
        end: streamRowKey(keyId, visibleEnd),
        transaction: snapshot.transaction,
      })) {
        const row = new StreamRow(value, streamRowFirstSeq(rowKey));
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

  /** Exact number of entries of `key` in `[start, end)`: two seeks, no values read. */
  count(key: Buffer, start: number, end: number): number {
    return withSnapshot(this.tables, this.visibility, this.durableSequence(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      if (start >= visibleEnd) return 0;
      const keyId = this.directory.keyIdOf(encodeKeyCode(key), snapshot.transaction);
      if (keyId === undefined) return 0;
      return this.rank(keyId, visibleEnd, snapshot) - this.rank(keyId, start, snapshot);
    });
  }

  /** Entries of the key with sequence < `seq`, counted from the first entry ever appended. */
  private rank(keyId: number, seq: number, snapshot: ReadSnapshot): number {
    if (seq > 0) {
      for (const { key, value } of this.tables.streams.getRange({
        start: streamRowKey(keyId, seq - 1),
        end: keyIdKey(keyId),
        reverse: true,
        limit: 1,
        transaction: snapshot.transaction,
      })) {
        const row = new StreamRow(value, streamRowFirstSeq(key));
        return row.countBefore + row.lowerBound(seq);
      }
    }
    // No row starts before seq: everything that remains is at or after it.
    for (const { value } of this.tables.streams.getRange({ start: keyIdKey(keyId), end: streamRowKey(keyId, Number.MAX_SAFE_INTEGER), limit: 1, transaction: snapshot.transaction })) {
      return new StreamRow(value, 0).countBefore;
    }
    return 0;
  }

  /** First sequence of the row holding `seq` (the last row starting at or before it). */
  private rowAtOrBefore(keyId: number, seq: number, snapshot: ReadSnapshot): number | undefined {
    for (const key of this.tables.streams.getKeys({ start: streamRowKey(keyId, seq), end: keyIdKey(keyId), reverse: true, limit: 1, transaction: snapshot.transaction })) {
      return streamRowFirstSeq(key as Buffer);
    }
    return undefined;
  }
}
