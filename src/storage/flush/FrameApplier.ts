import { assert } from '../errors.js';
import { appendRow, type StorageTables } from '../env/StorageTables.js';
import { encodeKeyCode, isTruncatedCode } from '../KeyCode.js';
import { encodeChunkEntry } from '../layout/ChunkEntry.js';
import { decodeFlushMeta, encodeFlushMeta, flushMetaKey } from '../layout/FlushMeta.js';
import { encodeGenRecord, type GenRecord } from '../layout/GenRecord.js';
import { decodeGenRow, genRowPrefixBytes, genRowPrevGen, writeGenRowPrefix } from '../layout/GenRow.js';
import { noGen, noSegment } from '../layout/KeyRecord.js';
import { KeyStateWriter } from './KeyStateWriter.js';
import { encodeListingEntry } from '../layout/ListingEntry.js';
import { decodeProducerRecord, encodeProducerRecord, type ProducerBatch } from '../layout/ProducerRecord.js';
import { forEachAssembledRow, RowScratch, type RowSlice } from '../layout/RowAssembler.js';
import { encodeSegmentRecord } from '../layout/SegmentRecord.js';
import { singleRowBytes, writeSingleRow } from '../layout/StreamRow.js';
import { chunkKey, genKey, genKeyPrefix, genRowFirstSeq, genRowKey, listingKey, segmentKey } from '../layout/StorageKeys.js';
import { applyCommitToSegments, applySealToSegments, loadSegments, type SegmentState } from '../SegmentTable.js';
import { CommitFrame, readTrimBody, sealFrameSegment, type TrimFrameBody } from '../wal/CommitFrame.js';
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
  const states = new KeyStateWriter(tables);

  const closeGeneration = (): void => {
    if (pending.length === 0) return;
    const written = writeGeneration(tables, nextGen++, pending, options, states);
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
        entry.batches.push({ batchNumber: p.batchNumber, startSequence: p.startSequence, count: p.count, offset: p.offset, timeMs: commit.timeMs });
        entry.lastSeenMs = commit.timeMs;
      }
      seq = commit.endSeq;
    } else if (kind === FrameKind.Seal) {
      const sealed = applySealToSegments(segments, sealFrameSegment(frame));
      if (sealed !== undefined) changedSegments.add(sealed);
    } else if (kind === FrameKind.Trim) {
      closeGeneration(); // the trim applies to everything before it, this flush's records included
      applyTrim(tables, readTrimBody(frame), segments, options, states);
    }
  }
  closeGeneration();
  states.finish();

  for (const s of changedSegments) tables.segments.put(segmentKey(s.id), encodeSegmentRecord(s));
  for (const [id, { batches, lastSeenMs }] of producerBatches) writeProducer(tables, id, batches, lastSeenMs, options.producerWindowBatches);
  tables.meta.put(flushMetaKey, encodeFlushMeta({ flushedLsn: lsn, flushedSeq: seq, nextKeyId, nextGen }));
  return { flushedLsn: lsn, flushedSeq: seq, gens };
}

/** Rows are laid out here one after another: LMDB copies each into its page when it is put. */
const scratch = new RowScratch();

/**
 * The runs of a generation, indexed without an object per run: for run r, its key id, and where
 * it is (which commit, at which byte). A flush over a million keys holds a million runs.
 */
const runsPackable = 2 ** 22;
const keyIdsPackable = 2 ** 31;

class RunIndex {
  readonly keyIds: Float64Array;
  readonly commits: Uint32Array;
  readonly offsets: Uint32Array;
  count = 0;

  constructor(capacity: number) {
    this.keyIds = new Float64Array(capacity);
    this.commits = new Uint32Array(capacity);
    this.offsets = new Uint32Array(capacity);
  }

  /** Run numbers ordered by key id, and by position (so by sequence) within a key. */
  byKey(): Uint32Array {
    const n = this.count;
    const order = new Uint32Array(n);
    if (n < runsPackable) {
      // Key id and run number packed into one double and sorted natively: a comparator would cost
      // a call per comparison, twenty million of them for a million runs.
      const packed = new Float64Array(n);
      let packable = true;
      for (let r = 0; r < n; r++) {
        if (this.keyIds[r] >= keyIdsPackable) packable = false;
        packed[r] = this.keyIds[r] * runsPackable + r;
      }
      if (packable) {
        packed.sort();
        for (let i = 0; i < n; i++) order[i] = packed[i] % runsPackable;
        return order;
      }
    }
    for (let r = 0; r < n; r++) order[r] = r;
    const keyIds = this.keyIds;
    return order.sort((a, b) => keyIds[a] - keyIds[b] || a - b);
  }
}

