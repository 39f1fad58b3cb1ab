import { limits } from '../../limits.js';
import { decodeChunkEntry } from '../layout/ChunkEntry.js';
import { decodeGenRow } from '../layout/GenRow.js';
import { chunkKey, genKeyPrefix, genRowFirstSeq, genRowKey, readU64BE } from '../layout/StorageKeys.js';
import { StreamRow } from '../layout/StreamRow.js';
import type { Memtable } from '../memtable/Memtable.js';
import type { VisibleTrims } from '../memtable/VisibleTrims.js';
import type { StorageTables } from '../env/StorageTables.js';
import type { LogEntry } from '../types.js';
import { CommitFrame } from '../wal/CommitFrame.js';
import { FrameKind } from '../wal/WalFrame.js';
import type { KeyNames } from './KeyNames.js';
import type { ReadPage } from './LogIterator.js';
import { withSnapshot, type ReadSnapshot } from './ReadSnapshot.js';

/** Rows of one key read for a page, and the sequence below which they hold every record of the key in their generation. */
interface HeldRows {
  readonly gen: number;
  readonly rows: StreamRow[];
  readonly coveredTo: number;
}

/** Which keys a global read follows. */
export type KeyPredicate = (key: Buffer) => boolean;


/** A page being filled: entries in sequence order up to its bounds. */
class PageFill {
  readonly entries: LogEntry[] = [];
  private bytes = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  /** Add a commit's matching entries (sorted here); returns the page if it is full. */
  add(found: LogEntry[], visibleEnd: number): ReadPage | 'drained' | undefined {
    if (found.length > 1) found.sort((a, b) => a.sequence - b.sequence);
    for (const entry of found) {
      if (entry.sequence >= visibleEnd) return 'drained';
      this.entries.push(entry);
      this.bytes += entry.value.length;
      if (this.entries.length >= this.maxEntries || this.bytes >= this.maxBytes) return { entries: this.entries, scannedTo: entry.sequence + 1, reachedEnd: false };
    }
    return undefined;
  }
}

/**
 * Reads several keys (or a prefix) in global sequence order: in LMDB by walking the `chunks`
 * directory (each commit lists the runs it wrote, by key id, and the generation holding them),
 * reading only the rows of matching keys; then the memtable's frames, whose runs name their keys.
 */
export class GlobalReader {
  constructor(
    private readonly tables: StorageTables,
    private readonly names: KeyNames,
    private readonly memtable: Memtable,
    /** Trims readers see that LMDB does not hold yet (a flushed trim has erased the rows it removes). */
    private readonly trims: VisibleTrims,
    /** Exclusive end of what readers may see (the writer's visible frontier). */
    private readonly visibleLimit: () => number,
  ) {}

  /** Where a key's records start for readers while a trim of it is not flushed yet. */
  private trimmedBelow(key: Buffer): number {
    return this.trims.size === 0 ? 0 : (this.trims.get(key.toString('latin1'))?.trimSeq ?? 0);
  }

  readPage(matches: (key: Buffer) => boolean, from: number, end: number, maxEntries: number, maxBytes: number): ReadPage {
    return withSnapshot(this.tables, this.visibleLimit(), (snapshot) => {
      const visibleEnd = Math.min(end, snapshot.visibleEnd);
      const drained: ReadPage = { entries: [], scannedTo: Math.max(from, visibleEnd), reachedEnd: true };
      if (from >= visibleEnd) return drained;
      const page = new PageFill(maxEntries, maxBytes);
      const done = (outcome: ReadPage | 'drained' | undefined): ReadPage | undefined =>
        outcome === undefined ? undefined : outcome === 'drained' ? { ...drained, entries: page.entries } : outcome;
      if (from < snapshot.flushedSeq) {
        const fromLmdb = this.readFlushed(matches, from, visibleEnd, snapshot, page);
        if (fromLmdb !== undefined) return done(fromLmdb) as ReadPage;
      }
      const fromMemtable = this.readMemtable(matches, Math.max(from, snapshot.flushedSeq), visibleEnd, page);
      return done(fromMemtable) ?? { ...drained, entries: page.entries };
    });
  }

