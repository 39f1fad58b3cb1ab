import { assert, StorageError } from './errors.js';
import { decodeSegmentRecord, type SegmentRecord } from './layout/SegmentRecord.js';
import type { StorageTables } from './env/StorageTables.js';
import type { Segment } from './types.js';

export interface SegmentationPolicy {
  /** Seal the active segment once it is this old. */
  readonly sealIntervalMs?: number;
  /** Seal the active segment once it holds this many key, value and header bytes (soft: a commit is never split). */
  readonly sealBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type SegmentState = Mutable<SegmentRecord>;

const segmentIdMax = 0xffff_ffff - 1;

/** The segment events of a commit, as its frame records them. */
export interface CommitSegmentEvents {
  readonly segmentId: number;
  readonly opensSegment: boolean;
  readonly sealsSegment: boolean;
  readonly startSeq: number;
  readonly endSeq: number;
  readonly timeMs: number;
  readonly records: number;
  readonly payloadBytes: number;
}

/**
 * Apply a commit's segment events to a list of segments (oldest first): the live writer, WAL
 * replay and the flush worker all change segments through this, so they cannot disagree.
 * Returns the segments it changed.
 */
export function applyCommitToSegments(list: SegmentState[], c: CommitSegmentEvents): SegmentState[] {
  const changed: SegmentState[] = [];
  if (c.opensSegment) {
    const previous = list[list.length - 1];
    if (previous !== undefined && !previous.sealed) {
      previous.sealed = true;
      changed.push(previous);
    }
    list.push({ id: c.segmentId, startSeq: c.startSeq, startTimeMs: c.timeMs, endSeq: c.startSeq, lastAppendTimeMs: c.timeMs, records: 0, bytes: 0, sealed: false, deleting: false });
  }
  const segment = list[list.length - 1];
  assert(segment !== undefined && segment.id === c.segmentId && !segment.sealed, 'a commit appends to the active segment');
  segment.records += c.records;
  segment.bytes += c.payloadBytes;
  segment.endSeq = c.endSeq;
  segment.lastAppendTimeMs = c.timeMs;
  if (c.sealsSegment) segment.sealed = true;
  changed.push(segment);
  return changed;
}

/** Apply a seal frame; returns the segment if it changed. */
export function applySealToSegments(list: SegmentState[], segmentId: number): SegmentState | undefined {
  const segment = list.find((s) => s.id === segmentId);
  if (segment === undefined || segment.sealed) return undefined;
  segment.sealed = true;
  return segment;
}

/** Every segment in the table, oldest first. */
export function loadSegments(tables: StorageTables): SegmentState[] {
  const loaded: SegmentState[] = [];
  for (const { key, value } of tables.segments.getRange({})) loaded.push(decodeSegmentRecord(key.readUInt32BE(0), value));
  return loaded;
}

/**
 * The segments as the writer sees them: LMDB's as of the last flush, with the commits since
 * applied. The only reader of the `segments` table. Segments are created lazily by the first
 * append after a seal, so an idle log does not pile up empty ones.
 */
export class SegmentTable {
  private segments: SegmentState[] = [];

  constructor(
    private readonly tables: StorageTables,
    private readonly policy: SegmentationPolicy,
  ) {}

  /** Reload from LMDB (at open, and before replaying the WAL after a failed write). */
  load(): void {
    this.segments = loadSegments(this.tables);
  }

  last(): SegmentState | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Every segment, deleting ones included, oldest first (do not modify). */
  all(): readonly SegmentState[] {
    return this.segments;
  }

  /** The segments readers are shown: those retention is not deleting. */
  visible(): Segment[] {
    return this.segments.filter((s) => !s.deleting).map(({ deleting: _, ...segment }) => ({ ...segment }));
  }

  /** Whether the active segment is due to be sealed at `nowMs`. */
  isDue(segment: SegmentState, nowMs: number): boolean {
    const { sealIntervalMs, sealBytes } = this.policy;
    if (segment.records === 0) return false;
    if (sealIntervalMs !== undefined && nowMs - segment.startTimeMs >= sealIntervalMs) return true;
    return sealBytes !== undefined && segment.bytes >= sealBytes;
  }

  /**
   * Where the next commit goes: the active segment, or a new one (if there is none, it is sealed,
   * or it is due). Throws StorageError once segment ids are used up.
   */
  placeCommit(nowMs: number): { segmentId: number; opens: boolean } {
    const active = this.last();
    if (active !== undefined && !active.sealed && !this.isDue(active, nowMs)) return { segmentId: active.id, opens: false };
    const id = active === undefined ? 0 : active.id + 1;
    if (id > segmentIdMax) throw new StorageError('segment ids are used up (u32); the log cannot open another segment');
    return { segmentId: id, opens: true };
  }

  /** Whether a commit that brings the active segment to this state should seal it after its records. */
  dueAfter(bytesAfter: number, nowMs: number, opens: boolean): boolean {
    const active = this.last();
    const startTimeMs = opens || active === undefined ? nowMs : active.startTimeMs;
    const { sealIntervalMs, sealBytes } = this.policy;
    if (sealIntervalMs !== undefined && nowMs - startTimeMs >= sealIntervalMs) return true;
    return sealBytes !== undefined && bytesAfter >= sealBytes;
  }

  /** The active segment, if it has records and is not sealed: what `seal()` would seal. */
  sealable(): SegmentState | undefined {
    const segment = this.last();
    return segment === undefined || segment.sealed || segment.records === 0 ? undefined : segment;
  }

  applyCommit(events: CommitSegmentEvents): void {
    applyCommitToSegments(this.segments, events);
  }

  applySeal(segmentId: number): void {
    applySealToSegments(this.segments, segmentId);
  }

  markDeleting(id: number): void {
    const segment = this.segments.find((s) => s.id === id);
    if (segment !== undefined) segment.deleting = true;
  }

  /** Drop a segment retention has deleted. Retention never deletes the newest segment, so ids are never reused. */
  forget(id: number): void {
    this.segments = this.segments.filter((s) => s.id !== id);
  }
}
