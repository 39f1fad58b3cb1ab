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
import { Compactor } from './Compactor.js';
import { CursorStore } from './CursorStore.js';
import { readU64BE } from './layout/StorageKeys.js';
import { RecentIndex } from './RecentIndex.js';
import { ArenaPool } from './write/ArenaPool.js';
import type { StorageTables } from './StorageEnvironment.js';
import { StreamStore } from './StreamStore.js';
import { ClosedError, InvalidArgumentError } from './errors.js';
import { KeyDirectory } from './KeyDirectory.js';
import { KeyStateCache } from './KeyStateCache.js';
import { decodeHead, headKey } from './layout/HeadRecord.js';
import { decodeSegmentRecord } from './layout/SegmentRecord.js';
import { GlobalReader, type KeyPredicate } from './read/GlobalReader.js';
import { KeyStreamReader } from './read/KeyStreamReader.js';
import { listKeysOfSegments } from './read/KeyListing.js';
import { LogIterator, type ReadPage } from './read/LogIterator.js';
import type { RecordBatch } from './RecordBatch.js';
import { RetentionTask, type RetentionPolicy } from './RetentionTask.js';
import { SegmentTable, type SegmentationPolicy } from './SegmentTable.js';
import { StorageEnvironment } from './StorageEnvironment.js';
import type {
  AppendOptions,
  AppendOutput,
  BytesLike,
  Durability,
  ListKeysOptions,
  ReadVisibility,
  Record,
  ScanOptions,
  Segment,
  SegmentRange,
  SeqRange,
} from './types.js';
import { CommitBuilder, type CommittedChunk, type WriterHead } from './write/CommitBuilder.js';
import { GroupCommitWriter } from './write/GroupCommitWriter.js';
import { ProducerRegistry } from './write/ProducerRegistry.js';
import { WriteAdmission } from './write/WriteAdmission.js';

export interface LogDbOptions {
  /** Data directory; created if missing. */
  readonly path: string;
  /** `sync` (default): acknowledge after the commit is on disk. `async`: after commit; `durableSequence` lags. */
  readonly durability?: Durability;
  readonly segmentation?: SegmentationPolicy;
  readonly retention?: RetentionPolicy;
  /** `committed` (default): readers see every commit. `durable`: only what is on disk. */
  readonly readVisibility?: ReadVisibility;
  readonly keyBytesMax?: number;
  readonly valueBytesMax?: number;
  readonly batchRecordsMax?: number;
  readonly batchBytesMax?: number;
  readonly writeQueueBytesMax?: number;
  readonly writeQueueBatchesMax?: number;
  readonly commitBytesMax?: number;
  readonly commitRecordsMax?: number;
  readonly keyStateCacheEntriesMax?: number;
  readonly cursorsMax?: number;
  /** Batches per idempotent producer remembered for retries. */
  readonly producerWindowBatches?: number;
}

/** Which keys a global scan follows. */
export type KeySelector = { readonly keys: readonly BytesLike[] } | { readonly prefix: BytesLike };

/** Figures about the log, for monitoring. */
export interface LogStats {
  readonly committedSequence: number;
  readonly durableSequence: number;
  readonly queuedBatches: number;
  readonly queuedBytes: number;
  readonly waitingAppends: number;
  readonly commitsInFlight: number;
  readonly segments: number;
  readonly storedRecords: number;
  readonly storedBytes: number;
}

/**
 * The embedded log: OpenData Log's key-oriented model over one LMDB environment.
 *
 * @example
 * const log = await LogDb.open({ path: './odlog-data' });
 * const { startSequence } = await log.append([{ key: 'orders', value: '{"id":1}' }]);
 * for await (const e of log.scan('orders')) console.log(e.sequence, e.value.toString());
 * await log.close();
 */
export class LogDb {
  private closed = false;
  private readonly bounds: RecordBounds;
  private readonly visibility: ReadVisibility;

  private constructor(
    private readonly env: StorageEnvironment,
    private readonly writer: GroupCommitWriter,
    private readonly keyReader: KeyStreamReader,
    private readonly globalReader: GlobalReader,
    private readonly retention: RetentionTask,
    private readonly compactor: Compactor,
    /** Named consumer cursors, stored with the log. */
    readonly cursors: CursorStore,
    options: LogDbOptions,
  ) {
    this.visibility = options.readVisibility ?? 'committed';
    this.bounds = {
      keyBytesMax: options.keyBytesMax ?? limits.keyBytesMax,
      valueBytesMax: options.valueBytesMax ?? limits.valueBytesMax,
      batchRecordsMax: options.batchRecordsMax ?? limits.batchRecordsMax,
      batchBytesMax: options.batchBytesMax ?? limits.batchBytesMax,
    };
  }

