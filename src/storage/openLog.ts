import { join } from 'node:path';
import { limits } from '../limits.js';
import type { RecordBounds } from './ArgumentChecks.js';
import { systemClock, type Clock } from './Clock.js';
import { CursorStore } from './CursorStore.js';
import { GroupOffsetStore } from './GroupOffsetStore.js';
import { lmdbFile, StorageEnvironment } from './env/StorageEnvironment.js';
import { FlushPacer } from './flush/FlushPacer.js';
import { Flusher } from './flush/Flusher.js';
import { FlushWorkerClient } from './flush/FlushWorkerClient.js';
import { checkOptions, type LogDbOptions } from './LogDbOptions.js';
import { LogState } from './LogState.js';
import { LogTimers } from './LogTimers.js';
import { ChunkTimes } from './read/ChunkTimes.js';
import { GlobalReader } from './read/GlobalReader.js';
import { KeyNames } from './read/KeyNames.js';
import { KeyRows } from './read/KeyRows.js';
import { KeyStreamReader } from './read/KeyStreamReader.js';
import { withSnapshot } from './read/ReadSnapshot.js';
import { RetentionTask } from './RetentionTask.js';
import { SegmentTable } from './SegmentTable.js';
import type { ReadVisibility } from './types.js';
import { nodeWalFiles } from './wal/WalFiles.js';
import { CommitBuilder } from './write/CommitBuilder.js';
import { GroupCommitWriter } from './write/GroupCommitWriter.js';

/** Everything an open log is made of. */
export interface LogParts {
  readonly env: StorageEnvironment;
  readonly state: LogState;
  readonly writer: GroupCommitWriter;
  readonly flusher: Flusher;
  readonly keyRows: KeyRows;
  readonly keyReader: KeyStreamReader;
  readonly globalReader: GlobalReader;
  readonly chunkTimes: ChunkTimes;
  readonly retention: RetentionTask;
  readonly cursors: CursorStore;
  readonly groups: GroupOffsetStore;
  readonly timers: LogTimers;
  readonly bounds: RecordBounds;
  readonly visibility: ReadVisibility;
  readonly clock: Clock;
}

/**
 * Open the data directory and assemble the log: the LMDB environment, the state rebuilt from LMDB
 * and the WAL, the writer, the flusher and its worker, the readers, retention and timers.
 * `checkOpen` is the log's own "am I closed" check, for cursors.
 */
