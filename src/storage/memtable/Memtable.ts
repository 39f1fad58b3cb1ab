import { assert } from '../errors.js';
import { CommitFrame, type FrameRun } from '../wal/CommitFrame.js';
import type { KeyHandle, KeyTable } from './KeyTable.js';
import type { Slab, SlabAllocator } from './SlabAllocator.js';

/** A WAL frame held in memory until a flush has put it in LMDB. */
export interface MemFrame {
  readonly lsn: number;
  readonly kind: number;
  /** The whole frame, in a slab. */
  readonly frame: Buffer;
  readonly slab: Slab;
  readonly startSeq: number;
  readonly endSeq: number;
  /** Run number of its first run; its runs are numbered on from there. */
  readonly firstRun: number;
  readonly runCount: number;
  /** For a trim frame, the key it trims (pinned until the frame is flushed). */
  readonly trimmed?: KeyHandle;
}

/** Where a frame's runs were laid out: run i's key, first sequence and header offset in its frame (columns, not an object per run). */
export interface RunPlacements {
  readonly count: number;
  readonly keys: ArrayLike<KeyHandle>;
  readonly firstSeqs: ArrayLike<number>;
  readonly headerOffsets: ArrayLike<number>;
}

/** A frame without runs (seal, trim). */
export const noRuns: RunPlacements = { count: 0, keys: [], firstSeqs: [], headerOffsets: [] };

/**
 * The frames written to the WAL and not yet flushed to LMDB, in order, and an index of their
 * runs: every run has a number (ascending along the log) and knows the previous run of its key,
 * so a key's recent runs are found by walking back from its newest without a list per key (a
 * million keys would cost a million arrays). Bounded by the flush policy: frames leave once a
 * flush has put them in LMDB.
 */
export class Memtable {
  private frames: MemFrame[] = [];
  private framesStart = 0;
  /** Run number of index 0 of the run arrays. */
  private runBase = 0;
  private runStart = 0;
  private runEnd = 0;
  private runSeq = new Float64Array(1024);
  private runPrev = new Float64Array(1024);
  private runLsn = new Float64Array(1024);
  private runOffset = new Uint32Array(1024);
  private runKey = new Int32Array(1024);
  private frameBytes = 0;

  constructor(
    private readonly keys: KeyTable,
    private readonly slabs: SlabAllocator,
  ) {}

  /** Bytes of the frames held. */
  get bytes(): number {
    return this.frameBytes;
  }

  get frameCount(): number {
    return this.frames.length - this.framesStart;
  }

  /** The number the next run will take. */
  get nextRun(): number {
    return this.runBase + this.runEnd;
  }

  /** The oldest frame held, if any. */
  first(): MemFrame | undefined {
    return this.frames[this.framesStart];
  }

  last(): MemFrame | undefined {
    return this.frameCount > 0 ? this.frames[this.frames.length - 1] : undefined;
  }

  /** Add a frame (in LSN order) and its runs, which become their keys' newest. */
  add(frame: MemFrame, runs: RunPlacements): void {
    const last = this.last();
    assert(last === undefined || frame.lsn === last.lsn + 1, 'memtable frames follow one another');
    assert(frame.firstRun === this.nextRun && frame.runCount === runs.count, 'memtable runs are numbered in order');
    this.frames.push(frame);
    this.frameBytes += frame.frame.length;
    if (frame.trimmed !== undefined) this.keys.trimAdded(frame.trimmed);
    for (let r = 0; r < runs.count; r++) {
      this.ensureRunRoom();
      const i = this.runEnd++;
      const key = runs.keys[r];
      this.runSeq[i] = runs.firstSeqs[r];
      this.runPrev[i] = this.keys.lastRun[key];
      this.runLsn[i] = frame.lsn;
      this.runOffset[i] = runs.headerOffsets[r];
      this.runKey[i] = key;
      this.keys.runAdded(key, this.runBase + i);
    }
  }

