import { limits } from '../limits.js';
import {
  checkedBatch,
  checkedExpectations,
  checkedKey,
  checkedPrefix,
  checkedPositive,
  checkedProducer,
  checkedSegmentRange,
  checkedSeqRange,
  type RecordBounds,
} from './ArgumentChecks.js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { CursorStore } from './CursorStore.js';
import { lmdbFile, readCopyFlushedSeq } from './env/StorageEnvironment.js';
import type { GroupOffsetStore } from './GroupOffsetStore.js';
import { awaitWrite } from './env/LmdbWrite.js';
import { withSnapshot } from './read/ReadSnapshot.js';
import { ClosedError, InvalidArgumentError } from './errors.js';
import { encodeKeyCode } from './KeyCode.js';
import { KeyRetention } from './KeyRetention.js';
import type { LogDbOptions } from './LogDbOptions.js';
import { openLog, type LogParts } from './openLog.js';
import type { KeyPredicate } from './read/GlobalReader.js';
import { listKeysOfSegments } from './read/KeyListing.js';
import type { KeyRef } from './read/KeyRows.js';
import { LogIterator, type ReadPage } from './read/LogIterator.js';
import type { RecordBatch } from './RecordBatch.js';
import type { AppendOptions, AppendOutput, BytesLike, ListKeysOptions, Record, ScanOptions, Segment, SegmentRange, SeqRange } from './types.js';
import { CommitFrame } from './wal/CommitFrame.js';
import { FrameKind } from './wal/WalFrame.js';
import type { CommittedChunk } from './write/GroupCommitWriter.js';

export type { LogDbOptions } from './LogDbOptions.js';

/**
 * A key's stream in offsets (each entry's ordinal within its key, which Kafka calls its offset):
 * `[start, end)` are the offsets of its retained entries.
 */
export interface KeyOffsets {
  /** Offset of the first retained entry (Kafka's log start offset); `end` when none is retained. */
  readonly start: number;
  /** Entries ever appended to the key (and visible): the next entry's offset (Kafka's high watermark). */
  readonly end: number;
}

/** Which keys a global scan follows. */
export type KeySelector = { readonly keys: readonly BytesLike[] } | { readonly prefix: BytesLike };

/** A checked listKeys request. */
interface Listing {
  readonly start: number;
  readonly end: number;
  readonly prefix: Buffer | undefined;
  readonly after: Buffer | undefined;
  readonly limit: number;
}

/** Figures about the log, for monitoring. */
export interface LogStats {
  readonly committedSequence: number;
  readonly durableSequence: number;
  readonly queuedBatches: number;
  readonly queuedBytes: number;
  readonly waitingAppends: number;
  readonly commitsInFlight: number;
  /** Segments readers see (those retention is deleting are not counted). */
  readonly segments: number;
  readonly storedRecords: number;
  readonly storedBytes: number;
  /** Bytes of unflushed commits held in memory, and the distinct keys among them. */
  readonly memtableBytes: number;
  readonly memtableKeys: number;
  /** Where LMDB ends: everything below is in key-clustered generations. */
  readonly flushedSequence: number;
  readonly flushes: number;
  readonly lastFlushMs: number;
  /**
   * Commits followed by a pause because the memtable neared its bound while a flush ran, and the
   * pauses' total: writing outpaces flushing, and is slowed evenly rather than stopped.
   */
  readonly pacedCommits: number;
  readonly pacedMs: number;
  /** WAL files holding frames not yet flushed (and the one being written). */
  readonly walFiles: number;
}

/**
 * The embedded log: OpenData Log's key-oriented model on a write-ahead log and one LMDB
 * environment (see docs/storage.md).
 *
 * @example
 * const log = await LogDb.open({ path: './odlog-data' });
 * const { startSequence } = await log.append([{ key: 'orders', value: '{"id":1}' }]);
 * for await (const e of log.scan('orders')) console.log(e.sequence, e.value.toString());
 * await log.close();
 */
export class LogDb {
  private closed = false;

  private readonly keyRetention: KeyRetention;

  private constructor(
    private readonly parts: LogParts,
    options: LogDbOptions,
  ) {
    this.keyRetention = new KeyRetention(options.keyRetention ?? [], this, parts.clock, options.retention?.checkIntervalMs ?? 60_000);
    if (this.keyRetention.enabled) {
      parts.writer.onVisible((chunk) => this.keyRetention.onChunk(chunk));
      this.keyRetention.start();
    }
  }

