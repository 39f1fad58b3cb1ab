import type { Clock } from '../Clock.js';
import type { StorageTables } from '../env/StorageTables.js';
import { CommitFrame } from '../wal/CommitFrame.js';
import { FrameKind } from '../wal/WalFrame.js';
import type { WalWriter } from '../wal/WalWriter.js';
import type { KeyTable } from '../memtable/KeyTable.js';
import type { MemFrame, Memtable } from '../memtable/Memtable.js';
import type { VisibleTrims } from '../memtable/VisibleTrims.js';
import type { ProducerRegistry } from '../write/ProducerRegistry.js';
import type { AppliedFlush, ApplyOptions } from './FrameApplier.js';
import type { FlushProgress } from './FlushPacer.js';
import type { FlushWorkerClient } from './FlushWorkerClient.js';

export interface FlushPolicy {
  /**
   * Start a flush once the memtable holds `bytesPerKey` bytes of frames per distinct key in it,
   * but at least `triggerBytesMin` and at most `triggerBytesMax`: a flush costs about one LMDB row
   * per distinct key (and a sixteenth of a key-state value) whatever their records, so the more
   * keys, the larger a flush is worth being, while a log of few keys flushes small and often (less
   * memory, shorter replay).
   */
  readonly bytesPerKey: number;
  readonly triggerBytesMin: number;
  readonly triggerBytesMax: number;
  /** …or once it holds this many distinct keys… */
  readonly triggerKeys: number;
  /** …or once the log has been quiet this long with anything in the memtable. */
  readonly idleMs: number;
  /** After a failed flush, try again after this long (doubling, up to 16 times it). */
  readonly retryMs: number;
  readonly apply: ApplyOptions;
}

/** What the flusher moves along once a flush is in LMDB. */
export interface FlushTargets {
  readonly tables: StorageTables;
  readonly memtable: Memtable;
  readonly trims: VisibleTrims;
  readonly keys: KeyTable;
  readonly producers: ProducerRegistry;
  /** The WAL being written (a recovery replaces it). */
  wal(): WalWriter;
  /** The last frame whose write completed: a flush never takes a frame that might still fail. */
  writtenLsn(): number;
  /** The memtable has room again. */
  roomFreed(): void;
}

/**
 * Moves the memtable into LMDB: whenever it grows past the policy's bytes or keys (or the log
 * goes quiet), every frame written so far goes to the flush worker, which applies them in one
 * durable LMDB transaction. Once that is done (and only then) the frames leave the memtable and
 * their WAL files are given back. One flush at a time; a failed one changes nothing in LMDB and
 * is tried again, while the memtable holds everything.
 */
export class Flusher {
  private running: Promise<void> | undefined;
  private problem: Error | undefined;
  private failures = 0;
  private idleTimer: ReturnType<Clock['setTimeout']> | undefined;
  private retryTimer: ReturnType<Clock['setTimeout']> | undefined;
  private stopped = false;
  private paused = 0;
  /** Flushes done, and the latest one's duration (for stats) and bytes of frames. */
  flushes = 0;
  lastFlushMs = 0;
  private lastFlushBytes = 0;
  /** The flush under way: when it began (performance.now()) and its bytes of frames. */
  private current: { readonly startedMs: number; readonly bytes: number } | undefined;

  constructor(
    private readonly worker: FlushWorkerClient,
    private readonly targets: FlushTargets,
    private readonly policy: FlushPolicy,
    private readonly clock: Clock,
    /** Where LMDB ends now. */
    public flushedLsn: number,
    public flushedSeq: number,
  ) {}

  /** After a recovery rebuilt the state from disk: where LMDB ends. */
  moveTo(flushedLsn: number, flushedSeq: number): void {
    this.flushedLsn = flushedLsn;
    this.flushedSeq = flushedSeq;
  }

  /** Why flushing fails, while it does. */
  get trouble(): Error | undefined {
    return this.problem;
  }

  /** How far the flush under way has come, if one is and an earlier one gives its pace. */
  progress(): FlushProgress | undefined {
    const current = this.current;
    if (current === undefined || this.lastFlushBytes === 0) return undefined;
    return { elapsedMs: performance.now() - current.startedMs, expectedMs: (this.lastFlushMs * current.bytes) / this.lastFlushBytes };
  }

