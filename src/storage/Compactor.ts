import { assert } from './errors.js';
import { awaitWrite } from './LmdbWrite.js';
import { decodeChunkEntry } from './layout/ChunkEntry.js';
import { compactionKey, encodeCompactedTo, recentKey, recentKeyIdBytes } from './layout/RecentRow.js';
import { chunkKey, readU64BE, streamRowKey } from './layout/StorageKeys.js';
import { rowHeaderBytes, splitRow, StreamRow } from './layout/StreamRow.js';
import type { RecentIndex } from './RecentIndex.js';
import type { StorageTables } from './StorageEnvironment.js';
import type { StreamStore } from './StreamStore.js';

export interface CompactionPolicy {
  /** Compact in transactions of its own once the recent tier holds this many bytes… */
  readonly triggerBytes: number;
  /** …or this many runs (the backstop when riding steps do not keep up). */
  readonly triggerRuns: number;
  /** A commit carries a compaction step once the tier holds this many runs. */
  readonly rideRunsMin: number;
  /** Records and runs of a step carried by a commit: it adds to that commit's latency. */
  readonly rideRecordsMax: number;
  readonly rideRunsMax: number;
  /** Compact a quiet log this long after its last commit, so reads mostly hit key-clustered rows. */
  readonly idleMs: number;
  /** Records moved by one compaction transaction of its own… */
  readonly rangeRecordsMax: number;
  /** …and runs: each is a row deleted from `recent`, so this bounds how long the transaction holds the writer. */
  readonly rangeRunsMax: number;
  /** Merged rows are cut at this size. */
  readonly rowBytesMax: number;
}

/** Work carried in a commit's transaction; told whether that transaction landed. */
export interface CommitPassenger {
  /** Called inside the transaction. */
  write(): void;
  landed(): void;
  failed(): void;
}

/** A compaction of the commits `[from, to)`: what to write and what to delete. */
interface CompactionStep {
  readonly to: number;
  readonly rows: readonly { readonly key: Buffer; readonly value: Buffer }[];
  readonly moved: readonly Buffer[];
  readonly bytes: number;
}

/**
 * Moves runs from the `recent` tier into key-clustered `streams` rows: for a range of commits
 * `[C, C')`, the runs of each key are merged into one row, written, the runs deleted and the
 * frontier advanced, all in one transaction. Commits thus write sequentially (one B-tree edge)
 * while readers of one key get long contiguous rows; the page-per-key cost of clustering is paid
 * once per compaction instead of once per commit. A range never crosses a segment boundary, so
 * every `streams` row belongs to exactly one segment (retention deletes rows whole).
 *
 * Under load, small steps ride in the writer's own commits ({@link passenger}): a transaction of
 * its own costs an fsync and holds LMDB's single writer while appends wait, a step inside a commit
 * costs neither. Transactions of its own remain for a quiet log, for a tier that outgrew the
 * steps, and for callers that need a frontier reached (retention). At most one step or one
 * transaction is under way at a time, so two never move the same runs.
 */
