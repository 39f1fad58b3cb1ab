import type { Clock, ClockTimer } from './Clock.js';
import { awaitWrite } from './env/LmdbWrite.js';
import type { StorageTables } from './env/StorageTables.js';
import { decodeGenRecord } from './layout/GenRecord.js';
import { encodeSegmentRecord, type SegmentRecord } from './layout/SegmentRecord.js';
import { chunkKey, genKey, listingKey, segmentKey } from './layout/StorageKeys.js';
import type { SegmentTable } from './SegmentTable.js';

export interface RetentionPolicy {
  /** Delete a sealed segment once its newest record is this old. */
  readonly retentionMs?: number;
  /** Delete the oldest sealed segments while the log holds more key + value bytes than this. */
  readonly retentionBytes?: number;
  /** How often to look for expired segments. */
  readonly checkIntervalMs?: number;
}

/**
 * Deletes whole sealed segments that retention expired: their generations' rows, commit
 * directory, listings and record. Work is done in transactions of at most `rowsPerTxn` rows, each
 * its own commit, so flushes interleave with a large deletion instead of waiting behind it. A
 * segment is first marked `deleting` (hidden from listSegments), so a crash mid-way resumes at the
 * next run. The newest segment is never deleted, so segment ids are never reused.
 */
export class RetentionTask {
  private timer: ClockTimer | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly tables: StorageTables,
    private readonly segments: SegmentTable,
    private readonly policy: RetentionPolicy,
    private readonly rowsPerTxn: number,
    /** Flush the memtable up to a sequence (a segment is deleted from LMDB, so it must be all there). */
    private readonly flushBelow: (seq: number) => Promise<void>,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.policy.retentionMs !== undefined || this.policy.retentionBytes !== undefined;
  }

  start(): void {
    if (!this.enabled) return;
    const every = this.policy.checkIntervalMs ?? 60_000;
    const tick = (): void => {
      if (this.stopped) return;
      if (this.running === undefined) void this.run().catch(() => undefined);
      this.timer = this.clock.setTimeout(tick, every);
    };
    this.timer = this.clock.setTimeout(tick, every);
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
    this.clock.clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<number> {
    const doomed = this.expired(this.segments.all(), this.clock.now());
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
    // The segment is deleted from LMDB, so all of it must be there first.
    await this.flushBelow(segment.endSeq);
    if (!segment.deleting) {
      await awaitWrite(t.segments.put(segmentKey(segment.id), encodeSegmentRecord({ ...segment, deleting: true })), 'marking a segment for deletion');
      this.segments.markDeleting(segment.id);
    }
    // Its generations: their rows (a contiguous range per generation), then their records.
    const gens: number[] = [];
    for (const { key, value } of t.gens.getRange({})) if (decodeGenRecord(key.readUInt32BE(0), value).segmentId === segment.id) gens.push(key.readUInt32BE(0));
    for (const gen of gens) {
      if (!(await this.deleteRange(t.streams, genKey(gen), genKey(gen + 1)))) return;
      await awaitWrite(t.gens.remove(genKey(gen)), 'deleting an expired segment');
    }
    const empty = Buffer.alloc(0);
    if (!(await this.deleteRange(t.listings, listingKey(segment.id, empty), listingKey(segment.id + 1, empty)))) return;
    if (!(await this.deleteRange(t.chunks, chunkKey(segment.startSeq), chunkKey(segment.endSeq)))) return;
    await awaitWrite(t.segments.remove(segmentKey(segment.id)), 'deleting an expired segment');
    this.segments.forget(segment.id);
  }

  /** Delete every row of `table` in `[start, end)`, a bounded transaction at a time; false if stopped mid-way. */
  private async deleteRange(table: StorageTables['streams'], start: Buffer, end: Buffer): Promise<boolean> {
    for (;;) {
      const keys = [...table.getKeys({ start, end, limit: this.rowsPerTxn })] as Buffer[];
      if (keys.length === 0) return true;
      await awaitWrite(
        this.tables.root.batch(() => {
          for (const key of keys) table.remove(key);
        }),
        'deleting an expired segment',
      );
      if (this.stopped) return false;
    }
  }
}