  /** Called after every visible commit. */
  notify(): void {
    if (this.stopped) return;
    const { memtable, keys } = this.targets;
    const { bytesPerKey, triggerBytesMin, triggerBytesMax, triggerKeys } = this.policy;
    const triggerBytes = Math.min(triggerBytesMax, Math.max(triggerBytesMin, keys.pinned * bytesPerKey));
    if (memtable.bytes >= triggerBytes || keys.pinned >= triggerKeys) {
      this.kick();
      return;
    }
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => this.kick(), this.policy.idleMs);
  }

  /** Flush until LMDB holds every frame up to `lsn` (or everything written, if that is less). */
  async flushThrough(lsn: number): Promise<void> {
    for (;;) {
      await this.running?.catch(() => undefined);
      const target = Math.min(lsn, this.targets.writtenLsn());
      if (this.flushedLsn >= target || this.stopped) return;
      await this.start();
    }
  }

  /** Flush everything written so far. */
  flushAll(): Promise<void> {
    return this.flushThrough(Number.MAX_SAFE_INTEGER);
  }

  /** Flush until LMDB holds every sequence below `seq` (retention deletes whole segments from LMDB). */
  async flushBelow(seq: number): Promise<void> {
    while (this.flushedSeq < seq && !this.stopped) {
      const before = this.flushedLsn;
      await this.flushThrough(this.targets.writtenLsn());
      if (this.flushedLsn === before) return; // nothing more written yet
    }
  }

  /** Run `work` with no flush under way or starting (a recovery rebuilds the memtable). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    this.paused++;
    try {
      await this.running?.catch(() => undefined);
      return await work();
    } finally {
      this.paused--;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.idleTimer);
    this.clock.clearTimeout(this.retryTimer);
    await this.running?.catch(() => undefined);
    await this.worker.close();
  }

  private kick(): void {
    if (this.running === undefined && this.paused === 0 && !this.stopped) this.start().catch(() => undefined);
  }

  private start(): Promise<void> {
    if (this.running !== undefined) return this.running;
    const run = this.flushOnce().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async flushOnce(): Promise<void> {
    if (this.paused > 0) return;
    const { memtable } = this.targets;
    const upTo = this.targets.writtenLsn();
    const frames: MemFrame[] = [];
    for (let lsn = this.flushedLsn + 1; lsn <= upTo; lsn++) {
      const frame = memtable.frameAt(lsn);
      if (frame === undefined) break;
      frames.push(frame);
    }
    if (frames.length === 0) return;
    const started = performance.now();
    let bytes = 0;
    for (const f of frames) bytes += f.frame.length;
    this.current = { startedMs: started, bytes };
    let applied: AppliedFlush;
    try {
      applied = await this.worker.apply(
        frames.map((f) => ({ memory: f.frame.buffer as SharedArrayBuffer, offset: f.frame.byteOffset, length: f.frame.length })),
        this.policy.apply,
      );
    } catch (error) {
      this.current = undefined;
      this.problem = error as Error;
      this.failures++;
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = this.clock.setTimeout(() => this.kick(), this.policy.retryMs * 2 ** Math.min(4, this.failures - 1));
      throw error;
    }
    this.problem = undefined;
    this.failures = 0;
    this.published(applied, frames);
    this.flushes++;
    this.lastFlushMs = performance.now() - started;
    this.lastFlushBytes = bytes;
    this.current = undefined;
  }

  /** LMDB holds the frames now: readers must see it before the memtable lets them go. */
  private published(applied: AppliedFlush, frames: readonly MemFrame[]): void {
    const { tables, memtable, producers } = this.targets;
    this.flushedLsn = applied.flushedLsn;
    this.flushedSeq = applied.flushedSeq;
    // lmdb-js keeps a read snapshot for the rest of an event turn; the next read must see the flush.
    tables.root.resetReadTxn();
    for (const frame of frames) {
      if (frame.kind !== FrameKind.Commit) continue;
      const commit = new CommitFrame(frame.frame);
      if (commit.producerCount > 0) for (const p of commit.producers()) producers.flushed(p.id);
    }
    memtable.dropThrough(applied.flushedLsn);
    this.targets.trims.dropThrough(applied.flushedLsn);
    this.targets.wal().release(applied.flushedLsn);
    this.targets.roomFreed();
  }
}
