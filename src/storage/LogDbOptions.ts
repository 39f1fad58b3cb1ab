import { limits } from '../limits.js';
import { checkedPositive } from './ArgumentChecks.js';
import type { Clock } from './Clock.js';
import { InvalidArgumentError } from './errors.js';
import type { KeyRetentionRule } from './KeyRetention.js';
import type { RetentionPolicy } from './RetentionTask.js';
import type { SegmentationPolicy } from './SegmentTable.js';
import type { Durability, ReadVisibility } from './types.js';
import type { WalFiles } from './wal/WalFiles.js';

export interface LogDbOptions {
  /** Data directory; created if missing. */
  readonly path: string;
  /**
   * `sync` (default): acknowledge an append once the write-ahead log holds it on disk (one sync
   * per group commit); readers see only that. `async`: acknowledge once written (it survives a
   * killed process, not a power loss); `durableSequence` lags and catches up.
   */
  readonly durability?: Durability;
  readonly segmentation?: SegmentationPolicy;
  readonly retention?: RetentionPolicy;
  /**
   * Per-key retention by key prefix (the longest matching prefix decides): keep at most
   * `maxRecords` entries of each key (trimmed in batches of a tenth of it, at least 64, as Redis's
   * `MAXLEN ~`), and/or none older than `maxAgeMs` (checked every `retention.checkIntervalMs`).
   */
  readonly keyRetention?: readonly KeyRetentionRule[];
  /** With `async` durability: `committed` (default) shows readers every written commit, `durable` only what is on disk. */
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
  /** Bytes of unflushed commits held in memory (and replayed at most after a crash); see limits.ts. */
  readonly memtableBytesMax?: number;
  /** Distinct keys with unflushed records held in memory; see limits.ts. */
  readonly memtableKeysMax?: number;
  /** A quiet log's memtable is flushed this long after its last commit. */
  readonly flushIdleMs?: number;
  readonly walFileBytesMax?: number;
  readonly cursorsMax?: number;
  /** Batches per idempotent producer remembered for retries. */
  readonly producerWindowBatches?: number;
  /** Time and timers (tests pass a manual clock). */
  readonly clock?: Clock;
  /** The WAL's file operations (tests pass one that can simulate a power cut). */
  readonly walFiles?: WalFiles;
}

/** Refuse options that cannot work, naming the option and what it must be. */
export function checkOptions(options: LogDbOptions): void {
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
    'memtableBytesMax',
    'memtableKeysMax',
    'flushIdleMs',
    'walFileBytesMax',
    'cursorsMax',
    'producerWindowBatches',
  ] as const) {
    checkedPositive(options[name], name, 1);
  }
  const batchBytesMax = options.batchBytesMax ?? limits.batchBytesMax;
  if ((options.writeQueueBytesMax ?? limits.writeQueueBytesMax) < batchBytesMax) {
    throw new InvalidArgumentError('writeQueueBytesMax must be at least batchBytesMax, or a full batch could never be queued');
  }
  if ((options.memtableBytesMax ?? limits.memtableBytesMax) < 2 * (options.commitBytesMax ?? limits.commitBytesMax)) {
    throw new InvalidArgumentError('memtableBytesMax must be at least twice commitBytesMax, or a flush could not make room for the next commit');
  }
  if ((options.keyBytesMax ?? limits.keyBytesMax) > limits.keyBytesMax * 16) {
    throw new InvalidArgumentError(`keyBytesMax is at most ${limits.keyBytesMax * 16}`);
  }
}