  /** Open (or create) the log in `options.path`. */
  static async open(options: LogDbOptions): Promise<LogDb> {
    let log: LogDb | undefined;
    const parts = await openLog(options, () => log?.checkOpen());
    try {
      log = new LogDb(parts, options);
    } catch (error) {
      await closeParts(parts);
      throw error;
    }
    return log;
  }

  /** Named consumer cursors, stored with the log. */
  get cursors(): CursorStore {
    return this.parts.cursors;
  }

  /** Committed offsets of consumer groups (the Kafka listener's), stored with the log. */
  get groups(): GroupOffsetStore {
    return this.parts.groups;
  }

  /**
   * The offsets of `key`'s retained entries below sequence `end` (default: everything visible).
   * @example
   * const { start, end } = log.offsets('orders'); // Kafka: log start offset, high watermark
   */
  offsets(key: BytesLike, options: { end?: number } = {}): KeyOffsets {
    this.checkOpen();
    const ref = this.keyRef(key);
    const end = this.boundedEnd(options.end);
    return withSnapshot(this.parts.env.tables, end, (snapshot) => {
      const last = this.parts.keyRows.offsetEnd(ref, end, snapshot);
      const first = this.parts.keyRows.firstOffsetFrom(ref, 0, end, snapshot);
      return { start: first ?? last, end: last };
    });
  }

  /**
   * The sequence of `key`'s first retained entry whose offset is at least `offset`, below
   * sequence `end` (default: everything visible); undefined when there is none.
   * @example
   * const seq = log.sequenceOfOffset('orders', 1000); // then log.scan('orders', { start: seq })
   */
  sequenceOfOffset(key: BytesLike, offset: number, options: { end?: number } = {}): { sequence: number; offset: number } | undefined {
    this.checkOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError(`an offset is a non-negative safe integer, got ${String(offset)}`);
    const ref = this.keyRef(key);
    const end = this.boundedEnd(options.end);
    return withSnapshot(this.parts.env.tables, end, (snapshot) =>
      this.parts.keyRows.findFirst(ref, end, snapshot, (row) => row.countBefore <= offset, (row, i) => row.offset(i) < offset),
    );
  }

  /**
   * `key`'s first retained entry appended at or after `timeMs` (append times never decrease along
   * the log), below sequence `end`; undefined when there is none.
   * @example
   * const first = log.entryAtTime('orders', Date.now() - 3_600_000); // the last hour
   */
  entryAtTime(key: BytesLike, timeMs: number, options: { end?: number } = {}): { sequence: number; offset: number } | undefined {
    this.checkOpen();
    if (!Number.isFinite(timeMs)) throw new InvalidArgumentError(`a time is a number of milliseconds, got ${String(timeMs)}`);
    const ref = this.keyRef(key);
    const end = this.boundedEnd(options.end);
    return withSnapshot(this.parts.env.tables, end, (snapshot) =>
      this.parts.keyRows.findFirst(ref, end, snapshot, (row) => row.baseTimeMs < timeMs, (row, i) => row.timestamp(i) < timeMs),
    );
  }

  /**
   * The first sequence appended at or after `timeMs` (append times never decrease along the log),
   * or the visible end when there is none: where to start reading "from a time".
   * @example
   * for await (const e of log.scanGlobal({ prefix: '' }, { start: log.sequenceAtTime(Date.now() - 60_000) })) handle(e);
   */
  sequenceAtTime(timeMs: number): number {
    this.checkOpen();
    if (!Number.isFinite(timeMs)) throw new InvalidArgumentError(`a time is a number of milliseconds, got ${String(timeMs)}`);
    const { memtable } = this.parts.state;
    const end = this.visibleSequence;
    return withSnapshot(this.parts.env.tables, end, (snapshot) => {
      const found = this.parts.chunkTimes.firstAtOrAfter(timeMs, Math.min(end, snapshot.flushedSeq), snapshot.transaction);
      if (found !== undefined) return found;
      for (let i = memtable.firstFrameIndexFrom(snapshot.flushedSeq); ; i++) {
        const frame = memtable.frameByIndex(i);
        if (frame === undefined || frame.startSeq >= end) return end;
        if (frame.kind === FrameKind.Commit && frame.endSeq > frame.startSeq && new CommitFrame(frame.frame).timeMs >= timeMs) return frame.startSeq;
      }
    });
  }

