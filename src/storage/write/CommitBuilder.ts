import { ConflictError, StaleBatchError, StorageError } from '../errors.js';
import { maxSafeSequence } from '../layout/StorageKeys.js';
import { hashBytes, type KeyTable } from '../memtable/KeyTable.js';
import { noRuns, type MemFrame, type Memtable } from '../memtable/Memtable.js';
import type { SlabAllocator } from '../memtable/SlabAllocator.js';
import type { SegmentTable } from '../SegmentTable.js';
import { CommitFlags } from '../wal/CommitFrame.js';
import { FrameKind } from '../wal/WalFrame.js';
import { CommitGroups } from './CommitGroups.js';
import { CommitLayout } from './CommitLayout.js';
import type { PendingAppend, PendingControl, PendingItem, PendingTrim, ResolvedExpectation } from './PendingItem.js';
import type { ProducerRegistry, ProducerState } from './ProducerRegistry.js';

/** Where the writer stands, including commits not yet written. */
export interface WriterHead {
  nextSequence: number;
  /** The number the next WAL frame takes. */
  nextLsn: number;
  /** Time of the latest commit: a commit's time never goes back, whatever the clock does. */
  lastTimeMs: number;
}

/** A commit built and in the memtable, waiting for its WAL write. */
export interface BuiltCommit {
  readonly frame: MemFrame;
  readonly startSeq: number;
  readonly endSeq: number;
  readonly appends: PendingAppend[];
  readonly controls: PendingControl[];
  readonly producerBatches: { readonly state: ProducerState; readonly batchNumber: number }[];
  /** A trim frame's trim (its records were counted when it was built). */
  readonly trim?: PendingTrim;
}

/** The writer's state a commit reads and changes (LogState holds it; a recovery rebuilds it in place). */
export interface CommitState {
  readonly head: WriterHead;
  readonly keys: KeyTable;
  readonly memtable: Memtable;
  readonly slabs: SlabAllocator;
  readonly segments: SegmentTable;
  readonly producers: ProducerRegistry;
}

/** Counts a key's records in `[from, end)`, every frame built so far included. */
export type RecordCounter = (key: Buffer, keyStr: string, from: number, end: number) => number;

/** Something settled once what is queued before it is durable. */
export interface Settleable {
  settle(error: Error | null): void;
}

/** What building turned the items into: a frame to write, or nothing (controls only, every append answered already, a trim with nothing to remove). */
export type BuildOutcome = { readonly commit: BuiltCommit } | { readonly commit: undefined; readonly controls: Settleable[] };

/**
 * Turns queued appends into one WAL frame: answers idempotent retries from the producer window,
 * checks conditions (`expect`), assigns sequences and groups the records by key (one run per
 * key); CommitLayout then writes the frame into slab memory. Every effect on the writer's state
 * (key counts, segments, producer windows, the memtable) follows from the frame, as replaying it
 * would. Synchronous; reads LMDB only to load the state of a key or producer not in memory.
 */
export class CommitBuilder {
  private readonly groups = new CommitGroups();
  /** For each record of the commit, in item order, its group. */
  private recordGroups = new Int32Array(1024);
  private readonly frames: CommitLayout;
  private readonly head: WriterHead;
  private readonly keys: KeyTable;
  private readonly memtable: Memtable;
  private readonly segments: SegmentTable;
  private readonly producers: ProducerRegistry;

  constructor(
    state: CommitState,
    private readonly now: () => number,
    private readonly countRecords: RecordCounter,
  ) {
    ({ head: this.head, keys: this.keys, memtable: this.memtable, segments: this.segments, producers: this.producers } = state);
    this.frames = new CommitLayout(state.slabs, state.keys);
  }

