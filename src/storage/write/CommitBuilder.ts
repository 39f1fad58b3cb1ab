import type { CommitPassenger } from '../Compactor.js';
import type { ArenaPool } from './ArenaPool.js';
import { ConflictError, InvalidArgumentError, StorageError } from '../errors.js';
import type { KeyDirectory } from '../KeyDirectory.js';
import { encodeKeyCode, isTruncatedCode } from '../KeyCode.js';
import type { KeyState, KeyStateCache } from '../KeyStateCache.js';
import { encodeChunkEntry, type ChunkRowRef } from '../layout/ChunkEntry.js';
import { encodeHead, headKey } from '../layout/HeadRecord.js';
import { encodeListingEntry } from '../layout/ListingEntry.js';
import { encodeSegmentRecord } from '../layout/SegmentRecord.js';
import { chunkKey, keyIdKey, listingKey, maxSafeSequence, segmentKey, streamRowKey } from '../layout/StorageKeys.js';
import { recentKey, recentKeyIdBytes } from '../layout/RecentRow.js';
import { rowFixedHeaderBytes, rowHeaderBytes, splitRow, StreamRow } from '../layout/StreamRow.js';
import { limits } from '../../limits.js';
import type { SegmentState, SegmentTable } from '../SegmentTable.js';
import type { StorageTables } from '../StorageEnvironment.js';
import type { PendingAppend, PendingControl, PendingItem, ResolvedExpectation } from './PendingItem.js';
import type { ProducerRegistry, ProducerState } from './ProducerRegistry.js';
import { hashBytes, KeyGroup, KeyGroupIndex } from './KeyGroupIndex.js';

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
  readonly runs: readonly CommittedRun[];
}

/** One LMDB transaction's worth of appends, built and ready to write. */
export interface CommitUnit {
  readonly appends: PendingAppend[];
  readonly controls: PendingControl[];
  readonly startSeq: number;
  readonly endSeq: number;
  readonly nextKeyId: number;
  readonly timeMs: number;
  readonly states: KeyState[];
  readonly chunk: CommittedChunk;
  /** Key + value bytes of the accepted appends. */
  readonly bytes: number;
  /** Idempotent producer batches sequenced in this commit. */
  readonly producerBatches: { readonly state: ProducerState; readonly batchNumber: number }[];
  /** The runs written to `recent`, for the RecentIndex once the commit is visible. */
  readonly recentRuns: { readonly keyId: number; readonly firstSeq: number; readonly bytes: number }[];
  readonly write: () => void;
  readonly hasWrites: boolean;
  /** Work the writer added to the transaction (set when it is submitted). */
  passenger?: CommitPassenger;
  /**
   * The pooled buffer behind every row of the commit (and of `chunk`): back to
   * `CommitBuilder.arenas` once the transaction is done and the chunk was shown to listeners.
   */
  readonly arena: Buffer;
}

/** Where the writer stands: the next sequence and key id to hand out (including commits in flight). */
export interface WriterHead {
  nextSequence: number;
  nextKeyId: number;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Runs at least this big go straight to `streams`: their one page touch per key is already
 * amortised, and the recent tier would only write them twice.
 */
export const directRowBytesMin = 4096;

/**
 * Turns queued appends into one commit: checks conditions, assigns sequences, and lays the
 * records out as one run per key (in one arena buffer, for the `recent` tier), plus the listing, chunk,
 * segment and head rows. Building is synchronous and touches LMDB only to load key states that
 * are not cached.
 */
export class CommitBuilder {
  constructor(
    private readonly tables: StorageTables,
    private readonly keyStates: KeyStateCache,
    private readonly directory: KeyDirectory,
    private readonly segments: SegmentTable,
    private readonly head: WriterHead,
    private readonly producers: ProducerRegistry,
    /** Arenas come from here; the writer gives each back once its commit is done with it. */
    readonly arenas: ArenaPool,
  ) {}