  /** Open (or create) the log in `options.path`. */
  static async open(options: LogDbOptions): Promise<LogDb> {
    checkOptions(options);
    const env = StorageEnvironment.open({ path: options.path });
    const tables = env.tables;
    const head: WriterHead = decodeHead(tables.meta.getBinary(headKey) as Buffer);
    const keyStates = new KeyStateCache(options.keyStateCacheEntriesMax ?? limits.keyStateCacheEntriesMax);
    const recent = loadRecentIndex(tables);
    const streams = new StreamStore(tables, recent);
    const directory = new KeyDirectory(tables, streams);
    const segments = new SegmentTable(tables, options.segmentation ?? {});
    segments.load();
    const admission = new WriteAdmission({
      bytesMax: options.writeQueueBytesMax ?? limits.writeQueueBytesMax,
      batchesMax: options.writeQueueBatchesMax ?? limits.writeQueueBatchesMax,
      waitersMax: limits.writeWaitersMax,
    });
    const visibility = options.readVisibility ?? 'committed';
    const producers = new ProducerRegistry(tables, options.producerWindowBatches ?? limits.producerWindowBatches, limits.producersCachedMax);
    const builder = new CommitBuilder(tables, keyStates, directory, segments, head, producers, new ArenaPool(limits.arenasKept, limits.arenaBytesKept, limits.arenaBytesMin));
    const writer = new GroupCommitWriter(env, builder, head, keyStates, segments, admission, producers, recent, {
      durability: options.durability ?? 'sync',
      visibility,
      commitBytesMax: options.commitBytesMax ?? limits.commitBytesMax,
      commitRecordsMax: options.commitRecordsMax ?? limits.commitRecordsMax,
      commitsInFlightMax: limits.commitsInFlightMax,
    });
    const visibleLimit = (): number => (visibility === 'durable' ? writer.durableSequence : writer.committedSequence);
    const compactor = new Compactor(
      tables,
      recent,
      streams,
      {
        triggerBytes: limits.recentTierBytesMax,
        triggerRuns: limits.recentTierRunsMax,
        rideRunsMin: limits.compactRideRunsMin,
        rideRecordsMax: limits.compactRideRecordsMax,
        rideRunsMax: limits.compactRideRunsMax,
        idleMs: limits.compactIdleMs,
        rangeRecordsMax: limits.compactRecordsMax,
        rangeRunsMax: limits.compactRunsMax,
        rowBytesMax: limits.streamRowBytesMax,
      },
      () => writer.committedSequence,
    );
    writer.afterCommit = () => compactor.notify();
    writer.passenger = () => compactor.passenger();
    const retention = new RetentionTask(tables, options.retention ?? {}, limits.retentionRowsPerTxnMax, (seq) => compactor.compactBelow(seq), (id) => {
      segments.forget(id);
      keyStates.clearUnpinned();
    });
    const log: LogDb = new LogDb(
      env,
      writer,
      new KeyStreamReader(tables, directory, streams, visibleLimit),
      new GlobalReader(tables, directory, streams, visibleLimit),
      retention,
      compactor,
      new CursorStore(tables, options.cursorsMax ?? 100_000, () => log.checkOpen()),
      options,
    );
    log.startSealTimer(options.segmentation?.sealIntervalMs);
    retention.start();
    log.startProducerPruning(producers);
    return log;
  }

