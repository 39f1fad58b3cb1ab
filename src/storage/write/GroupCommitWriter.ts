import { assert, ClosedError, StorageError } from '../errors.js';
import type { KeyStateCache } from '../KeyStateCache.js';
import { decodeHead, headKey } from '../layout/HeadRecord.js';
import type { RecordBatch } from '../RecordBatch.js';
import type { SegmentTable } from '../SegmentTable.js';
import type { StorageEnvironment } from '../StorageEnvironment.js';
import type { AppendOutput, Durability, ReadVisibility } from '../types.js';
import type { CommitBuilder, CommitUnit, CommittedChunk, WriterHead } from './CommitBuilder.js';
import type { PendingAppend, PendingItem, ProducerBatchId, ResolvedExpectation } from './PendingItem.js';
import type { ProducerRegistry } from './ProducerRegistry.js';
import type { WriteAdmission } from './WriteAdmission.js';
import { Fifo } from './Fifo.js';
import { observeCommitError } from '../LmdbWrite.js';
import type { RecentIndex } from '../RecentIndex.js';
import type { CommitPassenger } from '../Compactor.js';

export interface GroupCommitOptions {
  readonly durability: Durability;
  readonly visibility: ReadVisibility;
  readonly commitBytesMax: number;
  readonly commitRecordsMax: number;
  readonly commitsInFlightMax: number;
}

type CommitPromise = Promise<boolean> & { flushed?: Promise<unknown> };

/**
 * Group commit: appends from every caller are queued, and whenever fewer than
 * `commitsInFlightMax` commits are in LMDB's hands, everything queued (up to the commit bounds)
 * becomes one transaction. So a busy log writes few, large transactions and an idle one writes
 * at once. An append is acknowledged after its transaction is committed and, with `sync`
 * durability, flushed to disk.
 *
 * Every commit is conditional on the `head` version written by the one before it: if a commit
 * fails, the ones built on top of it fail too instead of landing with wrong sequences. Once the
 * failed commits have drained, the writer reloads its state from disk and carries on.
 */
