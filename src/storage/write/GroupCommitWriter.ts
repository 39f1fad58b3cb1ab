import { assert, ClosedError, StorageError } from '../errors.js';
import type { StreamRow } from '../layout/StreamRow.js';
import type { RecordBatch } from '../RecordBatch.js';
import type { AppendOutput, Durability, ReadVisibility } from '../types.js';
import { CommitFrame } from '../wal/CommitFrame.js';
import type { WalWriter } from '../wal/WalWriter.js';
import type { BuiltCommit, CommitBuilder, Settleable } from './CommitBuilder.js';
import { Fifo } from './Fifo.js';
import type { PendingAppend, PendingControl, PendingItem, PendingTrim, ProducerBatchId, ResolvedExpectation } from './PendingItem.js';
import { WriteAdmission, type AdmissionBounds } from './WriteAdmission.js';

/** The records of one key in one commit, as delivered to visibility listeners. */
export interface CommittedRun {
  readonly key: Buffer;
  /** The key as latin1, for map lookups. */
  readonly keyStr: string;
  readonly row: StreamRow;
}

/** A commit that became visible: sequences `[startSequence, endSequence)`, grouped by key. */
export interface CommittedChunk {
  readonly startSequence: number;
  readonly endSequence: number;
  /** Built on first use: most commits are heard of by listeners with nobody waiting on any key. */
  readonly runs: readonly CommittedRun[];
}

/** A visible commit whose runs are read out of its frame only if a listener asks for them. */
class FrameChunk implements CommittedChunk {
  private built: CommittedRun[] | undefined;

  constructor(
    readonly startSequence: number,
    readonly endSequence: number,
    private readonly frame: Buffer,
  ) {}

  get runs(): readonly CommittedRun[] {
    this.built ??= new CommitFrame(this.frame).runs().map((run) => ({ key: run.key, keyStr: run.key.toString('latin1'), row: run.row }));
    return this.built;
  }
}

export interface GroupCommitOptions {
  readonly durability: Durability;
  readonly visibility: ReadVisibility;
  readonly commitBytesMax: number;
  readonly commitRecordsMax: number;
  readonly commitsInFlightMax: number;
  /** The write queue: appends past it wait (up to their timeout) or fail with QueueFullError. */
  readonly queue: AdmissionBounds;
}

/** What the writer needs from the rest of the log. */
export interface WriterHooks {
  /** Whether the memtable has room for another commit (else the writer waits for a flush). */
  hasRoom(): boolean;
  /** Why the memtable cannot drain, when flushing to LMDB fails: appends then fail at once. */
  flushTrouble(): Error | undefined;
  /** The pause before the next commit, after one of `bytes` (FlushPacer; 0: none). */
  paceMs(bytes: number): number;
  /** A commit became visible. */
  afterVisible(): void;
  /** A trim became visible (its frame is durable). */
  trimVisible(commit: BuiltCommit): void;
  /**
   * A write failed: rebuild the writer's state (memtable, keys, segments, producers, head) from
   * LMDB and the WAL, as at open. Called once nothing is in flight.
   */
  recover(failedLsn: number): Promise<void>;
}

interface InFlight {
  readonly commit: BuiltCommit;
  written: boolean;
  failure: unknown;
  /** Settles (never rejects) once the write has finished, either way. */
  done: Promise<void>;
}

/**
 * Group commit over the write-ahead log: appends from every caller are queued, and whenever
 * fewer than `commitsInFlightMax` commits are being written, everything queued (up to the commit
 * bounds) becomes one frame and one write. So a busy log writes few, large frames and an idle
 * one writes at once, with no timer. With `sync` durability a write is durable when it completes
 * (O_DSYNC): one disk sync per group, after which the commit is visible and acknowledged; with
 * `async` it is acknowledged once written, and a background sync brings `durableSequence` up.
 *
 * Commits complete in order. If a write fails, it and every commit after it fail, and once
 * nothing is in flight the writer's state is rebuilt from disk by the same recovery as at open.
 */