  private readFlushed(matches: (key: Buffer) => boolean, from: number, visibleEnd: number, snapshot: ReadSnapshot, page: PageFill): ReadPage | 'drained' | undefined {
    const transaction = snapshot.transaction;
    const lmdbEnd = Math.min(visibleEnd, snapshot.flushedSeq);
    let startKey = chunkKey(from);
    for (const key of this.tables.chunks.getKeys({ start: chunkKey(from), reverse: true, limit: 1, transaction })) startKey = key as Buffer; // the commit holding `from` may start before it
    // A generation row can span many commits: keep the rows read so far in this page, per key.
    const rowsRead = new Map<number, HeldRows>();
    let chunks = 0;
    for (const { key, value } of this.tables.chunks.getRange({ start: startKey, end: chunkKey(lmdbEnd), transaction })) {
      const chunk = decodeChunkEntry(readU64BE(key, 0), value);
      const chunkEnd = chunk.firstSeq + chunk.records;
      if (chunkEnd <= from) continue;
      const low = Math.max(from, chunk.firstSeq);
      const found: LogEntry[] = [];
      for (const ref of chunk.rows) {
        const entryKey = this.names.name(ref.keyId, transaction);
        if (entryKey === undefined || !matches(entryKey)) continue;
        let held = rowsRead.get(ref.keyId);
        if (held === undefined || held.gen !== chunk.gen || held.rows.length === 0 || held.rows[0].firstSequence > ref.firstSeq || held.coveredTo < chunkEnd) {
          held = this.rowsFrom(chunk.gen, ref.keyId, ref.firstSeq, chunkEnd, transaction);
          rowsRead.set(ref.keyId, held);
        }
        const keyLow = Math.max(low, this.trimmedBelow(entryKey));
        for (const row of held.rows) {
          for (let i = row.lowerBound(keyLow); i < row.count; i++) {
            if (row.sequence(i) >= chunkEnd) break;
            found.push(row.entry(entryKey, i));
          }
        }
      }
      const outcome = page.add(found, lmdbEnd);
      if (outcome !== undefined) return outcome;
      if (++chunks >= limits.globalScanCommitsPerPageMax) return { entries: page.entries, scannedTo: Math.min(chunkEnd, visibleEnd), reachedEnd: false };
    }
    return undefined;
  }

  /** The key's rows in `gen` from the one holding `seq` up to the first starting at or after `until`. */
  private rowsFrom(gen: number, keyId: number, seq: number, until: number, transaction: ReadSnapshot['transaction']): HeldRows {
    const rows: StreamRow[] = [];
    let start: Buffer = genRowKey(gen, keyId, seq);
    for (const key of this.tables.streams.getKeys({ start, end: genKeyPrefix(gen, keyId), reverse: true, limit: 1, transaction })) start = key as Buffer;
    for (const { key, value } of this.tables.streams.getRange({ start, end: genKeyPrefix(gen, keyId + 1), transaction })) {
      const firstSeq = genRowFirstSeq(key);
      if (firstSeq >= until) return { gen, rows, coveredTo: firstSeq };
      rows.push(decodeGenRow(value, firstSeq));
    }
    return { gen, rows, coveredTo: Number.POSITIVE_INFINITY };
  }

  private readMemtable(matches: (key: Buffer) => boolean, from: number, visibleEnd: number, page: PageFill): ReadPage | 'drained' | undefined {
    const first = this.memtable.firstFrameIndexFrom(from);
    for (let i = first; ; i++) {
      const frame = this.memtable.frameByIndex(i);
      if (frame === undefined || frame.startSeq >= visibleEnd) return 'drained';
      if (frame.kind !== FrameKind.Commit || frame.endSeq <= from) continue;
      const found: LogEntry[] = [];
      for (const run of new CommitFrame(frame.frame).runs()) {
        if (!matches(run.key)) continue;
        // Copied: the memtable's memory is reused once a flush let go of it.
        const key = Buffer.from(run.key);
        const row = new StreamRow(Buffer.from(run.row.buffer), run.firstSeq);
        for (let r = row.lowerBound(Math.max(from, this.trimmedBelow(key))); r < row.count; r++) found.push(row.entry(key, r));
      }
      const outcome = page.add(found, visibleEnd);
      if (outcome !== undefined) return outcome;
    }
  }
}