  /** Drop every frame numbered `lsn` or below (a flush put them in LMDB). */
  dropThrough(lsn: number): void {
    while (this.framesStart < this.frames.length && this.frames[this.framesStart].lsn <= lsn) {
      const frame = this.frames[this.framesStart];
      this.frames[this.framesStart++] = undefined as unknown as MemFrame;
      for (let r = 0; r < frame.runCount; r++) {
        const i = this.runStart++;
        assert(this.runBase + i === frame.firstRun + r, 'runs leave in the order they came');
        this.keys.runDropped(this.runKey[i]);
      }
      if (frame.trimmed !== undefined) this.keys.trimDropped(frame.trimmed);
      this.frameBytes -= frame.frame.length;
      this.slabs.release(frame.slab);
    }
    if (this.framesStart > 1024 && this.framesStart * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.framesStart);
      this.framesStart = 0;
    }
    this.keys.trim();
  }

  /** The frame numbered `lsn`, if held. */
  frameAt(lsn: number): MemFrame | undefined {
    const first = this.first();
    if (first === undefined) return undefined;
    return this.frames[this.framesStart + lsn - first.lsn];
  }

  /** Index (for `frameByIndex`) of the first frame holding sequences at or after `seq`. */
  firstFrameIndexFrom(seq: number): number {
    let lo = this.framesStart;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frames[mid].endSeq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.framesStart;
  }

  frameByIndex(i: number): MemFrame | undefined {
    return this.frames[this.framesStart + i];
  }

  /** The run with number `run`. */
  run(run: number): FrameRun {
    const i = run - this.runBase;
    assert(i >= this.runStart && i < this.runEnd, 'a run read is in the memtable');
    const frame = this.frameAt(this.runLsn[i]) as MemFrame;
    return new CommitFrame(frame.frame).runAt(this.runOffset[i]).run;
  }

  /**
   * The key's runs holding sequences in `[from, end)`, oldest first: walk back from its newest
   * run to the first that starts at or before `from`.
   */
  runsOf(key: KeyHandle, from: number, end: number): FrameRun[] {
    const numbers: number[] = [];
    for (let run = this.keys.lastRun[key]; run >= 0; run = this.runPrev[run - this.runBase]) {
      const i = run - this.runBase;
      if (i < this.runStart) break;
      const firstSeq = this.runSeq[i];
      if (firstSeq < end) numbers.push(run);
      if (firstSeq <= from) break;
    }
    const out: FrameRun[] = new Array(numbers.length);
    for (let j = 0; j < numbers.length; j++) out[j] = this.run(numbers[numbers.length - 1 - j]);
    return out;
  }

  /** Forget everything (the memtable is rebuilt from disk after a failed write). */
  clear(): void {
    for (let f = this.framesStart; f < this.frames.length; f++) this.slabs.release(this.frames[f].slab);
    this.frames = [];
    this.framesStart = 0;
    this.runBase += this.runEnd;
    this.runStart = this.runEnd = 0;
    this.frameBytes = 0;
  }

  private ensureRunRoom(): void {
    if (this.runEnd < this.runSeq.length) return;
    const live = this.runEnd - this.runStart;
    const capacity = live * 2 > this.runSeq.length ? this.runSeq.length * 2 : this.runSeq.length;
    const move = <T extends Float64Array | Uint32Array | Int32Array>(from: T, make: (n: number) => T): T => {
      if (capacity === from.length) return from.copyWithin(0, this.runStart, this.runEnd) as T;
      const to = make(capacity);
      to.set(from.subarray(this.runStart, this.runEnd), 0);
      return to;
    };
    this.runSeq = move(this.runSeq, (n) => new Float64Array(n));
    this.runPrev = move(this.runPrev, (n) => new Float64Array(n));
    this.runLsn = move(this.runLsn, (n) => new Float64Array(n));
    this.runOffset = move(this.runOffset, (n) => new Uint32Array(n));
    this.runKey = move(this.runKey, (n) => new Int32Array(n));
    this.runBase += this.runStart;
    this.runEnd = live;
    this.runStart = 0;
  }
}
