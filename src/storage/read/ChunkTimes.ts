import type { Transaction } from 'lmdb';
import type { StorageTables } from '../env/StorageTables.js';
import { decodeChunkEntry } from '../layout/ChunkEntry.js';
import { chunkKey, readU64BE } from '../layout/StorageKeys.js';

/**
 * Finds where in the flushed log a time falls: commits' times never decrease along the sequence,
 * so the first commit at or after a time is found by bisecting the sequence space, a seek per step.
 */
export class ChunkTimes {
  constructor(private readonly tables: StorageTables) {}

  /** The first sequence below `end` whose commit time is at or after `timeMs`, if any. */
  firstAtOrAfter(timeMs: number, end: number, transaction: Transaction): number | undefined {
    let lo = 0;
    let hi = end;
    let found: number | undefined;
    // Invariant: every commit starting below `lo` is before timeMs; a commit at or after it starts below `hi` if at all.
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const chunk = this.chunkAtOrAfter(mid, hi, transaction);
      if (chunk === undefined) {
        hi = mid;
        continue;
      }
      if (chunk.timeMs >= timeMs) {
        found = chunk.firstSeq;
        hi = Math.min(mid, chunk.firstSeq);
        if (chunk.firstSeq <= lo) break;
      } else lo = chunk.firstSeq + chunk.records;
    }
    return found;
  }

  private chunkAtOrAfter(seq: number, end: number, transaction: Transaction): { firstSeq: number; records: number; timeMs: number } | undefined {
    for (const { key, value } of this.tables.chunks.getRange({ start: chunkKey(seq), end: chunkKey(end), limit: 1, transaction })) {
      const c = decodeChunkEntry(readU64BE(key, 0), value);
      return { firstSeq: c.firstSeq, records: c.records, timeMs: c.timeMs };
    }
    return undefined;
  }
}
