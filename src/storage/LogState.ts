import { join } from 'node:path';
import { limits } from '../limits.js';
import type { StorageTables } from './env/StorageTables.js';
import { assert } from './errors.js';
import { decodeFlushMeta, flushMetaKey } from './layout/FlushMeta.js';
import { lookupKeyRecord } from './layout/KeyRecord.js';
import { KeyTable, type LoadedKey } from './memtable/KeyTable.js';
import { Memtable, noRuns, type MemFrame, type RunPlacements } from './memtable/Memtable.js';
import { SlabAllocator } from './memtable/SlabAllocator.js';
import { SegmentTable } from './SegmentTable.js';
import { VisibleTrims } from './memtable/VisibleTrims.js';
import { CommitFrame, readTrimBody, sealFrameSegment } from './wal/CommitFrame.js';
import { FrameKind, frameKind, frameLsn, frameStartSeq } from './wal/WalFrame.js';
import type { WalFiles } from './wal/WalFiles.js';
import { walFileName } from './wal/WalNames.js';
import { recoverWal } from './wal/WalRecovery.js';
import { WalWriter, type WalWriterOptions } from './wal/WalWriter.js';
import type { WriterHead } from './write/CommitBuilder.js';
import { ProducerRegistry } from './write/ProducerRegistry.js';

export interface LogStateOptions {
  readonly keyStateCacheEntriesMax: number;
  readonly producerWindowBatches: number;
  readonly wal: WalWriterOptions;
}

/** What one recovery found (for stats and the test that bounds replay). */
export interface RecoveryReport {
  readonly framesReplayed: number;
  readonly bytesReplayed: number;
  readonly records: number;
  readonly millis: number;
}

/**
 * The writer's state: the head, the key and producer states, the segments and the memtable, and
 * the one way they are built: from LMDB (where the last flush left it) and the WAL frames after
 * it, replayed through the same effects as a live commit. Opening the log does this; so does the
 * writer after a failed WAL write, instead of patching its state back by hand.
 */
export class LogState {
  readonly head: WriterHead = { nextSequence: 0, nextLsn: 1, lastTimeMs: 0 };
  /** Above every key id handed out. */
  nextKeyId = 1;
  readonly slabs = new SlabAllocator(limits.slabBytes, limits.slabBytesKept);
  readonly keys: KeyTable;
  readonly memtable: Memtable;
  readonly segments: SegmentTable;
  readonly producers: ProducerRegistry;
  /** Trims readers see that LMDB does not hold yet. */
  readonly trims = new VisibleTrims();
  wal!: WalWriter;
  flushedLsn = 0;
  flushedSeq = 0;
  lastRecovery: RecoveryReport = { framesReplayed: 0, bytesReplayed: 0, records: 0, millis: 0 };

  constructor(
    private readonly tables: StorageTables,
    private readonly files: WalFiles,
    private readonly walDir: string,
    segments: SegmentTable,
    private readonly options: LogStateOptions,
  ) {
    this.segments = segments;
    this.keys = new KeyTable(options.keyStateCacheEntriesMax, (key) => this.loadKey(key, undefined));
    this.memtable = new Memtable(this.keys, this.slabs);
    this.producers = new ProducerRegistry(tables, options.producerWindowBatches, limits.producersCachedMax);
  }

