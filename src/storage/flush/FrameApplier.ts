import { assert } from '../errors.js';
import type { StorageTables } from '../env/StorageEnvironment.js';
import { encodeKeyCode, isTruncatedCode } from '../KeyCode.js';
import { encodeChunkEntry } from '../layout/ChunkEntry.js';
import { decodeFlushMeta, encodeFlushMeta, flushMetaKey } from '../layout/FlushMeta.js';
import { encodeGenRecord, type GenRecord } from '../layout/GenRecord.js';
import { genRowPrefixBytes, writeGenRowPrefix } from '../layout/GenRow.js';
import { decodeKeyRecord, encodeKeyRecord, noGen } from '../layout/KeyRecord.js';
import { encodeListingEntry } from '../layout/ListingEntry.js';
import { decodeProducerRecord, encodeProducerRecord, type ProducerBatch } from '../layout/ProducerRecord.js';
import { forEachAssembledRow, RowScratch } from '../layout/RowAssembler.js';
import { encodeSegmentRecord } from '../layout/SegmentRecord.js';
import { chunkKey, genKey, genRowKey, keyIdKey, listingKey, segmentKey } from '../layout/StorageKeys.js';
import { applyCommitToSegments, applySealToSegments, loadSegments, type SegmentState } from '../SegmentTable.js';
import { CommitFrame, sealFrameSegment, type FrameRun } from '../wal/CommitFrame.js';
import { FrameKind, frameKind, frameLsn } from '../wal/WalFrame.js';

export interface ApplyOptions {
  /** Generation rows are cut at this size. */
  readonly rowBytesMax: number;
  /** Batches kept per idempotent producer. */
  readonly producerWindowBatches: number;
}

/** What a flush put in LMDB. */
export interface AppliedFlush {
  readonly flushedLsn: number;
  readonly flushedSeq: number;
  readonly gens: GenRecord[];
}

/**
 * Materialise WAL frames in LMDB, inside the caller's write transaction: LMDB is the WAL's
 * frames applied in order, and this is the one place that applies them. The commits of one
 * segment become one generation: each key's runs merged into rows clustered under (generation,
 * key id), written in key-id order at the right edge of the `streams` B-tree (sequential pages,
 * whatever the number of keys), chained to the key's previous generation; then the key's record,
 * its listing in the segment (first time only), the commits' directory, the segments, the
 * producers' windows, and where LMDB now ends.
 */
export function applyFrames(tables: StorageTables, frames: readonly Buffer[], options: ApplyOptions): AppliedFlush {
  const meta = decodeFlushMeta(tables.meta.getBinary(flushMetaKey));
  const segments = loadSegments(tables);
  const changedSegments = new Set<SegmentState>();
  const producerBatches = new Map<string, { batches: ProducerBatch[]; lastSeenMs: number }>();
  const gens: GenRecord[] = [];
  let nextGen = meta.nextGen;
  let nextKeyId = meta.nextKeyId;
  let lsn = meta.flushedLsn;
  let seq = meta.flushedSeq;
  let pending: CommitFrame[] = [];

  const closeGeneration = (): void => {
    if (pending.length === 0) return;
    const written = writeGeneration(tables, nextGen++, pending, options);
    gens.push(written.gen);
    nextKeyId = Math.max(nextKeyId, written.nextKeyId);
    pending = [];
  };

  for (const frame of frames) {
    const frameNo = frameLsn(frame);
    assert(frameNo === lsn + 1, 'a flush applies frames in order, from where LMDB ends');
    lsn = frameNo;
    const kind = frameKind(frame);
    if (kind === FrameKind.Commit) {
      const commit = new CommitFrame(frame);
      assert(commit.startSeq === seq, 'a flush applies commits in sequence order');
      if (pending.length > 0 && pending[0].segmentId !== commit.segmentId) closeGeneration();
      for (const s of applyCommitToSegments(segments, commit)) changedSegments.add(s);
      pending.push(commit);
      for (const p of commit.producers()) {
        let entry = producerBatches.get(p.id);
        if (entry === undefined) producerBatches.set(p.id, (entry = { batches: [], lastSeenMs: commit.timeMs }));
        entry.batches.push({ batchNumber: p.batchNumber, startSequence: p.startSequence, count: p.count });
        entry.lastSeenMs = commit.timeMs;
      }
      seq = commit.endSeq;
    } else if (kind === FrameKind.Seal) {
      const sealed = applySealToSegments(segments, sealFrameSegment(frame));
      if (sealed !== undefined) changedSegments.add(sealed);
    }
  }
  closeGeneration();

  for (const s of changedSegments) tables.segments.put(segmentKey(s.id), encodeSegmentRecord(s));
  for (const [id, { batches, lastSeenMs }] of producerBatches) writeProducer(tables, id, batches, lastSeenMs, options.producerWindowBatches);
  tables.meta.put(flushMetaKey, encodeFlushMeta({ flushedLsn: lsn, flushedSeq: seq, nextKeyId, nextGen }));
  return { flushedLsn: lsn, flushedSeq: seq, gens };
}