  /**
   * Append a batch atomically: all records become visible together with contiguous sequences,
   * or none does. Resolves once the batch is committed (and on disk with `sync` durability).
   * @example
   * await log.append([{ key: 'acct-7', value: 'opened' }], { expect: [{ key: 'acct-7', lastSequence: null }] });
   */
  async append(records: readonly Record[] | RecordBatch, options: AppendOptions = {}): Promise<AppendOutput> {
    this.checkOpen();
    const batch = checkedBatch(records, this.bounds);
    const expect = checkedExpectations(options.expect, this.bounds.keyBytesMax);
    if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 0)) {
      throw new InvalidArgumentError(`timeoutMs must be a non-negative number, got ${options.timeoutMs}`);
    }
    return this.writer.append(batch, expect, checkedProducer(options.producer), options.timeoutMs);
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
    const k = Buffer.from(checkedKey(key, this.bounds.keyBytesMax));
    return this.iterator(range, options, (from, end, maxEntries, pageBytes) => this.keyReader.readPage(k, from, end, maxEntries, pageBytes));
  }

  /**
   * Entries of several keys, or of every key under a prefix, in global sequence order.
   * @example
   * for await (const e of log.scanGlobal({ prefix: 'tenant-a:' }, { start: 0 })) handle(e);
   */
  scanGlobal(selector: KeySelector, range?: SeqRange, options: ScanOptions = {}): LogIterator {
    this.checkOpen();
    const matches = this.predicateOf(selector);
    return this.iterator(range, options, (from, end, maxEntries, pageBytes) => this.globalReader.readPage(matches, from, end, maxEntries, pageBytes));
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
    const k = checkedKey(key, this.bounds.keyBytesMax);
    const { start, end } = checkedSeqRange(range);
    return this.keyReader.count(k, start, end);
  }

  /** Segments overlapping the sequence range `[start, end)`, oldest first. */
  async listSegments(range?: SeqRange): Promise<Segment[]> {
    this.checkOpen();
    const { start, end } = checkedSeqRange(range);
    const all: Segment[] = [];
    for (const { key, value } of this.env.tables.segments.getRange({})) {
      const record = decodeSegmentRecord(key.readUInt32BE(0), value);
      if (record.deleting) continue;
      const { deleting: _, ...segment } = record;
      all.push(segment);
    }
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
    const { start, end } = checkedSegmentRange(range);
    const given = options.prefix === undefined ? undefined : Buffer.from(checkedPrefix(options.prefix, this.bounds.keyBytesMax));
    const prefix = given !== undefined && given.length > 0 ? given : undefined;
    const after = options.after === undefined ? undefined : Buffer.from(checkedKey(options.after, this.bounds.keyBytesMax, 'after'));
    const limit = checkedPositive(options.limit, 'limit', Number.MAX_SAFE_INTEGER);
    const segmentIds: number[] = [];
    for (const { key, value } of this.env.tables.segments.getRange({})) {
      const id = key.readUInt32BE(0);
      if (id >= start && id < end && !decodeSegmentRecord(id, value).deleting) segmentIds.push(id);
    }
    return listKeysOfSegments(this.env.tables, { segmentIds, prefix, after, limit }, () => this.checkOpen());
  }

  /** Seal the active segment; the next append opens a new one. */
  async seal(): Promise<void> {
    this.checkOpen();
    return this.writer.seal();
  }

  /** Resolve once every append made before this call is settled and every committed record is on disk. */
  async flush(): Promise<void> {
    this.checkOpen();
    return this.writer.flush();
  }

  /** Resolve once `sequence` is durable. */
  whenDurable(sequence: number): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('the log is closed; open it again to continue'));
    return this.writer.whenDurable(sequence);
  }

  /** Exclusive end of the durable log: every sequence below it is on disk. */
  get durableSequence(): number {
    return this.writer.durableSequence;
  }

  /** Exclusive end of the committed log: the next sequence to be handed out once queued appends land. */
  get committedSequence(): number {
    return this.writer.committedSequence;
  }

  /** Exclusive end of what readers see: committed, or durable with `readVisibility: 'durable'`. */
  get visibleSequence(): number {
    return this.visibility === 'durable' ? this.writer.durableSequence : this.writer.committedSequence;
  }

  /**
   * Be told of every commit as it becomes visible to readers, with its records grouped by key.
   * The chunk's rows are valid only during the call (their memory is reused for later commits):
   * copy what you keep. Returns a function that stops the notifications.
   * @example
   * const stop = log.onVisible((chunk) => console.log(`${chunk.endSequence - chunk.startSequence} records visible`));
   */
  onVisible(listener: (chunk: CommittedChunk) => void): () => void {
    return this.writer.onVisible(listener);
  }

  /**
   * Move everything committed so far from the recent tier into key-clustered rows now (the
   * compactor otherwise does it in the background when the tier grows or the log goes quiet).
   */
  async compact(): Promise<void> {
    this.checkOpen();
    await this.compactor.compactBelow(this.writer.committedSequence);
  }

  /** Run retention now instead of waiting for its interval; resolves with the number of segments deleted. */
  runRetention(): Promise<number> {
    this.checkOpen();
    return this.retention.run();
  }

  stats(): LogStats {
    this.checkOpen();
    let segments = 0;
    let storedRecords = 0;
    let storedBytes = 0;
    for (const { key, value } of this.env.tables.segments.getRange({})) {
      const s = decodeSegmentRecord(key.readUInt32BE(0), value);
      segments++;
      storedRecords += s.records;
      storedBytes += s.bytes;
    }
    const queue = this.writer.queueDepth;
    return {
      committedSequence: this.writer.committedSequence,
      durableSequence: this.writer.durableSequence,
      queuedBatches: queue.batches,
      queuedBytes: queue.bytes,
      waitingAppends: queue.waiting,
      commitsInFlight: queue.commitsInFlight,
      segments,
      storedRecords,
      storedBytes,
    };
  }

  /** Drain the write queue, commit, and close the environment. Later calls fail with ClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.sealTimer);
    clearInterval(this.pruneTimer);
    await this.writer.close();
    await this.retention.stop();
    await this.compactor.stop();
    await this.env.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The record bounds appends are checked against. */
  get recordBounds(): RecordBounds {
    return this.bounds;
  }

  private sealTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  /** Forget idle producers now and once a day. */
  private startProducerPruning(producers: ProducerRegistry): void {
    const prune = (): void => {
      if (!this.closed) producers.prune(limits.producerIdleMs).catch(() => undefined);
    };
    setImmediate(prune);
    this.pruneTimer = setInterval(prune, 24 * 3_600_000);
    this.pruneTimer.unref();
  }

  /** Seal on time even when no append comes to notice it, so retention can expire the segment. */
  private startSealTimer(sealIntervalMs: number | undefined): void {
    if (sealIntervalMs === undefined) return;
    const tick = (): void => {
      if (this.closed) return;
      this.writer.sealIfDue().catch(() => undefined);
      this.sealTimer = setTimeout(tick, Math.min(sealIntervalMs, 1000));
      this.sealTimer.unref();
    };
    this.sealTimer = setTimeout(tick, Math.min(sealIntervalMs, 1000));
    this.sealTimer.unref();
  }

  private predicateOf(selector: KeySelector): KeyPredicate {
    if (selector !== null && typeof selector === 'object' && 'prefix' in selector) {
      // The empty prefix is every key.
      const prefix = Buffer.from(checkedPrefix(selector.prefix, this.bounds.keyBytesMax));
      return (key) => key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
    }
    if (selector !== null && typeof selector === 'object' && 'keys' in selector && Array.isArray(selector.keys) && selector.keys.length > 0) {
      const wanted = new Set(selector.keys.map((k, i) => checkedKey(k, this.bounds.keyBytesMax, `keys[${i}]`).toString('latin1')));
      return (key) => wanted.has(key.toString('latin1'));
    }
    throw new InvalidArgumentError('a selector is { keys: [at least one key] } or { prefix }');
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('the log is closed; open it again to continue');
  }
}