  /** Build everything from disk. A WAL writer in use is closed first; a new file is begun. */
  async rebuild(): Promise<RecoveryReport> {
    const started = performance.now();
    await this.wal?.close().catch(() => undefined);
    this.memtable.clear();
    this.trims.clear();
    this.keys.clear();
    this.producers.clear();
    this.segments.load();
    this.tables.root.resetReadTxn();
    const meta = decodeFlushMeta(this.tables.meta.getBinary(flushMetaKey));
    this.flushedLsn = meta.flushedLsn;
    this.flushedSeq = meta.flushedSeq;
    this.nextKeyId = meta.nextKeyId;
    this.head.nextSequence = meta.flushedSeq;
    this.head.nextLsn = meta.flushedLsn + 1;
    const recovered = recoverWal(this.files, this.walDir, meta.flushedLsn, meta.flushedSeq);
    let records = 0;
    for (const frame of recovered.frames) records += this.replay(frame);
    assert(this.head.nextSequence === recovered.endSeq && this.head.nextLsn === recovered.lastLsn + 1, 'replay ends where the WAL ends');
    // What the WAL holds beyond LMDB is acknowledged from here on: make sure it is on disk (after a
    // killed process, it may be in the page cache only).
    for (const file of recovered.files) {
      if (file.lastLsn <= meta.flushedLsn) continue;
      const handle = this.files.open(join(this.walDir, walFileName(file.fileNo)), false);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    this.wal = new WalWriter(this.files, this.walDir, this.options.wal, recovered.files, recovered.nextFileNo);
    this.wal.release(meta.flushedLsn);
    this.lastRecovery = { framesReplayed: recovered.frames.length, bytesReplayed: recovered.bytes, records, millis: performance.now() - started };
    return this.lastRecovery;
  }

  /** Apply one recovered frame as its commit did; returns its records. */
  private replay(source: Buffer): number {
    const piece = this.slabs.allocate(source.length);
    source.copy(piece.buffer);
    const buf = piece.buffer;
    const lsn = frameLsn(buf);
    const kind = frameKind(buf);
    if (kind === FrameKind.Commit) {
      const commit = new CommitFrame(buf);
      this.segments.applyCommit(commit);
      const keys: number[] = [];
      const firstSeqs: number[] = [];
      const headerOffsets: number[] = [];
      for (const run of commit.runs()) {
        const h = this.keys.forReplay(run.key, (key) => this.loadKey(key, run.keyId));
        this.keys.count[h] = run.row.countBefore + run.row.count;
        this.keys.lastSeq[h] = run.row.lastSequence();
        if (run.keyId >= this.nextKeyId) this.nextKeyId = run.keyId + 1;
        keys.push(h);
        firstSeqs.push(run.firstSeq);
        headerOffsets.push(run.headerOffset);
      }
      for (const p of commit.producers()) this.producers.replay(p.id, p.batchNumber, p.startSequence, p.count, p.offset, commit.timeMs);
      this.addFrame(lsn, kind, piece, commit.startSeq, commit.endSeq, { count: keys.length, keys, firstSeqs, headerOffsets });
      this.head.nextSequence = commit.endSeq;
      this.head.lastTimeMs = Math.max(this.head.lastTimeMs, commit.timeMs);
      this.head.nextLsn = lsn + 1;
      return commit.records;
    }
    const seq = frameStartSeq(buf);
    if (kind === FrameKind.Seal) this.segments.applySeal(sealFrameSegment(buf));
    if (kind === FrameKind.Trim) {
      const trim = readTrimBody(buf);
      const h = this.keys.forReplay(trim.key, (key) => this.loadKey(key, trim.keyId));
      this.keys.trimSeq[h] = Math.max(this.keys.trimSeq[h], trim.trimSeq);
      if (trim.deleteKey) this.keys.count[h] = 0;
      if (trim.keyId >= this.nextKeyId) this.nextKeyId = trim.keyId + 1;
      this.trims.set(trim.key.toString('latin1'), { trimSeq: trim.trimSeq, deleteKey: trim.deleteKey, lsn });
      this.memtable.add({ lsn, kind, frame: piece.buffer, slab: piece.slab, startSeq: seq, endSeq: seq, firstRun: this.memtable.nextRun, runCount: 0, trimmed: h }, noRuns);
      this.head.nextLsn = lsn + 1;
      return 0;
    }
    this.addFrame(lsn, kind, piece, seq, seq, noRuns);
    this.head.nextLsn = lsn + 1;
    return 0;
  }

  private addFrame(lsn: number, kind: number, piece: { slab: MemFrame['slab']; buffer: Buffer }, startSeq: number, endSeq: number, placements: RunPlacements): void {
    this.memtable.add({ lsn, kind, frame: piece.buffer, slab: piece.slab, startSeq, endSeq, firstRun: this.memtable.nextRun, runCount: placements.count }, placements);
  }

  /** A key's state from LMDB (as of the last flush), or a new key with `knownId` (replay) or the next id. */
  private loadKey(key: Buffer, knownId: number | undefined): LoadedKey {
    const record = lookupKeyRecord(this.tables, key);
    if (record !== undefined) {
      assert(knownId === undefined || knownId === record.keyId, 'a key keeps its id');
      return record;
    }
    return { keyId: knownId ?? this.nextKeyId++, count: 0, lastSeq: -1, trimSeq: 0 };
  }
}