  /**
   * The highest-numbered batch in an idempotent producer's window (from memory or LMDB), if it
   * has any: a Kafka producer's next expected sequence follows it, across restarts too.
   */
  producerLastBatch(id: string): { readonly batchNumber: number; readonly count: number } | undefined {
    this.checkOpen();
    return this.parts.state.producers.lastBatch(id);
  }

  /** A producer id never handed out before, even across restarts (the Kafka listener's InitProducerId). */
  async allocateProducerId(): Promise<number> {
    this.checkOpen();
    const meta = this.parts.env.tables.meta;
    const key = Buffer.from('producer-ids');
    let id = 0;
    await awaitWrite(
      this.parts.env.tables.root.transaction(() => {
        const raw = meta.getBinary(key);
        id = raw === undefined ? 0 : raw.readDoubleLE(0);
        const next = Buffer.allocUnsafe(8);
        next.writeDoubleLE(id + 1, 0);
        meta.put(key, next);
      }),
      'allocating a producer id',
    );
    return id;
  }

  private boundedEnd(end: number | undefined): number {
    const visible = this.visibleSequence;
    if (end === undefined) return visible;
    if (!Number.isSafeInteger(end) || end < 0) throw new InvalidArgumentError(`end must be a non-negative safe integer, got ${String(end)}`);
    return Math.min(end, visible);
  }