  build(items: readonly PendingItem[]): BuildOutcome {
    const timeMs = Math.max(this.now(), this.head.lastTimeMs);
    const controls: PendingControl[] = [];
    const appends: PendingAppend[] = [];
    const keys = this.keys;
    const groups = this.groups;
    groups.begin();
    let recordsGrouped = 0;
    const producerBatches: { state: ProducerState; batchNumber: number }[] = [];
    const startSeq = this.head.nextSequence;
    let seq = startSeq;
    let payloadBytes = 0;

    for (const item of items) {
      if (item.kind === 'trim') return this.trimFrame(item, timeMs);
      if (item.kind !== 'append') {
        controls.push(item);
        continue;
      }
      let producer: ProducerState | undefined;
      if (item.producer !== undefined) {
        producer = this.producers.state(item.producer.id);
        if (this.answeredAsRetry(item, producer)) continue;
      }
      if (item.expect !== undefined) {
        const conflict = this.checkExpectations(item.expect);
        if (conflict !== undefined) {
          item.settle(conflict);
          continue;
        }
      }
      const batch = item.batch;
      const n = batch.count;
      if (seq + n - 1 > maxSafeSequence) {
        item.settle(new StorageError('the log has used every sequence up to 2^53-1 and cannot take more records'));
        continue;
      }
      item.startSequence = seq;
      if (recordsGrouped + n > this.recordGroups.length) {
        const more = new Int32Array(Math.max(2 * this.recordGroups.length, recordsGrouped + n));
        more.set(this.recordGroups.subarray(0, recordsGrouped));
        this.recordGroups = more;
      }
      const recordGroups = this.recordGroups;
      const source = batch.buffer;
      const offsets = batch.offsets;
      for (let i = 0; i < n; i++, seq++) {
        const keyStart = offsets[4 * i];
        const keyEnd = offsets[4 * i + 1];
        const g = groups.of(keys.forWrite(source, keyStart, keyEnd, hashBytes(source, keyStart, keyEnd)));
        const before = groups.records[g];
        if (before === 0) groups.firstSeq[g] = seq;
        if (i === 0) item.firstOffset = keys.count[groups.handle[g]] + before;
        groups.lastSeq[g] = seq;
        groups.records[g] = before + 1;
        groups.valueBytes[g] += offsets[4 * i + 3] - offsets[4 * i + 2];
        if (batch.headers !== undefined) groups.headerBytes[g] += batch.headerBlockEnd(i) - batch.headerBlockStart(i);
        recordGroups[recordsGrouped++] = g;
      }
      appends.push(item);
      item.timeMs = timeMs;
      payloadBytes += item.bytes;
      if (producer !== undefined && item.producer !== undefined) {
        this.producers.record(producer, item.producer.batchNumber, item, item.firstOffset, timeMs);
        producerBatches.push({ state: producer, batchNumber: item.producer.batchNumber });
      }
    }

    if (appends.length === 0) {
      const seal = controls.some((c) => c.kind === 'seal') ? this.segments.sealable() : undefined;
      if (seal === undefined) return { commit: undefined, controls };
      return { commit: this.sealFrame(seal.id, timeMs, controls) };
    }

    const placement = this.segments.placeCommit(timeMs);
    const bytesBefore = placement.opens ? 0 : (this.segments.last()?.bytes ?? 0);
    const seals = controls.some((c) => c.kind === 'seal') || this.segments.dueAfter(bytesBefore + payloadBytes, timeMs, placement.opens);
    const lsn = this.head.nextLsn;
    const frame = this.frames.commit(
      { lsn, startSeq, timeMs, records: seq - startSeq, segmentId: placement.segmentId, flags: (placement.opens ? CommitFlags.OpensSegment : 0) | (seals ? CommitFlags.SealsSegment : 0), payloadBytes },
      { appends, groups, recordGroups: this.recordGroups, producerBatches },
    );

    this.segments.applyCommit({ segmentId: placement.segmentId, opensSegment: placement.opens, sealsSegment: seals, startSeq, endSeq: seq, timeMs, records: seq - startSeq, payloadBytes });
    const { count, lastSeq } = keys;
    for (let g = 0; g < groups.count; g++) {
      const h = groups.handle[g];
      count[h] += groups.records[g];
      lastSeq[h] = groups.lastSeq[g];
    }
    const memFrame: MemFrame = { lsn, kind: FrameKind.Commit, frame: frame.buffer, slab: frame.slab, startSeq, endSeq: seq, firstRun: this.memtable.nextRun, runCount: groups.count };
    this.memtable.add(memFrame, { count: groups.count, keys: groups.handle, firstSeqs: groups.firstSeq, headerOffsets: groups.runStart });
    this.head.nextSequence = seq;
    this.head.nextLsn = lsn + 1;
    this.head.lastTimeMs = timeMs;
    return { commit: { frame: memFrame, startSeq, endSeq: seq, appends, controls, producerBatches } };
  }

  /** A commit's WAL write completed: its producer batches are committed (retries are answered from the window). */
  afterWrite(commit: BuiltCommit): void {
    for (const p of commit.producerBatches) this.producers.committed(p.state, p.batchNumber);
  }

  /** A commit's WAL write failed: its producer batches may be sent again and appended. */
  afterFailedWrite(commit: BuiltCommit): void {
    for (const p of commit.producerBatches) this.producers.failed(p.state, p.batchNumber);
  }