export class Compactor {
  private running: Promise<void> | undefined;
  /** A step riding in a commit not yet landed; resolves when it has landed or failed. */
  private riding: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly tables: StorageTables,
    private readonly recent: RecentIndex,
    private readonly store: StreamStore,
    private readonly policy: CompactionPolicy,
    /** Exclusive end of what the writer has seen committed: compaction never runs ahead of it. */
    private readonly committedEnd: () => number,
  ) {}

  /** Called after every visible commit. */
  notify(): void {
    if (this.stopped) return;
    clearTimeout(this.idleTimer);
    if (this.recent.bytes >= this.policy.triggerBytes || this.recent.size >= this.policy.triggerRuns) {
      this.kick();
      return;
    }
    this.idleTimer = setTimeout(() => this.kick(), this.policy.idleMs);
    this.idleTimer.unref();
  }

  /**
   * A bounded step for the next commit to carry, when the tier is big enough to be worth one and
   * no other compaction is under way.
   */
  passenger(): CommitPassenger | undefined {
    if (this.stopped || this.running !== undefined || this.riding !== undefined || this.recent.size < this.policy.rideRunsMin) return undefined;
    const step = this.plan(this.committedEnd(), this.policy.rideRecordsMax, this.policy.rideRunsMax);
    if (step === undefined) return undefined;
    let settle!: () => void;
    this.riding = new Promise<void>((resolve) => (settle = resolve));
    const done = (): void => {
      this.riding = undefined;
      settle();
    };
    return {
      write: () => this.write(step),
      landed: () => {
        this.recent.dropBelow(step.to, step.bytes);
        done();
      },
      failed: done,
    };
  }

  /** Compact until the frontier is at least `seq` (or nothing more is committed). */
  compactBelow(seq: number): Promise<void> {
    return this.exclusively(seq);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idleTimer);
    await this.running?.catch(() => undefined);
  }

  private kick(): void {
    if (this.running !== undefined || this.stopped) return;
    this.exclusively(this.committedEnd()).catch(() => undefined); // a failed compaction is retried on a later commit; readers are unaffected
  }

  /** Transactions of its own up to `target`, after whatever compaction is under way. */
  private exclusively(target: number): Promise<void> {
    const previous = this.running;
    const run: Promise<void> = (async () => {
      await previous?.catch(() => undefined);
      await this.riding;
      while (!this.stopped && this.store.compactedTo() < target) {
        if (!(await this.compactOnce(target))) return;
      }
    })().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /**
   * The key's runs cut wherever a row written straight to `streams` lies between two of them, so
   * that merged rows never overlap another row of the key.
   */
  private splitAtStreamRows(keyId: number, runs: StreamRow[]): StreamRow[][] {
    const last = runs[runs.length - 1].lastSequence();
    const cuts = [...this.tables.streams.getKeys({ start: streamRowKey(keyId, runs[0].firstSequence), end: streamRowKey(keyId, last) })].map((k) => readU64BE(k as Buffer, 8));
    if (cuts.length === 0) return [runs];
    const groups: StreamRow[][] = [[runs[0]]];
    let c = 0;
    for (let i = 1; i < runs.length; i++) {
      while (c < cuts.length && cuts[c] < runs[i - 1].firstSequence) c++;
      if (c < cuts.length && cuts[c] < runs[i].firstSequence) groups.push([runs[i]]);
      else groups[groups.length - 1].push(runs[i]);
    }
    return groups;
  }

  /** One transaction's worth; false when there was nothing to compact. */
  private async compactOnce(limit: number): Promise<boolean> {
    const step = this.plan(limit, this.policy.rangeRecordsMax, this.policy.rangeRunsMax);
    if (step === undefined) return false;
    await awaitWrite(
      this.tables.root.batch(() => this.write(step)),
      'compacting the recent tier',
    );
    this.recent.dropBelow(step.to, step.bytes);
    return true;
  }

  /** The next range of whole commits above the frontier (within one segment and the bounds), merged. */
  private plan(limit: number, recordsMax: number, runsMax: number): CompactionStep | undefined {
    const t = this.tables;
    const from = this.store.compactedTo();
    const end = Math.min(limit, this.committedEnd());
    let to = from;
    let segmentId = -1;
    let records = 0;
    let runs = 0;
    for (const { key, value } of t.chunks.getRange({ start: chunkKey(from), end: chunkKey(end) })) {
      const chunk = decodeChunkEntry(readU64BE(key, 0), value);
      if (chunk.firstSeq + chunk.records > end) break;
      if (segmentId >= 0 && chunk.segmentId !== segmentId) break;
      if (records > 0 && (records + chunk.records > recordsMax || runs + chunk.rows.length > runsMax)) break;
      segmentId = chunk.segmentId;
      records += chunk.records;
      runs += chunk.rows.length;
      to = chunk.firstSeq + chunk.records;
    }
    if (to === from) return undefined;

    const byKey = new Map<number, StreamRow[]>();
    const moved: Buffer[] = [];
    let bytes = 0;
    for (const { key, value } of t.recent.getRange({ start: recentKey(from), end: recentKey(to) })) {
      const keyId = value.readDoubleLE(0);
      const run = new StreamRow(value.subarray(recentKeyIdBytes), readU64BE(key, 0));
      let runs = byKey.get(keyId);
      if (runs === undefined) byKey.set(keyId, (runs = []));
      runs.push(run);
      moved.push(key);
      bytes += value.length;
    }
    const rows: { key: Buffer; value: Buffer }[] = [];
    for (const [keyId, runs] of byKey) {
      if (runs.length === 1) {
        // Most keys of a wide keyspace have one run per range: it is already a valid row, and
        // smaller than a direct row, so it moves as it is (no merge, no cut, no neighbour lookup).
        rows.push({ key: streamRowKey(keyId, runs[0].firstSequence), value: runs[0].buffer });
        continue;
      }
      for (const group of this.splitAtStreamRows(keyId, runs)) {
        const merged = new StreamRow(mergeRuns(group), group[0].firstSequence);
        for (const piece of splitRow(merged, this.policy.rowBytesMax)) rows.push({ key: streamRowKey(keyId, piece.firstSeq), value: piece.buffer });
      }
    }
    return { to, rows, moved, bytes };
  }

  /** The step's writes, inside a write transaction. */
  private write(step: CompactionStep): void {
    const t = this.tables;
    for (const row of step.rows) t.streams.put(row.key, row.value);
    for (const key of step.moved) t.recent.remove(key);
    t.meta.put(compactionKey, encodeCompactedTo(step.to));
  }
}

/** One StreamRow holding a key's consecutive runs, in order (they must not straddle another row of the key). */
export function mergeRuns(runs: readonly StreamRow[]): Buffer {
  let n = 0;
  let valueBytes = 0;
  for (const run of runs) {
    n += run.count;
    valueBytes += run.valueEnd(run.count - 1) - run.valueStart(0);
  }
  const header = rowHeaderBytes(n);
  const out = Buffer.allocUnsafe(header + valueBytes);
  const first = runs[0].firstSequence;
  out.writeUInt32LE(n, 0);
  out.writeDoubleLE(runs[0].countBefore, 4);
  let j = 0;
  let valueAt = 0;
  let expectedBefore = runs[0].countBefore;
  for (const run of runs) {
    assert(run.countBefore === expectedBefore, 'consecutive runs of a key have consecutive counts');
    expectedBefore += run.count;
    const base = run.valueStart(0);
    for (let i = 0; i < run.count; i++, j++) {
      out.writeUInt32LE(run.sequence(i) - first, 12 + 4 * j);
      out.writeUInt32LE(valueAt + run.valueEnd(i) - base, 12 + 4 * (n + j));
    }
    const length = run.valueEnd(run.count - 1) - base;
    run.buffer.copy(out, header + valueAt, base, base + length);
    valueAt += length;
  }
  return out;
}