function writeGeneration(tables: StorageTables, gen: number, commits: readonly CommitFrame[], options: ApplyOptions, states: KeyStateWriter): { gen: GenRecord; nextKeyId: number } {
  const segmentId = commits[0].segmentId;
  let runs = 0;
  let records = 0;
  for (const commit of commits) {
    runs += commit.runCount;
    records += commit.records;
  }
  const index = new RunIndex(runs);
  for (let c = 0; c < commits.length; c++) {
    const commit = commits[c];
    commit.forEachRunHeader((at, keyId) => {
      const r = index.count++;
      index.keyIds[r] = keyId;
      index.commits[r] = c;
      index.offsets[r] = at;
    });
    appendRow(tables.chunks, chunkKey(commit.startSeq), encodeChunkEntry({ firstSeq: commit.startSeq, records: commit.records, timeMs: commit.timeMs, segmentId, gen, rows: chunkRows(commit) }));
  }
  const order = index.byKey();
  let distinct = 0;
  let nextKeyId = 0;
  for (let i = 0; i < order.length; ) {
    const keyId = index.keyIds[order[i]];
    let j = i + 1;
    while (j < order.length && index.keyIds[order[j]] === keyId) j++;
    const slices: RowSlice[] = [];
    let key: Buffer | undefined;
    for (let k = i; k < j; k++) {
      const r = order[k];
      const run = commits[index.commits[r]].runAt(index.offsets[r]).run;
      key ??= run.key;
      slices.push({ row: run.row, from: 0, to: run.row.count });
    }
    writeKey(tables, gen, segmentId, keyId, key as Buffer, slices, options, states);
    nextKeyId = Math.max(nextKeyId, keyId + 1);
    distinct++;
    i = j;
  }
  const record: GenRecord = { id: gen, startSeq: commits[0].startSeq, endSeq: commits[commits.length - 1].endSeq, segmentId, keys: distinct, records };
  appendRow(tables.gens, genKey(gen), encodeGenRecord(record));
  return { gen: record, nextKeyId };
}

/** The commit's directory: each run's key id and first sequence. */
function chunkRows(commit: CommitFrame): { keyId: number; firstSeq: number }[] {
  const rows: { keyId: number; firstSeq: number }[] = [];
  commit.forEachRunHeader((_at, keyId, firstSeq) => rows.push({ keyId, firstSeq }));
  return rows;
}

/** A key's rows in the generation, its record, and (the first time) its index entry and listing. */
function writeKey(
  tables: StorageTables,
  gen: number,
  segmentId: number,
  keyId: number,
  key: Buffer,
  slices: readonly RowSlice[],
  options: ApplyOptions,
  states: KeyStateWriter,
): void {
  const known = states.get(keyId);
  const prevGen = known?.latestGen ?? noGen;
  const only = slices.length === 1 ? slices[0].row : undefined;
  const single = only !== undefined && only.count === 1 && !only.hasHeaders;
  if (only !== undefined && (single || only.buffer.length <= options.rowBytesMax)) {
    // The key's one run in this generation (most keys, when a flush spans a million of them): a
    // frame lays a run out as the row it becomes, so it is copied whole instead of re-assembled;
    // a run of one record becomes a single row, 12 bytes shorter.
    const bytes = genRowPrefixBytes + (single ? singleRowBytes(only, 0) : only.buffer.length);
    const value = scratch.take(bytes).subarray(0, bytes);
    if (single) writeSingleRow(only, 0, value, genRowPrefixBytes);
    else only.buffer.copy(value, genRowPrefixBytes);
    writeGenRowPrefix(value, prevGen);
    appendRow(tables.streams, genRowKey(gen, keyId, only.firstSequence), value);
  } else {
    forEachAssembledRow(slices, options.rowBytesMax, genRowPrefixBytes, scratch, (firstSeq, value) => {
      writeGenRowPrefix(value, prevGen);
      appendRow(tables.streams, genRowKey(gen, keyId, firstSeq), value);
    });
  }
  const last = slices[slices.length - 1].row;
  states.set({ keyId, count: last.countBefore + last.count, lastSeq: last.lastSequence(), trimSeq: known?.trimSeq ?? 0, latestGen: gen, listedIn: segmentId });
  if (known === undefined) states.addName(keyId, key);
  if (known === undefined || known.listedIn !== segmentId) {
    const code = encodeKeyCode(key);
    if (known === undefined) tables.keyIds.put(code, keyIdValue(keyId));
    tables.listings.put(listingKey(segmentId, code), encodeListingEntry(keyId, isTruncatedCode(code) ? Buffer.from(key) : undefined));
  }
}