export class GroupCommitWriter {
  private readonly pending = new Fifo<PendingItem>();
  private readonly admission: WriteAdmission;
  private readonly inFlight: InFlight[] = [];
  /** Written, not yet durable (async durability), oldest first. */
  private readonly awaitingSync: BuiltCommit[] = [];
  private committed: number;
  private durable: number;
  private written: number;
  private pumpScheduled = false;
  /** No commit is built before this time (performance.now()), nor a second timer set for it. */
  private pacedUntil = 0;
  private pacedTimer: ReturnType<typeof setTimeout> | undefined;
  /** Commits followed by a pause, and the pauses' total (stats). */
  pacedCommits = 0;
  pacedMs = 0;
  private faulted = false;
  private closed = false;
  private syncing = false;
  private syncAgain = false;
  private readonly durableWaiters: { sequence: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly listeners = new Set<(chunk: CommittedChunk) => void>();
  /** Controls with nothing to write waiting for the next sync (async durability). */
  private readonly syncControls: Settleable[] = [];

  constructor(
    private readonly builder: CommitBuilder,
    private wal: WalWriter,
    private readonly hooks: WriterHooks,
    private readonly options: GroupCommitOptions,
    start: { nextSequence: number; lastLsn: number },
  ) {
    this.admission = new WriteAdmission(options.queue);
    this.committed = this.durable = start.nextSequence;
    this.written = start.lastLsn;
  }

  /** Exclusive end of what is written to the WAL. */
  get committedSequence(): number {
    return this.committed;
  }

  /** Exclusive end of what is durable. */
  get durableSequence(): number {
    return this.durable;
  }

  /** Exclusive end of what readers see: durable with `sync` durability or `durable` visibility, else written. */
  get visibleSequence(): number {
    return this.options.durability === 'sync' || this.options.visibility === 'durable' ? this.durable : this.committed;
  }

  /** The last WAL frame whose write completed (with every frame before it): what a flush may take. */
  get writtenLsn(): number {
    return this.written;
  }

  get queueDepth(): { batches: number; bytes: number; waiting: number; commitsInFlight: number } {
    return { batches: this.admission.queuedBatches, bytes: this.admission.queuedBytes, waiting: this.admission.waiting, commitsInFlight: this.inFlight.length };
  }

  /** Be told of every commit as it becomes visible; rows are valid during the call only. */
  onVisible(listener: (chunk: CommittedChunk) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After a recovery: where the rebuilt log stands, and the WAL writer that continues it. */
  restart(wal: WalWriter, start: { nextSequence: number; lastLsn: number }): void {
    this.wal = wal;
    this.committed = this.durable = start.nextSequence;
    this.written = start.lastLsn;
  }

  async append(batch: RecordBatch, expect: readonly ResolvedExpectation[] | undefined, producer: ProducerBatchId | undefined, timeoutMs: number | undefined): Promise<AppendOutput> {
    if (this.closed) throw closedError();
    const bytes = batch.payloadBytes;
    const wait = this.admission.acquire(bytes, timeoutMs);
    if (wait !== undefined) await wait;
    if (this.closed) {
      this.admission.release(bytes);
      throw closedError();
    }
    return new Promise<AppendOutput>((resolve, reject) => {
      const item: PendingAppend = {
        kind: 'append',
        batch,
        expect,
        bytes,
        producer,
        followers: undefined,
        startSequence: -1,
        firstOffset: -1,
        timeMs: 0,
        settle: (error, output) => {
          this.admission.release(bytes);
          if (error !== null) reject(error);
          else resolve(output as AppendOutput);
        },
      };
      this.enqueue(item);
    });
  }

  /** Seal the active segment after everything queued before this call. */
  seal(): Promise<void> {
    return this.control('seal');
  }

  /**
   * Remove `key`'s records below `before` (all of them, and the key from every listing, with
   * `deleteKey`), durably, after everything queued before this call. Resolves with how many went.
   */
  trim(key: Buffer, before: number | undefined, deleteKey: boolean): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<number>((resolve, reject) => {
      const item: PendingTrim = {
        kind: 'trim',
        key,
        keyStr: key.toString('latin1'),
        before,
        deleteKey,
        removed: 0,
        settle: (error) => (error === null ? resolve(item.removed) : reject(error)),
      };
      this.enqueue(item);
    });
  }

  /** Resolve once everything queued before this call is settled and every committed record is durable. */
  flush(): Promise<void> {
    return this.control('flush');
  }

  /** Resolve once `sequence` (and everything before it) is durable. */
  whenDurable(sequence: number): Promise<void> {
    if (sequence < this.durable) return Promise.resolve();
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.durableWaiters.push({ sequence, resolve, reject });
      if (this.options.durability === 'async') this.requestSync();
    });
  }

  /** Refuse new work, then settle everything queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    const drained = this.control('flush');
    this.closed = true;
    this.admission.rejectWaiters(closedError());
    await drained.catch(() => undefined);
    for (const waiter of this.durableWaiters.splice(0)) waiter.reject(closedError());
  }

  /** The memtable has room again (a flush finished): build what waits. */
  wake(): void {
    this.schedulePump();
  }

  private control(kind: 'seal' | 'flush'): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ kind, settle: (error) => (error === null ? resolve() : reject(error)) });
    });
  }

  private enqueue(item: PendingItem): void {
    this.pending.push(item);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // setImmediate, not a microtask: appends arriving in the same I/O phase join one commit.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.faulted && this.inFlight.length < this.options.commitsInFlightMax && this.pending.length > 0) {
      const paced = this.pacedUntil > 0 ? this.pacedUntil - performance.now() : 0;
      if (paced > 0) {
        this.pacedTimer ??= setTimeout(() => {
          this.pacedTimer = undefined;
          this.pump();
        }, Math.ceil(paced));
        return;
      }
      if (!this.hooks.hasRoom()) {
        const trouble = this.hooks.flushTrouble();
        if (trouble !== undefined) this.failQueuedAppends(trouble);
        return; // a finished flush wakes the writer
      }
      const items = this.takeCommitItems();
      let built;
      try {
        built = this.builder.build(items);
      } catch (error) {
        // A build reads LMDB (key and producer states) and may run out of segment ids; nothing was written.
        const failure = toStorageError(error, 'preparing a commit');
        for (const item of items) item.settle(failure);
        continue;
      }
      if (built.commit === undefined) this.settleWithoutWrites(built.controls);
      else {
        this.submit(built.commit);
        const pause = this.hooks.paceMs(built.commit.frame.frame.length);
        if (pause > 0) {
          this.pacedUntil = performance.now() + pause;
          this.pacedCommits++;
          this.pacedMs += pause;
        }
      }
    }
  }

  /** The next items for one commit: bounded in bytes and records; a seal or flush ends the commit. */
  private takeCommitItems(): PendingItem[] {
    const items: PendingItem[] = [];
    let bytes = 0;
    let records = 0;
    for (let item = this.pending.peek(); item !== undefined; item = this.pending.peek()) {
      if (item.kind === 'trim' && items.length > 0) break; // a trim is a frame of its own
      if (item.kind === 'append') {
        if (items.length > 0 && (bytes + item.bytes > this.options.commitBytesMax || records + item.batch.count > this.options.commitRecordsMax)) break;
        bytes += item.bytes;
        records += item.batch.count;
      }
      items.push(item);
      this.pending.shift();
      if (item.kind !== 'append') break;
    }
    return items;
  }

  private failQueuedAppends(error: Error): void {
    const kept: PendingItem[] = [];
    for (let item = this.pending.shift(); item !== undefined; item = this.pending.shift()) {
      if (item.kind === 'append') item.settle(error);
      else kept.push(item);
    }
    for (const item of kept) this.pending.push(item);
  }

  private submit(commit: BuiltCommit): void {
    const entry: InFlight = { commit, written: false, failure: undefined, done: Promise.resolve() };
    this.inFlight.push(entry);
    entry.done = this.wal.append(commit.frame.frame, commit.frame.lsn).then(
      () => {
        entry.written = true;
        this.completeInOrder();
      },
      (error: unknown) => {
        entry.failure = error ?? new Error('the write failed');
        this.completeInOrder();
      },
    );
  }

  /** Complete commits whose writes finished, in order; a failed one fails everything after it. */
  private completeInOrder(): void {
    while (this.inFlight.length > 0) {
      const head = this.inFlight[0];
      if (head.failure !== undefined) {
        this.failInFlight(head);
        return;
      }
      if (!head.written) return;
      this.inFlight.shift();
      this.onWritten(head.commit);
    }
  }

  private onWritten(commit: BuiltCommit): void {
    assert(commit.frame.lsn === this.written + 1, 'WAL writes complete in frame order');
    this.written = commit.frame.lsn;
    this.committed = commit.endSeq;
    this.builder.afterWrite(commit);
    if (commit.trim !== undefined) {
      // Readers see a trim once nothing can take it back (it was written synchronously, or it is
      // followed by a sync): with async durability, it is settled when that sync completes.
      if (this.options.durability === 'sync') {
        this.hooks.trimVisible(commit);
        commit.trim.settle(null);
      } else {
        (commit.controls as PendingControl[]).push({ kind: 'flush', settle: (error) => {
          if (error === null) this.hooks.trimVisible(commit);
          (commit.trim as PendingTrim).settle(error);
        } });
      }
    }
    if (this.options.durability === 'sync') {
      // The write was synchronous to disk: durable now.
      this.durable = commit.endSeq;
      this.emit(commit);
      this.acknowledge(commit);
      for (const c of commit.controls) c.settle(null);
      this.releaseDurableWaiters();
    } else {
      if (this.options.visibility === 'committed') this.emit(commit);
      this.acknowledge(commit);
      this.awaitingSync.push(commit);
      this.requestSync();
    }
    this.hooks.afterVisible();
    this.schedulePump();
  }

  /** Async durability: sync the WAL (one sync at a time; a request during one asks for another). */
  private requestSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    if (this.awaitingSync.length === 0 && this.syncControls.length === 0) return;
    this.syncing = true;
    const covered = this.awaitingSync.splice(0);
    const controls = this.syncControls.splice(0);
    const target = this.committed;
    this.wal.sync().then(
      () => {
        this.syncing = false;
        if (target > this.durable) this.durable = target;
        for (const commit of covered) {
          if (this.options.visibility === 'durable') this.emit(commit);
          for (const c of commit.controls) c.settle(null);
        }
        for (const c of controls) c.settle(null);
        this.releaseDurableWaiters();
        if (this.syncAgain || this.awaitingSync.length > 0) {
          this.syncAgain = false;
          this.requestSync();
        }
      },
      (error: unknown) => {
        this.syncing = false;
        // Written but not known to be on disk: never reported durable.
        const failure = toStorageError(error, 'syncing the write-ahead log to disk');
        for (const commit of covered) for (const c of commit.controls) c.settle(failure);
        for (const c of controls) c.settle(failure);
        for (const waiter of this.durableWaiters.splice(0)) waiter.reject(failure);
      },
    );
  }

  private acknowledge(commit: BuiltCommit): void {
    for (const a of commit.appends) settleWithFollowers(a, null);
  }

  private failInFlight(head: InFlight): void {
    this.faulted = true;
    const failure = toStorageError(head.failure, 'writing to the write-ahead log');
    const failedLsn = head.commit.frame.lsn;
    const failed = this.inFlight.splice(0);
    for (const f of failed) {
      f.commit.trim?.settle(failure);
      this.builder.afterFailedWrite(f.commit);
      for (const a of f.commit.appends) settleWithFollowers(a, failure);
      for (const c of f.commit.controls) c.settle(failure);
    }
    // Later writes may still be under way: recover only once every one has finished, so none lands after.
    void Promise.all(failed.map((f) => f.done))
      .then(() => this.hooks.recover(failedLsn))
      .then(
        () => {
          this.faulted = false;
          this.schedulePump();
        },
        (error: unknown) => {
          // The disk is unusable even for reading back the log: fail what waits and stay faulted.
          const fatal = toStorageError(error, 'recovering after a failed write');
          this.failQueuedAppends(fatal);
        },
      );
  }

  /** Controls with nothing to write (a flush, a seal of an empty segment) settle once what is before them is durable. */
  private settleWithoutWrites(controls: readonly Settleable[]): void {
    const previous = this.inFlight[this.inFlight.length - 1];
    if (previous !== undefined) {
      (previous.commit.controls as Settleable[]).push(...controls);
      return;
    }
    if (this.options.durability === 'async' && this.durable < this.committed) {
      this.syncControls.push(...controls);
      this.requestSync();
      return;
    }
    for (const c of controls) c.settle(null);
  }

  private emit(commit: BuiltCommit): void {
    if (this.listeners.size === 0 || commit.frame.runCount === 0) return;
    const chunk = new FrameChunk(commit.startSeq, commit.endSeq, commit.frame.frame);
    for (const listener of this.listeners) {
      try {
        listener(chunk);
      } catch (error) {
        // A listener's bug must not stall the log silently: it is reported, and the others still hear of the commit.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private releaseDurableWaiters(): void {
    if (this.durableWaiters.length === 0) return;
    let kept = 0;
    for (const waiter of this.durableWaiters) {
      if (waiter.sequence < this.durable) waiter.resolve();
      else this.durableWaiters[kept++] = waiter;
    }
    this.durableWaiters.length = kept;
  }
}

/** Settle an append and every retry of it that waited for it. */
function settleWithFollowers(append: PendingAppend, error: Error | null): void {
  const output: AppendOutput = { startSequence: append.startSequence, count: append.batch.count, offset: append.firstOffset, timestamp: append.timeMs };
  append.settle(error, output);
  for (const follower of append.followers ?? []) follower(error, { ...output, duplicate: true });
}

function closedError(): ClosedError {
  return new ClosedError('the log is closed; open it again to continue');
}

export function toStorageError(error: unknown, during: string): StorageError {
  if (error instanceof StorageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(`storage failed while ${during}: ${message}; committed data is intact, retry once the cause (disk space, permissions) is fixed`, { cause: error });
}
