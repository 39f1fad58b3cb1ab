import type { KeyDirectory } from '../KeyDirectory.js';
import { decodeChunkEntry } from '../layout/ChunkEntry.js';
import { chunkKey, readU64BE } from '../layout/StorageKeys.js';
import type { StreamRow } from '../layout/StreamRow.js';
import type { StreamStore } from '../StreamStore.js';
import type { StorageTables } from '../StorageEnvironment.js';
import type { LogEntry } from '../types.js';
import type { ReadPage } from './LogIterator.js';
import { withSnapshot } from './ReadSnapshot.js';

/** Which keys a global read follows. */
export type KeyPredicate = (key: Buffer) => boolean;

/** Commits looked at per page, so a read of a rare key cannot hold a snapshot for long. */
const chunksPerPageMax = 4096;

/**
 * Reads several keys (or a prefix) in global sequence order by walking the `chunks` directory:
 * each commit lists the (key, row) pairs it wrote, and only the rows of matching keys are read.
 */
export class GlobalReader {
  constructor(
    private readonly tables: StorageTables,
    private readonly directory: KeyDirectory,
    private readonly streams: StreamStore,
    /** Exclusive end of what readers may see: the writer's announced committed (or durable) frontier. */
    private readonly visibleLimit: () => number,
  ) {}

  readPage(matches: KeyPredicate, from: number, end: number, maxEntries: number, maxBytes: number): ReadPage {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const transaction = snapshot.transaction;
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      const entries: LogEntry[] = [];
      const drained: ReadPage = { entries, scannedTo: Math.max(from, visibleEnd), reachedEnd: true };
      if (from >= visibleEnd) return drained;
      let startKey = chunkKey(from);
      for (const key of this.tables.chunks.getKeys({ start: chunkKey(from), reverse: true, limit: 1, transaction })) {
        startKey = key as Buffer; // the commit holding `from` may start before it
      }
      let bytes = 0;
      let chunks = 0;
      // A key-clustered row can span many commits: keep each key's rows read so far in this page.
      const rowsRead = new Map<number, StreamRow[]>();
      const rowsOverlapping = (keyId: number, a: number, b: number): StreamRow[] => {
        const held = rowsRead.get(keyId);
        if (held !== undefined && held.length > 0 && held[0].firstSequence <= a && held[held.length - 1].lastSequence() >= b - 1) return held;
        const rows = [...this.streams.rowsFrom(keyId, a, b, transaction, snapshot.compactedTo)];
        rowsRead.set(keyId, rows);
        return rows;
      };
      for (const { key, value } of this.tables.chunks.getRange({ start: startKey, end: chunkKey(visibleEnd), transaction })) {
        const chunk = decodeChunkEntry(readU64BE(key, 0), value);
        const chunkEnd = chunk.firstSeq + chunk.records;
        if (chunkEnd <= from) continue;
        const found: LogEntry[] = [];
        for (const ref of chunk.rows) {
          const entryKey = this.directory.keyName(ref.keyId, transaction);
          if (entryKey === undefined || !matches(entryKey)) continue;
          // The run of this commit: in `recent`, or in key-clustered rows (possibly cut, possibly merged with other commits).
          const run = ref.firstSeq >= snapshot.compactedTo ? this.streams.recentRun(ref.firstSeq, transaction) : undefined;
          const low = Math.max(from, chunk.firstSeq);
          for (const row of run !== undefined ? [run] : rowsOverlapping(ref.keyId, low, chunkEnd)) {
            for (let i = row.lowerBound(low); i < row.count; i++) {
              const sequence = row.sequence(i);
              if (sequence >= chunkEnd) break;
              found.push({ key: entryKey, sequence, value: row.value(i) });
            }
          }
        }
        if (found.length > 1) found.sort((a, b) => a.sequence - b.sequence);
        for (const entry of found) {
          if (entry.sequence >= visibleEnd) return drained;
          entries.push(entry);
          bytes += entry.value.length;
          if (entries.length >= maxEntries || bytes >= maxBytes) return { entries, scannedTo: entry.sequence + 1, reachedEnd: false };
        }
        if (++chunks >= chunksPerPageMax) return { entries, scannedTo: Math.min(chunkEnd, visibleEnd), reachedEnd: false };
      }
      return drained;
    });
  }
}
