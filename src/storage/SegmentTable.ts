import { InvalidArgumentError } from './errors.js';
import { decodeSegmentRecord, type SegmentRecord } from './layout/SegmentRecord.js';
import { segmentKey } from './layout/StorageKeys.js';
import type { StorageTables } from './StorageEnvironment.js';

export interface SegmentationPolicy {
  /** Seal the active segment once it is this old. */
  readonly sealIntervalMs?: number;
  /** Seal the active segment once it holds this many key + value bytes (soft: a commit is never split). */
  readonly sealBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type SegmentState = Mutable<SegmentRecord>;

const segmentIdMax = 0xffff_ffff;

/**
 * The writer's view of the segments, including the effects of commits in flight. Segments are
 * created lazily by the first append after a seal, so an idle log does not pile up empty ones.
 */
export class SegmentTable {
  private segments: SegmentState[] = [];

  constructor(
    private readonly tables: StorageTables,
    private readonly policy: SegmentationPolicy,
  ) {}

  /** Reload from LMDB (at open, and after a failed commit). */
  load(): void {
    const loaded: SegmentState[] = [];
    for (const { key, value } of this.tables.segments.getRange({})) {
      loaded.push(decodeSegmentRecord(key.readUInt32BE(0), value));
    }
    this.segments = loaded;
  }

  last(): SegmentState | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Whether the active segment is due to be sealed at `nowMs`. */
  isDue(segment: SegmentState, nowMs: number): boolean {
    const { sealIntervalMs, sealBytes } = this.policy;
    if (segment.records === 0) return false;
    if (sealIntervalMs !== undefined && nowMs - segment.startTimeMs >= sealIntervalMs) return true;
    return sealBytes !== undefined && segment.bytes >= sealBytes;
  }

  /**
   * The segment the next commit (starting at `nextSeq`) appends to, sealing the active one if it
   * is due and opening a new one if needed. Changed segments are added to `changed`.
   */
  segmentForAppend(nowMs: number, nextSeq: number, changed: Set<SegmentState>): SegmentState {
    let segment = this.last();
    if (segment !== undefined && !segment.sealed && this.isDue(segment, nowMs)) {
      segment.sealed = true;
      changed.add(segment);
    }
    if (segment === undefined || segment.sealed) {
      const id = segment === undefined ? 0 : segment.id + 1;
      if (id > segmentIdMax) throw new InvalidArgumentError('segment ids are exhausted (u32); the log cannot take more segments');
      segment = {
        id,
        startSeq: nextSeq,
        startTimeMs: nowMs,
        endSeq: nextSeq,
        lastAppendTimeMs: nowMs,
        records: 0,
        bytes: 0,
        sealed: false,
        deleting: false,
      };
      this.segments.push(segment);
      changed.add(segment);
    }
    return segment;
  }

  /** Seal the active segment if it has records; returns it if it changed. */
  sealActive(): SegmentState | undefined {
    const segment = this.last();
    if (segment === undefined || segment.sealed || segment.records === 0) return undefined;
    segment.sealed = true;
    return segment;
  }

  /** Drop a segment retention has deleted. Retention never deletes the newest segment, so ids are never reused. */
  forget(id: number): void {
    this.segments = this.segments.filter((s) => s.id !== id);
  }

  static key(id: number): Buffer {
    return segmentKey(id);
  }
}