/**
 * A trim or deletion of a key: its rows below the trim sequence are deleted (a row that straddles
 * it is rewritten without its first records), so that the bytes are gone from LMDB's live pages;
 * its record keeps the trim sequence (and, for a deletion, starts its offsets again from 0); its
 * listings go for the segments it no longer has records in (every one, for a deletion).
 */
function applyTrim(tables: StorageTables, trim: TrimFrameBody, segments: readonly SegmentState[], options: ApplyOptions, states: KeyStateWriter): void {
  const record = states.get(trim.keyId);
  if (record === undefined) return; // nothing of the key reached LMDB: nothing to erase
  // The frame names the key (copied out of shared memory, which lmdb-js misreads): no lookup of
  // its name, which LMDB holds only if the key was written.
  const key = Buffer.from(trim.key);
  // Walk the key's generations from the newest; those wholly below the previous trim were erased then.
  for (let gen = record.latestGen; gen !== noGen; ) {
    let prevGen = noGen;
    const rows: { key: Buffer; value: Buffer }[] = [];
    for (const { key: rowKey, value } of tables.streams.getRange({ start: genKeyPrefix(gen, trim.keyId), end: genKeyPrefix(gen, trim.keyId + 1) })) {
      rows.push({ key: Buffer.from(rowKey), value: Buffer.from(value) });
    }
    if (rows.length === 0) break; // erased already (or deleted by retention), and so is every older one
    prevGen = genRowPrevGen(rows[0].value);
    for (const { key: rowKey, value } of rows) {
      const row = decodeGenRow(value, genRowFirstSeq(rowKey));
      if (row.firstSequence >= trim.trimSeq) continue;
      tables.streams.remove(rowKey);
      const from = row.lowerBound(trim.trimSeq);
      if (from < row.count) {
        forEachAssembledRow([{ row, from, to: row.count }], options.rowBytesMax, genRowPrefixBytes, scratch, (firstSeq, rewritten) => {
          writeGenRowPrefix(rewritten, prevGen);
          tables.streams.put(genRowKey(gen, trim.keyId, firstSeq), rewritten);
        });
      }
    }
    gen = prevGen;
  }
  const trimSeq = Math.max(record.trimSeq, trim.trimSeq);
  states.set(trim.deleteKey ? { keyId: trim.keyId, count: 0, lastSeq: record.lastSeq, trimSeq, latestGen: noGen, listedIn: noSegment } : { ...record, trimSeq });
  // Segments wholly below the trim no longer list the key (a segment the trim cuts through keeps it).
  const code = encodeKeyCode(key);
  for (const segment of segments) {
    if (trim.deleteKey || segment.endSeq <= trimSeq) tables.listings.remove(listingKey(segment.id, code));
  }
}

function keyIdValue(keyId: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeDoubleLE(keyId, 0);
  return out;
}

function writeProducer(tables: StorageTables, id: string, batches: readonly ProducerBatch[], lastSeenMs: number, windowBatches: number): void {
  const key = Buffer.from(id, 'utf8');
  const raw = tables.producers.getBinary(key);
  // The window as the writer keeps it: the last `windowBatches` batches, in the order they came.
  const window = new Map<number, ProducerBatch>();
  for (const b of [...(raw === undefined ? [] : decodeProducerRecord(raw).batches), ...batches]) {
    window.delete(b.batchNumber);
    window.set(b.batchNumber, b);
  }
  const kept = [...window.values()].slice(-windowBatches);
  tables.producers.put(key, encodeProducerRecord({ lastSeenMs, batches: kept }));
}