  private sealFrame(segmentId: number, timeMs: number, controls: PendingControl[]): BuiltCommit {
    const lsn = this.head.nextLsn;
    const piece = this.frames.seal(lsn, this.head.nextSequence, segmentId, timeMs);
    this.segments.applySeal(segmentId);
    const frame: MemFrame = { lsn, kind: FrameKind.Seal, frame: piece.buffer, slab: piece.slab, startSeq: this.head.nextSequence, endSeq: this.head.nextSequence, firstRun: this.memtable.nextRun, runCount: 0 };
    this.memtable.add(frame, noRuns);
    this.head.nextLsn = lsn + 1;
    this.head.lastTimeMs = timeMs;
    return { frame, startSeq: frame.startSeq, endSeq: frame.endSeq, appends: [], controls, producerBatches: [] };
  }

  /**
   * A trim (or deletion) of a key: its records below the trim sequence are counted now, and the
   * key's state says from here on that they are gone; readers see it once the frame is durable.
   * Nothing is written for a key without records to remove (unless it is deleted and has any).
   */
  private trimFrame(item: PendingTrim, timeMs: number): BuildOutcome {
    const keys = this.keys;
    const h = keys.forWrite(item.key, 0, item.key.length, hashBytes(item.key, 0, item.key.length));
    const head = this.head.nextSequence;
    const trimSeq = item.deleteKey ? head : Math.min(item.before as number, head);
    // A deletion resets offsets even when trims already removed every record; only a key with no
    // offsets to reset (never written, or deleted with nothing since) has nothing to do.
    const nothingToDo = item.deleteKey ? keys.count[h] === 0 : trimSeq <= keys.trimSeq[h] || keys.lastSeq[h] < 0;
    if (nothingToDo) {
      item.removed = 0;
      return { commit: undefined, controls: [item] };
    }
    item.removed = this.countRecords(item.key, item.keyStr, keys.trimSeq[h], trimSeq);
    if (item.removed === 0 && !item.deleteKey) return { commit: undefined, controls: [item] };
    const lsn = this.head.nextLsn;
    const piece = this.frames.trim(lsn, head, { keyId: keys.keyId[h], trimSeq, deleteKey: item.deleteKey, key: item.key });
    keys.trimSeq[h] = trimSeq;
    if (item.deleteKey) keys.count[h] = 0; // a fresh stream: its offsets start again from 0
    const frame: MemFrame = { lsn, kind: FrameKind.Trim, frame: piece.buffer, slab: piece.slab, startSeq: head, endSeq: head, firstRun: this.memtable.nextRun, runCount: 0, trimmed: h };
    this.memtable.add(frame, noRuns);
    this.head.nextLsn = lsn + 1;
    this.head.lastTimeMs = timeMs;
    return { commit: { frame, startSeq: head, endSeq: head, appends: [], controls: [], producerBatches: [], trim: item } };
  }

  /** Settle a retried batch from its producer's window; false when the batch is new. */
  private answeredAsRetry(item: PendingAppend, producer: ProducerState): boolean {
    const batchNumber = (item.producer as { batchNumber: number }).batchNumber;
    const verdict = this.producers.verdict(producer, batchNumber);
    switch (verdict.kind) {
      case 'new':
        return false;
      case 'committed':
        item.settle(null, { startSequence: verdict.startSequence, count: verdict.count, offset: verdict.offset, timestamp: verdict.timeMs, duplicate: true });
        return true;
      case 'inFlight':
        (verdict.original.followers ??= []).push(item.settle);
        return true;
      case 'tooOld':
        item.settle(
          new StaleBatchError(
            `batch ${batchNumber} of producer ${JSON.stringify(producer.id)} is older than its idempotency window (oldest kept: ${verdict.oldest}); ` +
              'it cannot be told whether it was appended, so it was not appended again',
          ),
        );
        return true;
    }
  }

  private checkExpectations(expect: readonly ResolvedExpectation[]): ConflictError | undefined {
    for (const e of expect) {
      const h = this.keys.forWrite(e.key, 0, e.key.length, hashBytes(e.key, 0, e.key.length));
      const g = this.groups.find(h);
      const actual = g >= 0 && this.groups.records[g] > 0 ? this.groups.lastSeq[g] : this.keys.lastSeq[h];
      if (actual !== e.lastSeq) {
        const shown = (s: number): string => (s < 0 ? 'none' : String(s));
        return new ConflictError(
          `expected key ${JSON.stringify(e.key.toString('utf8'))} to have last sequence ${shown(e.lastSeq)}, ` +
            `but it is ${shown(actual)}; read the key again and retry with the current sequence`,
          e.key,
          actual < 0 ? null : actual,
        );
      }
    }
    return undefined;
  }
}