  /**
   * Append a batch atomically: all records become visible together with contiguous sequences,
   * or none does. Resolves once the batch is durable (`sync`) or written (`async`).
   * @example
   * await log.append([{ key: 'acct-7', value: 'opened' }], { expect: [{ key: 'acct-7', lastSequence: null }] });
   */
  async append(records: readonly Record[] | RecordBatch, options: AppendOptions = {}): Promise<AppendOutput> {
    this.checkOpen();
    const bounds = this.parts.bounds;
    const batch = checkedBatch(records, bounds);
    const expect = checkedExpectations(options.expect, bounds.keyBytesMax);
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 0)) {
      throw new InvalidArgumentError(`timeoutMs must be a non-negative number, got ${options.timeoutMs}`);
    }
    return this.parts.writer.append(batch, expect, checkedProducer(options.producer), options.timeoutMs);
  }

  /**
   * Entries of one key in `[start, end)`, in sequence order.
   * @example
   * const it = log.scan('orders', { start: 100 }, { limit: 50 });
   * for await (const e of it) handle(e);
   * it.nextSequence; // where to resume
   */
  scan(key: BytesLike, range?: SeqRange, options: ScanOptions = {}): LogIterator {
    this.checkOpen();
    const ref = this.keyRef(key);
    return this.iterator(range, options, (from, end, maxEntries, pageBytes) => this.parts.keyReader.readPage(ref, from, end, maxEntries, pageBytes));
  }

  /**
   * Entries of several keys, or of every key under a prefix, in global sequence order.
   * @example
   * for await (const e of log.scanGlobal({ prefix: 'tenant-a:' }, { start: 0 })) handle(e);
   */
  scanGlobal(selector: KeySelector, range?: SeqRange, options: ScanOptions = {}): LogIterator {
    this.checkOpen();
    const matches = this.predicateOf(selector);
    return this.iterator(range, options, (from, end, maxEntries, pageBytes) => this.parts.globalReader.readPage(matches, from, end, maxEntries, pageBytes));
  }

  private iterator(range: SeqRange | undefined, options: ScanOptions, read: (from: number, end: number, maxEntries: number, pageBytes: number) => ReadPage): LogIterator {
    const { start, end } = checkedSeqRange(range);
    const limit = checkedPositive(options.limit, 'limit', Number.MAX_SAFE_INTEGER);
    const maxBytes = checkedPositive(options.maxBytes, 'maxBytes', Number.MAX_SAFE_INTEGER);
    return new LogIterator(
      (from, maxEntries, pageBytes) => {
        this.checkOpen();
        return read(from, end, maxEntries, pageBytes);
      },
      start,
      limit,
      maxBytes,
      Math.min(maxBytes, limits.scanPageBytesMax),
    );
  }

  /** Exact number of entries of `key` in `[start, end)`; reads no values. */
  async count(key: BytesLike, range?: SeqRange): Promise<number> {
    this.checkOpen();
    const ref = this.keyRef(key);
    const { start, end } = checkedSeqRange(range);
    return this.parts.keyReader.count(ref, start, end);
  }

  /** Segments overlapping the sequence range `[start, end)`, oldest first. */
  async listSegments(range?: SeqRange): Promise<Segment[]> {
    this.checkOpen();
    const { start, end } = checkedSeqRange(range);
    const all = this.parts.state.segments.visible();
    return all.filter((s, i) => {
      // A segment covers [startSeq, next segment's startSeq); the newest covers everything after its start.
      const coverEnd = i + 1 < all.length ? all[i + 1].startSeq : Number.POSITIVE_INFINITY;
      return s.startSeq < end && coverEnd > start;
    });
  }

  /**
   * Distinct keys with entries in the segments `[start, end)`, sorted bytewise, streamed a page at a time.
   * @example
   * for await (const key of log.listKeys({}, { prefix: 'tenant-a:', limit: 100 })) console.log(key.toString());
   */
  listKeys(range?: SegmentRange, options: ListKeysOptions = {}): AsyncIterable<Buffer> {
    this.checkOpen();
    const bounds = this.parts.bounds;
    const { start, end } = checkedSegmentRange(range);
    const given = options.prefix === undefined ? undefined : Buffer.from(checkedPrefix(options.prefix, bounds.keyBytesMax));
    const listing: Listing = {
      start,
      end,
      prefix: given !== undefined && given.length > 0 ? given : undefined,
      after: options.after === undefined ? undefined : Buffer.from(checkedKey(options.after, bounds.keyBytesMax, 'after')),
      limit: checkedPositive(options.limit, 'limit', Number.MAX_SAFE_INTEGER),
    };
    return this.parts.state.keys.pinned > limits.listKeysUnflushedKeysMax ? this.listKeysAfterFlush(listing) : this.listKeysNow(listing);
  }

  private listKeysNow({ start, end, prefix, after, limit }: Listing): AsyncIterable<Buffer> {
    const segments = this.parts.state.segments.all().filter((s) => s.id >= start && s.id < end && !s.deleting);
    const listed = listKeysOfSegments(
      this.parts.env.tables,
      { segmentIds: segments.map((s) => s.id), prefix, after, limit: this.parts.state.trims.size === 0 ? limit : Number.MAX_SAFE_INTEGER, unflushed: this.unflushedKeys(start, end, prefix) },
      () => this.checkOpen(),
    );
    if (this.parts.state.trims.size === 0 || segments.length === 0) return listed;
    // A trim not flushed yet: its key is listed only if records of it remain in the segments.
    const last = segments[segments.length - 1];
    const to = last === this.parts.state.segments.last() ? Number.MAX_SAFE_INTEGER : last.endSeq;
    return this.withoutTrimmedAway(listed, segments[0].startSeq, to, limit);
  }

  /**
   * The memtable's keys are merged into a listing from one sorted array: past a bound, the
   * memtable is flushed first, so the listing reads LMDB a page at a time and its memory stays
   * flat whatever the number of keys (a million unflushed keys cost ~350 MiB in that array).
   */
  private async *listKeysAfterFlush(listing: Listing): AsyncGenerator<Buffer> {
    await this.parts.flusher.flushAll();
    this.checkOpen();
    // Once: under appends over ever more keys, the memtable may hold many again; its bound holds then.
    yield* this.listKeysNow(listing);
  }

  private async *withoutTrimmedAway(keys: AsyncIterable<Buffer>, from: number, to: number, limit: number): AsyncGenerator<Buffer> {
    let yielded = 0;
    for await (const key of keys) {
      if (yielded >= limit) return;
      if (this.parts.state.trims.get(key.toString('latin1')) !== undefined && (await this.count(key, { start: from, end: to })) === 0) continue;
      yielded++;
      yield key;
    }
  }

  /** Keys of the segments `[start, end)` with records in the memtable, sorted by code. */
  private unflushedKeys(start: number, end: number, prefix: Buffer | undefined): { code: Buffer; key: Buffer }[] {
    const { memtable, flushedSeq } = { memtable: this.parts.state.memtable, flushedSeq: this.parts.flusher.flushedSeq };
    const visibleEnd = this.visibleSequence;
    const seen = new Set<string>();
    const rows: { code: Buffer; key: Buffer }[] = [];
    for (let i = memtable.firstFrameIndexFrom(flushedSeq); ; i++) {
      const frame = memtable.frameByIndex(i);
      if (frame === undefined || frame.startSeq >= visibleEnd) break;
      if (frame.kind !== FrameKind.Commit) continue;
      const commit = new CommitFrame(frame.frame);
      if (commit.segmentId < start || commit.segmentId >= end) continue;
      for (const run of commit.runs()) {
        if (prefix !== undefined && (run.key.length < prefix.length || run.key.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0)) continue;
        const keyStr = run.key.toString('latin1');
        if (seen.has(keyStr)) continue;
        seen.add(keyStr);
        const key = Buffer.from(run.key);
        rows.push({ code: encodeKeyCode(key), key });
      }
    }
    return rows.sort((a, b) => Buffer.compare(a.code, b.code));
  }

  /**
   * Remove `key`'s entries below sequence `before`, durably and atomically (Kafka DeleteRecords,
   * Redis XTRIM MINID): readers see the key before or after, never half. Offsets of what remains do
   * not change. Resolves with how many entries went. The bytes leave LMDB's pages at the next flush
   * (see docs/storage.md for when they are overwritten).
   * @example
   * const removed = await log.trim('orders', { before: 1_000_000 });
   */
  async trim(key: BytesLike, options: { before: number }): Promise<number> {
    this.checkOpen();
    const ref = this.keyRef(key);
    const before = options?.before;
    if (!Number.isSafeInteger(before) || before < 0) throw new InvalidArgumentError(`trim needs { before: a non-negative sequence }, got ${String(before)}`);
    return this.parts.writer.trim(ref.key, before, false);
  }

  /**
   * Remove every entry of `key` and the key from every listing (an entity's erasure), durably and
   * atomically. A later append to the key starts a fresh stream: its offsets start again from 0 and
   * its sequences are above everything before. Resolves with how many entries went.
   * @example
   * await log.deleteKey('customer-4711');
   */
  async deleteKey(key: BytesLike): Promise<number> {
    this.checkOpen();
    const ref = this.keyRef(key);
    return this.parts.writer.trim(ref.key, undefined, true);
  }

  /**
   * Write a consistent copy of the log into `dir` (a new or empty directory) while appends go on:
   * everything written so far is flushed to LMDB, which is then copied with compaction (live pages
   * only: no free pages, so no bytes of deleted records). Resolves with the copy's size and the
   * exclusive end of the sequences it holds (whole commits only). Start a broker or open a LogDb on
   * `dir` to use it; cursors, consumer-group offsets and idempotent producers' windows are in it, as
   * of that point.
   * @example
   * const { bytes, sequence } = await log.backup('/backups/odlog-2026-12-02');
   */
  async backup(dir: string): Promise<{ readonly bytes: number; readonly sequence: number }> {
    this.checkOpen();
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('backup needs a directory path');
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new InvalidArgumentError(`backup directory ${dir} is not empty; give a new or empty directory`);
    await this.parts.flusher.flushAll();
    const file = lmdbFile(dir);
    await awaitWrite(this.parts.env.tables.root.backup(file, true), `writing a backup to ${dir}`);
    return { bytes: statSync(file).size, sequence: readCopyFlushedSeq(file) };
  }

  /** Seal the active segment; the next append opens a new one. */
  async seal(): Promise<void> {
    this.checkOpen();
    return this.parts.writer.seal();
  }

  /** Resolve once every append made before this call is settled and every committed record is on disk. */
  async flush(): Promise<void> {
    this.checkOpen();
    return this.parts.writer.flush();
  }

  /** Resolve once `sequence` is durable. */
  whenDurable(sequence: number): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('the log is closed; open it again to continue'));
    return this.parts.writer.whenDurable(sequence);
  }

  /** Exclusive end of the durable log: every sequence below it is on disk. */
  get durableSequence(): number {
    return this.parts.writer.durableSequence;
  }

  /** Exclusive end of the committed log: everything below is written to the write-ahead log. */
  get committedSequence(): number {
    return this.parts.writer.committedSequence;
  }

  /** Exclusive end of what readers see: durable with `sync` durability or `durable` visibility, else committed. */
  get visibleSequence(): number {
    return this.parts.writer.visibleSequence;
  }

  /**
   * Be told of every commit as it becomes visible to readers, with its records grouped by key.
   * The chunk's rows are valid only during the call (their memory is reused later): copy what
   * you keep. A listener that throws is a bug: the error is rethrown outside the log (it stops
   * the process unless the application handles uncaught exceptions). Returns a function that
   * stops the notifications.
   * @example
   * const stop = log.onVisible((chunk) => console.log(`${chunk.endSequence - chunk.startSequence} records visible`));
   */
  onVisible(listener: (chunk: CommittedChunk) => void): () => void {
    return this.parts.writer.onVisible(listener);
  }

  /** Move everything committed so far from memory into LMDB's key-clustered generations now (a flush happens on its own too). */
  async compact(): Promise<void> {
    this.checkOpen();
    await this.parts.flusher.flushAll();
  }

  /** Run retention now instead of waiting for its interval; resolves with the number of segments deleted. */
  runRetention(): Promise<number> {
    this.checkOpen();
    return this.parts.retention.run();
  }

  stats(): LogStats {
    this.checkOpen();
    const { writer, state, flusher } = this.parts;
    let segments = 0;
    let storedRecords = 0;
    let storedBytes = 0;
    for (const s of state.segments.all()) {
      if (s.deleting) continue;
      segments++;
      storedRecords += s.records;
      storedBytes += s.bytes;
    }
    const queue = writer.queueDepth;
    return {
      committedSequence: writer.committedSequence,
      durableSequence: writer.durableSequence,
      queuedBatches: queue.batches,
      queuedBytes: queue.bytes,
      waitingAppends: queue.waiting,
      commitsInFlight: queue.commitsInFlight,
      segments,
      storedRecords,
      storedBytes,
      memtableBytes: state.memtable.bytes,
      memtableKeys: state.keys.pinned,
      flushedSequence: flusher.flushedSeq,
      flushes: flusher.flushes,
      lastFlushMs: flusher.lastFlushMs,
      pacedCommits: writer.pacedCommits,
      pacedMs: writer.pacedMs,
      walFiles: state.wal.filesRetained,
    };
  }

  /** What the last open (or recovery) replayed from the write-ahead log. */
  get lastRecovery(): { readonly framesReplayed: number; readonly bytesReplayed: number; readonly records: number; readonly millis: number } {
    return this.parts.state.lastRecovery;
  }

  /** Run per-key age retention now instead of waiting for its timer; resolves with the entries removed. */
  runKeyRetention(): Promise<number> {
    this.checkOpen();
    return this.keyRetention.agePass();
  }

  /** Drain the write queue, flush the memtable to LMDB, and close. Later calls fail with ClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.keyRetention.stop();
    this.closed = true;
    await closeParts(this.parts);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The record bounds appends are checked against. */
  get recordBounds(): RecordBounds {
    return this.parts.bounds;
  }

  private keyRef(key: BytesLike): KeyRef {
    const bytes = Buffer.from(checkedKey(key, this.parts.bounds.keyBytesMax));
    return { key: bytes, keyStr: bytes.toString('latin1') };
  }

  private predicateOf(selector: KeySelector): KeyPredicate {
    const keyBytesMax = this.parts.bounds.keyBytesMax;
    if (selector !== null && typeof selector === 'object' && 'prefix' in selector) {
      // The empty prefix is every key.
      const prefix = Buffer.from(checkedPrefix(selector.prefix, keyBytesMax));
      return (key) => key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
    }
    if (selector !== null && typeof selector === 'object' && 'keys' in selector && Array.isArray(selector.keys) && selector.keys.length > 0) {
      const wanted = new Set(selector.keys.map((k, i) => checkedKey(k, keyBytesMax, `keys[${i}]`).toString('latin1')));
      return (key) => wanted.has(key.toString('latin1'));
    }
    throw new InvalidArgumentError('a selector is { keys: [at least one key] } or { prefix }');
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('the log is closed; open it again to continue');
  }
}

/** Stop the timers, settle the write queue, flush what can be, and close the environment. */
async function closeParts(parts: LogParts): Promise<void> {
  const { timers, writer, retention, flusher, state, env } = parts;
  timers.stop();
  await writer.close();
  await retention.stop();
  await flusher.flushAll().catch(() => undefined); // the WAL holds whatever could not be flushed
  await flusher.stop();
  await state.wal.close().catch(() => undefined);
  await env.close();
}