/** The recent tier's index, from the table (it holds only what the last compaction left: bounded). */
function loadRecentIndex(tables: StorageTables): RecentIndex {
  const index = new RecentIndex();
  for (const { key, value } of tables.recent.getRange({})) index.add(value.readDoubleLE(0), readU64BE(key, 0), value.length);
  return index;
}

function checkOptions(options: LogDbOptions): void {
  if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path.length === 0) {
    throw new InvalidArgumentError('LogDb.open needs { path: the data directory }');
  }
  if (options.durability !== undefined && options.durability !== 'sync' && options.durability !== 'async') {
    throw new InvalidArgumentError(`durability is 'sync' or 'async', got ${String(options.durability)}`);
  }
  if (options.readVisibility !== undefined && options.readVisibility !== 'committed' && options.readVisibility !== 'durable') {
    throw new InvalidArgumentError(`readVisibility is 'committed' or 'durable', got ${String(options.readVisibility)}`);
  }
  const seal = options.segmentation?.sealIntervalMs;
  checkedPositive(seal, 'segmentation.sealIntervalMs', 1);
  checkedPositive(options.segmentation?.sealBytes, 'segmentation.sealBytes', 1);
  const retentionMs = options.retention?.retentionMs;
  checkedPositive(retentionMs, 'retention.retentionMs', 1);
  checkedPositive(options.retention?.retentionBytes, 'retention.retentionBytes', 1);
  checkedPositive(options.retention?.checkIntervalMs, 'retention.checkIntervalMs', 1);
  if (retentionMs !== undefined && (seal === undefined || seal > retentionMs)) {
    throw new InvalidArgumentError(
      `retention.retentionMs (${retentionMs}) needs segmentation.sealIntervalMs <= retentionMs (got ${seal ?? 'none'}): ` +
        'a segment is deleted whole, so it must be sealed before its records are due to expire',
    );
  }
  for (const name of [
    'keyBytesMax',
    'valueBytesMax',
    'batchRecordsMax',
    'batchBytesMax',
    'writeQueueBytesMax',
    'writeQueueBatchesMax',
    'commitBytesMax',
    'commitRecordsMax',
    'keyStateCacheEntriesMax',
    'cursorsMax',
    'producerWindowBatches',
  ] as const) {
    checkedPositive(options[name], name, 1);
  }
  const batchBytesMax = options.batchBytesMax ?? limits.batchBytesMax;
  if ((options.writeQueueBytesMax ?? limits.writeQueueBytesMax) < batchBytesMax) {
    throw new InvalidArgumentError('writeQueueBytesMax must be at least batchBytesMax, or a full batch could never be queued');
  }
  if ((options.keyBytesMax ?? limits.keyBytesMax) > limits.keyBytesMax * 16) {
    throw new InvalidArgumentError(`keyBytesMax is at most ${limits.keyBytesMax * 16}`);
  }
}