export async function openLog(options: LogDbOptions, checkOpen: () => void): Promise<LogParts> {
  checkOptions(options);
  const clock = options.clock ?? systemClock;
  const durability = options.durability ?? 'sync';
  const visibility = options.readVisibility ?? 'committed';
  const env = StorageEnvironment.open({ path: options.path });
  const tables = env.tables;
  try {
    const segments = new SegmentTable(tables, options.segmentation ?? {});
    const state = new LogState(tables, options.walFiles ?? nodeWalFiles, join(env.path, 'wal'), segments, {
      keyStateCacheEntriesMax: options.keyStateCacheEntriesMax ?? limits.keyStateCacheEntriesMax,
      producerWindowBatches: options.producerWindowBatches ?? limits.producerWindowBatches,
      wal: { durable: durability === 'sync', fileBytesMax: options.walFileBytesMax ?? limits.walFileBytesMax, sparesMax: limits.walSparesMax, zeroAhead: { aheadBytes: limits.walZeroAheadBytes, chunkBytes: limits.walZeroChunkBytes, frameBytesMax: limits.walZeroFrameBytesMax } },
    });
    await state.rebuild();
    const memtableBytesMax = options.memtableBytesMax ?? limits.memtableBytesMax;
    const memtableKeysMax = options.memtableKeysMax ?? limits.memtableKeysMax;
    // Readers of keys across LMDB and the memtable, made before the writer: a trim counts with them.
    const keyRows = new KeyRows(tables, state.memtable, state.keys, state.trims);
    const builder = new CommitBuilder(state, () => clock.now(), (key, keyStr, from, end) =>
      withSnapshot(tables, end, (snapshot) => keyRows.countAll({ key, keyStr }, from, end, snapshot)),
    );
    const start = (): { nextSequence: number; lastLsn: number } => ({ nextSequence: state.head.nextSequence, lastLsn: state.head.nextLsn - 1 });
    // The writer and the flusher call on each other (a commit may start a flush; a flush makes
    // room for commits): each gets the other through these two bindings.
    let flusher: Flusher | undefined;
    const pacer = new FlushPacer(memtableBytesMax, limits.flushPaceFrom);
    const writer = new GroupCommitWriter(
      builder,
      state.wal,
      {
        hasRoom: () => state.memtable.bytes < memtableBytesMax && state.keys.pinned < memtableKeysMax,
        flushTrouble: () => flusher?.trouble,
        paceMs: (bytes) => pacer.delayMs(bytes, state.memtable.bytes, flusher?.progress()),
        afterVisible: () => flusher?.notify(),
        trimVisible: (commit) => {
          const trim = commit.trim;
          if (trim !== undefined) state.trims.set(trim.keyStr, { trimSeq: trim.deleteKey ? commit.startSeq : Math.min(trim.before as number, commit.startSeq), deleteKey: trim.deleteKey, lsn: commit.frame.lsn });
        },
        recover: async () => {
          await flusher?.exclusive(async () => {
            await state.rebuild();
            writer.restart(state.wal, start());
            flusher?.moveTo(state.flushedLsn, state.flushedSeq);
          });
        },
      },
      {
        durability,
        visibility,
        commitBytesMax: options.commitBytesMax ?? limits.commitBytesMax,
        commitRecordsMax: options.commitRecordsMax ?? limits.commitRecordsMax,
        commitsInFlightMax: limits.commitsInFlightMax,
        queue: {
          bytesMax: options.writeQueueBytesMax ?? limits.writeQueueBytesMax,
          batchesMax: options.writeQueueBatchesMax ?? limits.writeQueueBatchesMax,
          waitersMax: limits.writeWaitersMax,
        },
      },
      start(),
    );
    const worker = new FlushWorkerClient(lmdbFile(env.path));
    worker.prepare();
    flusher = new Flusher(
      worker,
      {
        tables,
        memtable: state.memtable,
        trims: state.trims,
        keys: state.keys,
        producers: state.producers,
        wal: () => state.wal,
        writtenLsn: () => writer.writtenLsn,
        roomFreed: () => writer.wake(),
      },
      {
        bytesPerKey: limits.flushBytesPerKey,
        triggerBytesMin: Math.min(limits.flushBytesMin, memtableBytesMax / 2),
        triggerBytesMax: memtableBytesMax / 2,
        triggerKeys: memtableKeysMax / 2,
        idleMs: options.flushIdleMs ?? limits.flushIdleMs,
        retryMs: limits.flushRetryMs,
        apply: { rowBytesMax: limits.streamRowBytesMax, producerWindowBatches: options.producerWindowBatches ?? limits.producerWindowBatches },
      },
      clock,
      state.flushedLsn,
      state.flushedSeq,
    );
    const visibleLimit = (): number => writer.visibleSequence;
    const retention = new RetentionTask(tables, segments, options.retention ?? {}, limits.retentionRowsPerTxnMax, (seq) => (flusher as Flusher).flushBelow(seq), clock);
    const timers = new LogTimers(clock);
    timers.start(writer, segments, state.producers, options.segmentation?.sealIntervalMs);
    retention.start();
    // What the WAL held beyond LMDB goes to LMDB soon, as it would have.
    flusher.notify();
    return {
      env,
      state,
      writer,
      flusher,
      keyRows,
      keyReader: new KeyStreamReader(tables, keyRows, visibleLimit),
      globalReader: new GlobalReader(tables, new KeyNames(tables), state.memtable, state.trims, visibleLimit),
      chunkTimes: new ChunkTimes(tables),
      retention,
      cursors: new CursorStore(tables, options.cursorsMax ?? limits.cursorsMax, checkOpen),
      groups: new GroupOffsetStore(tables, limits.consumerGroupsMax, checkOpen),
      timers,
      bounds: {
        keyBytesMax: options.keyBytesMax ?? limits.keyBytesMax,
        valueBytesMax: options.valueBytesMax ?? limits.valueBytesMax,
        batchRecordsMax: options.batchRecordsMax ?? limits.batchRecordsMax,
        batchBytesMax: options.batchBytesMax ?? limits.batchBytesMax,
      },
      visibility,
      clock,
    };
  } catch (error) {
    await env.close();
    throw error;
  }
}