  build(items: readonly PendingItem[], version: number): CommitUnit {
    const timeMs = Date.now();
    const startSeq = this.head.nextSequence;
    const changedSegments = new Set<SegmentState>();
    const hasAppend = items.some((item) => item.kind === 'append');
    const segment = hasAppend ? this.segments.segmentForAppend(timeMs, startSeq, changedSegments) : undefined;
    const segmentId = segment?.id ?? -1;

    const groups = new KeyGroupIndex();
    const groupList: KeyGroup[] = [];
    const appends: PendingAppend[] = [];
    const controls: PendingControl[] = [];
    const groupOfRecord: Int32Array[] = [];
    const producerBatches: { state: ProducerState; batchNumber: number }[] = [];
    const producerRows = new Map<string, { key: Buffer; value: Buffer }>();
    let seq = startSeq;
    let bytes = 0;

    for (const item of items) {
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
        const conflict = this.checkExpectations(item.expect, groups);
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
      const recordGroups = new Int32Array(n);
      const source = batch.buffer;
      const offsets = batch.offsets;
      for (let i = 0; i < n; i++, seq++) {
        const keyStart = offsets[4 * i];
        const keyEnd = offsets[4 * i + 1];
        const hash = hashBytes(source, keyStart, keyEnd);
        let group = groups.find(source, keyStart, keyEnd, hash);
        if (group === undefined) {
          group = new KeyGroup(groupList.length, this.stateFor(batch.keyId(i), batch.key(i), segmentId));
          groups.add(group, hash);
          groupList.push(group);
        }
        if (group.n === 0) group.firstSeq = seq;
        group.lastSeq = seq;
        group.n++;
        group.valueBytes += batch.valueLength(i);
        recordGroups[i] = group.index;
      }
      groupOfRecord.push(recordGroups);
      appends.push(item);
      bytes += item.bytes;
      if (producer !== undefined && item.producer !== undefined) {
        producerRows.set(producer.id, this.producers.record(producer, item.producer.batchNumber, item, timeMs));
        producerBatches.push({ state: producer, batchNumber: item.producer.batchNumber });
      }
    }
    this.head.nextSequence = seq;

    const { arena, pooled } = this.layoutRows(groupList, appends, groupOfRecord);
    const runs: CommittedRun[] = [];
    const rowRefs: ChunkRowRef[] = [];
    for (const group of groupList) {
      const state = group.state;
      runs.push({ key: state.key, keyStr: state.keyStr, row: new StreamRow(arena.subarray(group.rowStart, group.rowEnd), group.firstSeq) });
      rowRefs.push({ keyId: state.keyId, firstSeq: group.firstSeq });
    }

    if (segment !== undefined && appends.length > 0) {
      segment.records += seq - startSeq;
      segment.bytes += bytes;
      segment.lastAppendTimeMs = timeMs;
      segment.endSeq = seq;
      changedSegments.add(segment);
      if (this.segments.isDue(segment, timeMs) && this.segments.sealActive() !== undefined) changedSegments.add(segment);
    }
    if (controls.some((c) => c.kind === 'seal')) {
      const sealed = this.segments.sealActive();
      if (sealed !== undefined) changedSegments.add(sealed);
    }

    const rowsWritten = groupList.map((group) => this.commitGroupState(group, segmentId));
    const newKeys = groupList.filter((_, i) => rowsWritten[i].isNewKey).map((group) => group.state);
    const nextKeyId = this.head.nextKeyId;
    const segmentRows = [...changedSegments].map((s) => ({ key: segmentKey(s.id), value: encodeSegmentRecord(s) }));
    const chunkRow = appends.length > 0
      ? { key: chunkKey(startSeq), value: encodeChunkEntry({ firstSeq: startSeq, records: seq - startSeq, timeMs, segmentId, rows: rowRefs }) }
      : undefined;
    const headRow = encodeHead({ nextSequence: seq, nextKeyId });
    const t = this.tables;

    const write = (): void => {
      for (let i = 0; i < groupList.length; i++) {
        const group = groupList[i];
        // A run as big as a page gains nothing from the recent tier (it would be rewritten to save one page touch).
        if (group.rowEnd - group.rowStart >= directRowBytesMin) {
          for (const piece of splitRow(runs[i].row, limits.streamRowBytesMax)) t.streams.put(streamRowKey(group.state.keyId, piece.firstSeq), piece.buffer);
        } else t.recent.put(recentKey(group.firstSeq), arena.subarray(group.prefixStart, group.rowEnd));
        const listing = rowsWritten[i].listing;
        if (listing !== undefined) t.listings.put(listing.key, listing.value);
      }
      for (const state of newKeys) {
        const id = Buffer.allocUnsafe(8);
        id.writeDoubleLE(state.keyId, 0);
        t.keys.put(state.code, id);
        t.keyNames.put(keyIdKey(state.keyId), state.key);
      }
      for (const row of producerRows.values()) t.producers.put(row.key, row.value);
      if (chunkRow !== undefined) t.chunks.put(chunkRow.key, chunkRow.value);
      for (const row of segmentRows) t.segments.put(row.key, row.value);
      t.meta.put(headKey, headRow, version);
    };

    return {
      appends,
      controls,
      startSeq,
      endSeq: seq,
      nextKeyId,
      timeMs,
      states: groupList.map((g) => g.state),
      chunk: { startSequence: startSeq, endSequence: seq, runs },
      bytes,
      producerBatches,
      recentRuns: groupList
        .filter((g) => g.rowEnd - g.rowStart < directRowBytesMin)
        .map((g) => ({ keyId: g.state.keyId, firstSeq: g.firstSeq, bytes: g.rowEnd - g.prefixStart })),
      write,
      hasWrites: appends.length > 0 || segmentRows.length > 0,
      arena: pooled,
    };
  }

  /** Settle a retried batch from its producer's window; false when the batch is new. */
  private answeredAsRetry(item: PendingAppend, producer: ProducerState): boolean {
    const batchNumber = (item.producer as { batchNumber: number }).batchNumber;
    const verdict = this.producers.verdict(producer, batchNumber);
    switch (verdict.kind) {
      case 'new':
        return false;
      case 'committed':
        item.settle(null, { startSequence: verdict.startSequence, count: verdict.count, duplicate: true });
        return true;
      case 'inFlight':
        (verdict.original.followers ??= []).push(item.settle);
        return true;
      case 'tooOld':
        item.settle(
          new InvalidArgumentError(
            `batch ${batchNumber} of producer ${JSON.stringify(producer.id)} is older than its idempotency window (oldest kept: ${verdict.oldest}); ` +
              'it cannot be told whether it was appended, so it was not appended again',
          ),
        );
        return true;
    }
  }