export class GroupCommitWriter {
  private readonly pending = new Fifo<PendingItem>();
  private readonly inFlight: CommitUnit[] = [];
  private version: number;
  private pumpScheduled = false;
  private faulted = false;
  private closed = false;
  private committed: number;
  private durable: number;
  private readonly durableWaiters: { sequence: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly listeners = new Set<(chunk: CommittedChunk) => void>();
  private lastFlushed: Promise<unknown> = Promise.resolve();
  /** Called when a commit failed and the writer reloaded its state from disk. */
  onRecovered: () => void = () => {};
  /** Called after each commit became visible (the compactor watches the recent tier grow). */
  afterCommit: () => void = () => {};
  /** Asked at each commit for work to carry in its transaction (a compaction step). */
  passenger: () => CommitPassenger | undefined = () => undefined;

  constructor(
    private readonly env: StorageEnvironment,
    private readonly builder: CommitBuilder,
    private readonly head: WriterHead,
    private readonly keyStates: KeyStateCache,
    private readonly segments: SegmentTable,
    private readonly admission: WriteAdmission,
    private readonly producers: ProducerRegistry,
    private readonly recent: RecentIndex,
    private readonly options: GroupCommitOptions,
  ) {
    this.version = env.headVersion();
    this.committed = head.nextSequence;
    this.durable = head.nextSequence;
  }

  /** Exclusive end of what is committed (visible to readers in `committed` visibility). */
  get committedSequence(): number {
    return this.committed;
  }

  /** Exclusive end of what is on disk. */
  get durableSequence(): number {
    return this.durable;
  }

  get queueDepth(): { batches: number; bytes: number; waiting: number; commitsInFlight: number } {
    return {
      batches: this.admission.queuedBatches,
      bytes: this.admission.queuedBytes,
      waiting: this.admission.waiting,
      commitsInFlight: this.inFlight.length,
    };
  }

  /** Be told of every commit as it becomes visible (committed, or durable with `durable` visibility); rows are valid during the call only. */
  onVisible(listener: (chunk: CommittedChunk) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async append(
    batch: RecordBatch,
    expect: readonly ResolvedExpectation[] | undefined,
    producer: ProducerBatchId | undefined,
    timeoutMs: number | undefined,
  ): Promise<AppendOutput> {
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

  /** Seal the active segment if its interval or size says so (called on a timer). */
  sealIfDue(): Promise<void> {
    const last = this.segments.last();
    if (this.closed || last === undefined || last.sealed || !this.segments.isDue(last, Date.now())) return Promise.resolve();
    return this.control('seal');
  }

  /** Resolve once everything queued before this call is settled and every committed record is on disk. */
  flush(): Promise<void> {
    return this.control('flush');
  }

  /** Resolve once `sequence` (and everything before it) is durable. */
  whenDurable(sequence: number): Promise<void> {
    if (sequence < this.durable) return Promise.resolve();
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => this.durableWaiters.push({ sequence, resolve, reject }));
  }

  /** Refuse new work, then settle everything queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    const drained = this.control('flush');
    this.closed = true;
    this.admission.rejectWaiters(closedError());
    await drained.catch(() => undefined);
    // Whatever is still not durable will not become so through this writer.
    for (const waiter of this.durableWaiters.splice(0)) waiter.reject(closedError());
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
      const items = this.takeCommitItems();
      let unit: CommitUnit;
      try {
        unit = this.builder.build(items, this.version + 1);
      } catch (error) {
        // Building touches LMDB only to read; a failure here is a storage fault before anything was written.
        const failure = toStorageError(error, 'preparing a commit');
        for (const item of items) item.settle(failure);
        this.faulted = true;
        this.recoverWhenIdle();
        return;
      }
      if (!unit.hasWrites) {
        this.builder.arenas.give(unit.arena);
        this.settleWithoutWrites(unit);
        continue;
      }
      this.submit(unit);
    }
  }

  /** The next items for one commit: bounded in bytes and records; a seal or flush ends the commit. */
  private takeCommitItems(): PendingItem[] {
    const items: PendingItem[] = [];
    let bytes = 0;
    let records = 0;
    for (let item = this.pending.peek(); item !== undefined; item = this.pending.peek()) {
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

  private submit(unit: CommitUnit): void {
    this.version++;
    this.inFlight.push(unit);
    let promise: CommitPromise;
    try {
      const passenger = (unit.passenger = this.passenger());
      const write = passenger === undefined ? unit.write : () => {
        unit.write();
        passenger.write();
      };
      promise = this.env.tables.meta.ifVersion(headKey, this.version - 1, write) as CommitPromise;
    } catch (error) {
      promise = Promise.reject(error) as CommitPromise;
    }
    promise.then(
      (landed) => (landed ? this.onCommitted(unit, promise.flushed) : this.onFailed(unit, new StorageError('an earlier commit failed, so this one was not applied; retry'))),
      (error: unknown) => {
        observeCommitError(error);
        this.onFailed(unit, toStorageError(error, 'committing'));
      },
    );
  }

  private onCommitted(unit: CommitUnit, flushed: Promise<unknown> | undefined): void {
    assert(this.inFlight[0] === unit, 'commits complete in order');
    this.inFlight.shift();
    this.committed = unit.endSeq;
    for (const state of unit.states) state.pins--;
    this.keyStates.trim();
    for (const p of unit.producerBatches) this.producers.committed(p.state, p.batchNumber);
    // Visible to readers from now on (lmdb-js renewed its read transaction before resolving).
    for (const run of unit.recentRuns) this.recent.add(run.keyId, run.firstSeq, run.bytes);
    unit.passenger?.landed();
    if (this.options.visibility === 'committed') {
      this.emit(unit.chunk);
      this.builder.arenas.give(unit.arena);
    }
    if (this.options.durability === 'async') this.acknowledge(unit);

    const onDisk = (flushed ?? this.env.tables.root.flushed) as Promise<unknown>;
    this.lastFlushed = onDisk;
    onDisk.then(
      () => this.onDurable(unit),
      (error: unknown) => {
        observeCommitError(error);
        // Committed but not known to be on disk: never report such records as durable.
        if (this.options.visibility === 'durable') this.builder.arenas.give(unit.arena);
        const failure = toStorageError(error, 'flushing a commit to disk');
        if (this.options.durability === 'sync') for (const a of unit.appends) settleWithFollowers(a, failure);
        for (const c of unit.controls) c.settle(failure);
      },
    );
    this.schedulePump();
    this.afterCommit();
  }

  private onDurable(unit: CommitUnit): void {
    if (unit.endSeq > this.durable) this.durable = unit.endSeq;
    if (this.options.durability === 'sync') this.acknowledge(unit);
    if (this.options.visibility === 'durable') {
      this.emit(unit.chunk);
      this.builder.arenas.give(unit.arena);
    }
    for (const c of unit.controls) c.settle(null);
    this.releaseDurableWaiters();
  }

  private acknowledge(unit: CommitUnit): void {
    for (const a of unit.appends) settleWithFollowers(a, null);
  }

  private onFailed(unit: CommitUnit, error: StorageError): void {
    assert(this.inFlight[0] === unit, 'commits complete in order');
    this.inFlight.shift();
    this.faulted = true;
    for (const state of unit.states) state.pins--;
    for (const p of unit.producerBatches) this.producers.failed(p.state, p.batchNumber);
    unit.passenger?.failed();
    this.builder.arenas.give(unit.arena);
    for (const a of unit.appends) settleWithFollowers(a, error);
    for (const c of unit.controls) c.settle(error);
    this.recoverWhenIdle();
  }

  /** Controls with nothing to write (a flush, a seal of an empty segment) settle once what is before them is durable. */
  private settleWithoutWrites(unit: CommitUnit): void {
    const previous = this.inFlight[this.inFlight.length - 1];
    if (previous !== undefined) {
      previous.controls.push(...unit.controls);
      return;
    }
    this.lastFlushed.then(
      () => unit.controls.forEach((c) => c.settle(null)),
      (error: unknown) => unit.controls.forEach((c) => c.settle(toStorageError(error, 'flushing'))),
    );
  }

  private recoverWhenIdle(): void {
    if (this.inFlight.length > 0) return;
    try {
      const head = decodeHead(this.env.tables.meta.getBinary(headKey) as Buffer);
      this.head.nextSequence = head.nextSequence;
      this.head.nextKeyId = head.nextKeyId;
      this.version = this.env.headVersion();
      this.committed = head.nextSequence;
      this.segments.load();
      this.keyStates.clearUnpinned();
      this.producers.clearUnpinned();
      this.faulted = false;
      this.onRecovered();
    } catch {
      // The environment is unreadable too; stay faulted and try again on the next append.
      setTimeout(() => this.recoverWhenIdle(), 100).unref();
      return;
    }
    this.schedulePump();
  }

  private emit(chunk: CommittedChunk): void {
    for (const listener of this.listeners) {
      try {
        listener(chunk);
      } catch {
        // A listener's bug must not stop the log; listeners report their own errors.
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
  const output: AppendOutput = { startSequence: append.startSequence, count: append.batch.count };
  append.settle(error, output);
  for (const follower of append.followers ?? []) follower(error, { ...output, duplicate: true });
}

function closedError(): ClosedError {
  return new ClosedError('the log is closed; open it again to continue');
}

function toStorageError(error: unknown, during: string): StorageError {
  if (error instanceof StorageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(`storage failed while ${during}: ${message}; committed data is intact, retry once the cause (disk space, permissions) is fixed`, { cause: error });
}