/** Rows are laid out here one after another: LMDB copies each into its page when it is put. */
const scratch = new RowScratch();

interface KeyRuns {
  readonly key: Buffer;
  readonly runs: FrameRun[];
}

function writeGeneration(tables: StorageTables, gen: number, commits: readonly CommitFrame[], options: ApplyOptions): { gen: GenRecord; nextKeyId: number } {
  const segmentId = commits[0].segmentId;
  const byKey = new Map<number, KeyRuns>();
  let records = 0;
  for (const commit of commits) {
    const runs = commit.runs();
    tables.chunks.put(
      chunkKey(commit.startSeq),
      encodeChunkEntry({ firstSeq: commit.startSeq, records: commit.records, timeMs: commit.timeMs, segmentId, gen, rows: runs.map((r) => ({ keyId: r.keyId, firstSeq: r.firstSeq })) }),
    );
    for (const run of runs) {
      let entry = byKey.get(run.keyId);
      if (entry === undefined) byKey.set(run.keyId, (entry = { key: run.key, runs: [] }));
      entry.runs.push(run);
    }
    records += commit.records;
  }
  const keyIds = Float64Array.from(byKey.keys()).sort();
  let nextKeyId = 0;
  for (const keyId of keyIds) {
    const { key, runs } = byKey.get(keyId) as KeyRuns;
    const code = encodeKeyCode(key);
    const raw = tables.keys.getBinary(code);
    const known = raw === undefined ? undefined : decodeKeyRecord(raw);
    assert(known === undefined || known.keyId === keyId, 'a key keeps its id');
    const prevGen = known?.latestGen ?? noGen;
    forEachAssembledRow(runs.map((r) => ({ row: r.row, from: 0, to: r.row.count })), options.rowBytesMax, genRowPrefixBytes, scratch, (firstSeq, value) => {
      writeGenRowPrefix(value, prevGen);
      tables.streams.put(genRowKey(gen, keyId, firstSeq), value);
    });
    const last = runs[runs.length - 1].row;
    tables.keys.put(
      code,
      encodeKeyRecord({ keyId, count: last.countBefore + last.count, lastSeq: last.lastSequence(), trimSeq: known?.trimSeq ?? 0, latestGen: gen, listedIn: segmentId }),
    );
    // A copy: lmdb-js cannot take a value that lives in a SharedArrayBuffer (the frame's memory).
    if (known === undefined) tables.keyNames.put(keyIdKey(keyId), Buffer.from(key));
    if (known?.listedIn !== segmentId) tables.listings.put(listingKey(segmentId, code), encodeListingEntry(keyId, isTruncatedCode(code) ? key : undefined));
    nextKeyId = Math.max(nextKeyId, keyId + 1);
  }
  const record: GenRecord = { id: gen, startSeq: commits[0].startSeq, endSeq: commits[commits.length - 1].endSeq, segmentId, keys: keyIds.length, records };
  tables.gens.put(genKey(gen), encodeGenRecord(record));
  return { gen: record, nextKeyId };
}

function writeProducer(tables: StorageTables, id: string, batches: readonly ProducerBatch[], lastSeenMs: number, windowBatches: number): void {
  const key = Buffer.from(id, 'utf8');
  const raw = tables.producers.getBinary(key);
  const window = new Map<number, ProducerBatch>();
  for (const b of raw === undefined ? [] : decodeProducerRecord(raw).batches) window.set(b.batchNumber, b);
  for (const b of batches) window.set(b.batchNumber, b);
  const newest = Math.max(...window.keys());
  const kept = [...window.values()].filter((b) => b.batchNumber > newest - windowBatches).sort((a, b) => a.batchNumber - b.batchNumber);
  tables.producers.put(key, encodeProducerRecord({ lastSeenMs, batches: kept }));
}