  /** The cached state of a key, or one loaded from LMDB (a new key gets the next id). */
  private stateFor(keyStr: string, key: Buffer, segmentId: number): KeyState {
    let state = this.keyStates.get(keyStr);
    if (state === undefined) {
      state = this.directory.loadState(key, keyStr, segmentId, () => this.head.nextKeyId++);
      this.keyStates.set(state);
    }
    return state;
  }

  private checkExpectations(expect: readonly ResolvedExpectation[], groups: KeyGroupIndex): ConflictError | undefined {
    for (const e of expect) {
      const actual = groups.get(e.key)?.lastSeq ?? this.lastSequenceOf(e.keyStr, e.key);
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

  private lastSequenceOf(keyStr: string, key: Buffer): number {
    const cached = this.keyStates.peek(keyStr);
    if (cached !== undefined) return cached.lastSeq;
    const keyId = this.directory.keyIdOf(encodeKeyCode(key));
    if (keyId === undefined) return -1;
    return this.directory.lastRow(keyId)?.lastSequence() ?? -1;
  }

  /**
   * Allocate one arena for every row and copy each record's value into its key's row. Each
   * batch's bytes are first copied once into the arena's tail, so that the per-record copies are
   * `copyWithin` inside one buffer (no view allocated per record), and rows start 4-aligned so
   * their headers are written through a Uint32Array.
   */
  private layoutRows(groupList: KeyGroup[], appends: PendingAppend[], groupOfRecord: Int32Array[]): { arena: Buffer; pooled: Buffer } {
    let rowsBytes = 0;
    for (const group of groupList) {
      group.prefixStart = rowsBytes;
      group.rowStart = rowsBytes + recentKeyIdBytes;
      group.rowEnd = group.rowStart + rowHeaderBytes(group.n) + group.valueBytes;
      rowsBytes = (group.rowEnd + 3) & ~3;
    }
    let scratchBytes = 0;
    for (const a of appends) scratchBytes += a.batch.buffer.length;
    const pooled = this.arenas.take(rowsBytes + scratchBytes);
    const arena = pooled.subarray(0, rowsBytes + scratchBytes);
    const words = littleEndian ? new Uint32Array(arena.buffer, arena.byteOffset, rowsBytes >>> 2) : undefined;
    for (const group of groupList) {
      arena.writeDoubleLE(group.state.keyId, group.prefixStart);
      arena.writeUInt32LE(group.n, group.rowStart);
      arena.writeDoubleLE(group.state.count, group.rowStart + 4);
      group.valueCursor = group.rowStart + rowHeaderBytes(group.n);
    }
    let scratch = rowsBytes;
    for (let a = 0; a < appends.length; a++) {
      const { batch, startSequence } = appends[a];
      arena.set(batch.buffer, scratch);
      const recordGroups = groupOfRecord[a];
      const offsets = batch.offsets;
      for (let i = 0; i < batch.count; i++) {
        const group = groupList[recordGroups[i]];
        const j = group.filled++;
        const valueStart = offsets[4 * i + 2];
        const valueEnd = offsets[4 * i + 3];
        arena.copyWithin(group.valueCursor, scratch + valueStart, scratch + valueEnd);
        group.valueCursor += valueEnd - valueStart;
        const deltaAt = group.rowStart + rowFixedHeaderBytes + 4 * j;
        const endAt = deltaAt + 4 * group.n;
        const delta = startSequence + i - group.firstSeq;
        const valueEndInRow = group.valueCursor - group.rowStart - rowHeaderBytes(group.n);
        if (words !== undefined) {
          words[deltaAt >>> 2] = delta;
          words[endAt >>> 2] = valueEndInRow;
        } else {
          arena.writeUInt32LE(delta, deltaAt);
          arena.writeUInt32LE(valueEndInRow, endAt);
        }
      }
      scratch += batch.buffer.length;
    }
    return { arena, pooled };
  }

  /** Apply a group to its key's state; returns the listing row to write, if the key is new to the segment. */
  private commitGroupState(group: KeyGroup, segmentId: number): { listing: { key: Buffer; value: Buffer } | undefined; isNewKey: boolean } {
    const state = group.state;
    const isNewKey = state.isNew;
    state.isNew = false;
    state.lastSeq = group.lastSeq;
    state.count += group.n;
    state.pins++;
    if (state.listedIn === segmentId) return { listing: undefined, isNewKey };
    state.listedIn = segmentId;
    return {
      listing: { key: listingKey(segmentId, state.code), value: encodeListingEntry(state.keyId, isTruncatedCode(state.code) ? state.key : undefined) },
      isNewKey,
    };
  }
}
