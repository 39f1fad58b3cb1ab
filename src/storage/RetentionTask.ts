import { decodeListingEntry } from './layout/ListingEntry.js';
import { awaitWrite } from './LmdbWrite.js';
import { decodeSegmentRecord, encodeSegmentRecord, type SegmentRecord } from './layout/SegmentRecord.js';
import { chunkKey, listingKey, segmentKey, streamRowKey } from './layout/StorageKeys.js';
import type { StorageTables } from './StorageEnvironment.js';

export interface RetentionPolicy {
  /** Delete a sealed segment once its newest record is this old. */
  readonly retentionMs?: number;
  /** Delete the oldest sealed segments while the log holds more key + value bytes than this. */
  readonly retentionBytes?: number;
  /** How often to look for expired segments. */
  readonly checkIntervalMs?: number;
}

/**
 * Deletes whole sealed segments that retention expired: their stream rows, commit directory,
 * listings and record. Work is done in transactions of at most `rowsPerTxn` rows, each its own
 * commit, so appends interleave with a large deletion instead of waiting behind it. A segment is
 * first marked `deleting` (hidden from listSegments), so a crash mid-way resumes at the next run.
 * The newest segment is never deleted, so segment ids are never reused.
 */
export class RetentionTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly tables: StorageTables,
    private readonly policy: RetentionPolicy,
    private readonly rowsPerTxn: number,
    /** Compact the recent tier up to a sequence (rows must be in `streams` to be deleted). */
    private readonly compactBelow: (seq: number) => Promise<void>,
    private readonly onDeleted: (segmentId: number) => void,
  ) {}

  get enabled(): boolean {
    return this.policy.retentionMs !== undefined || this.policy.retentionBytes !== undefined;
  }

  start(): void {
    if (!this.enabled) return;
    const every = this.policy.checkIntervalMs ?? 60_000;
    this.timer = setInterval(() => {
      if (this.running === undefined) void this.run().catch(() => undefined);
    }, every);
    this.timer.unref();
  }

  /**
   * Run a pass that starts now: if one is under way, a fresh one follows it (the one under way
   * decided what to delete from an older segment list). Resolves with the segments deleted.
   */
  run(): Promise<number> {
    const previous = this.running;
    const next: Promise<number> = (previous ?? Promise.resolve(0))
      .catch(() => 0)
      .then(() => this.pass())
      .finally(() => {
        if (this.running === next) this.running = undefined;
      });
    this.running = next;
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<number> {
    const segments: SegmentRecord[] = [];
    for (const { key, value } of this.tables.segments.getRange({})) segments.push(decodeSegmentRecord(key.readUInt32BE(0), value));
    const doomed = this.expired(segments, Date.now());
    let deleted = 0;
    for (const segment of doomed) {
      if (this.stopped) break;
      await this.deleteSegment(segment);
      deleted++;
    }
    return deleted;
  }

  /** Segments to delete, oldest first. */
  expired(segments: readonly SegmentRecord[], nowMs: number): SegmentRecord[] {
    const { retentionMs, retentionBytes } = this.policy;
    const newest = segments[segments.length - 1];
    const doomed = new Set<SegmentRecord>();
    for (const s of segments) {
      if (s.deleting) doomed.add(s); // a deletion interrupted by a crash
      else if (retentionMs !== undefined && s.sealed && s !== newest && nowMs - s.lastAppendTimeMs >= retentionMs) doomed.add(s);
    }
    if (retentionBytes !== undefined) {
      let stored = 0;
      for (const s of segments) if (!doomed.has(s)) stored += s.bytes;
      for (const s of segments) {
        if (stored <= retentionBytes) break;
        if (doomed.has(s) || !s.sealed || s === newest) continue;
        doomed.add(s);
        stored -= s.bytes;
      }
    }
    return segments.filter((s) => doomed.has(s));
  }

  private async deleteSegment(segment: SegmentRecord): Promise<void> {
    const t = this.tables;
    // Rows are deleted whole, so the segment's runs must be in `streams` first.
    await this.compactBelow(segment.endSeq);
    if (!segment.deleting) await awaitWrite(t.segments.put(segmentKey(segment.id), encodeSegmentRecord({ ...segment, deleting: true })), 'marking a segment for deletion');
    const empty = Buffer.alloc(0);
    // Per key listed in the segment: its rows inside the segment, then the listing, a bounded transaction at a time.
    for (;;) {
      const listings: Buffer[] = [];
      const rows: Buffer[] = [];
      for (const { key, value } of t.listings.getRange({ start: listingKey(segment.id, empty), end: listingKey(segment.id + 1, empty) })) {
        const keyId = decodeListingEntry(value).keyId;
        const found = [...t.streams.getKeys({ start: streamRowKey(keyId, segment.startSeq), end: streamRowKey(keyId, segment.endSeq) })] as Buffer[];
        if (listings.length > 0 && rows.length + found.length > this.rowsPerTxn) break;
        rows.push(...found);
        listings.push(key);
      }
      if (listings.length === 0) break;
      await awaitWrite(
        t.root.batch(() => {
          for (const row of rows) t.streams.remove(row);
          for (const listing of listings) t.listings.remove(listing);
        }),
        'deleting an expired segment',
      );
      if (this.stopped) return;
    }
    // The commit directory of the segment.
    for (;;) {
      const chunks = [...t.chunks.getKeys({ start: chunkKey(segment.startSeq), end: chunkKey(segment.endSeq), limit: this.rowsPerTxn })] as Buffer[];
      if (chunks.length === 0) break;
      await awaitWrite(
        t.root.batch(() => {
          for (const chunk of chunks) t.chunks.remove(chunk);
        }),
        'deleting an expired segment',
      );
      if (this.stopped) return;
    }
    await awaitWrite(t.segments.remove(segmentKey(segment.id)), 'deleting an expired segment');
    this.onDeleted(segment.id);
  }
}
