import type { StorageTables } from '../env/StorageTables.js';
import { decodeProducerRecord } from '../layout/ProducerRecord.js';
import type { PendingAppend } from './PendingItem.js';
import { awaitWrite } from '../env/LmdbWrite.js';

/** A batch in a producer's window: sequenced, and (while `inFlight` is set) not yet committed. */
export interface WindowEntry {
  readonly startSequence: number;
  readonly count: number;
  /** The batch's first record's offset within its key, and its append time. */
  readonly offset: number;
  readonly timeMs: number;
  inFlight: PendingAppend | undefined;
}

export interface ProducerState {
  readonly id: string;
  /** The producer's last batches, oldest first (insertion order): at most `windowBatches`. */
  readonly window: Map<number, WindowEntry>;
  lastSeenMs: number;
  /** Commits in flight holding batches of it. */
  pins: number;
  /** Its batches in frames not yet flushed to LMDB (LMDB's row lags them, so the state must stay). */
  unflushed: number;
}

/** What the registry says about a batch before it is sequenced. */
export type BatchVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'committed'; readonly startSequence: number; readonly count: number; readonly offset: number; readonly timeMs: number }
  | { readonly kind: 'inFlight'; readonly original: PendingAppend }
  | { readonly kind: 'tooOld'; readonly oldest: number };

/**
 * Idempotent producers: for each producer id, its last `windowBatches` batches (whatever their
 * numbers: a Kafka producer numbers batches by record sequence) and where they landed. A retried batch is answered with its original result instead of being appended
 * twice; each batch is recorded in the WAL frame of the commit that sequences it (and in LMDB's
 * `producers` row by the flush that takes that frame), so it survives crashes. States are cached
 * (bounded; pinned while a commit holds them or their batches are not yet flushed) and reloaded
 * from LMDB.
 */
export class ProducerRegistry {
  private readonly cache = new Map<string, ProducerState>();

  constructor(
    private readonly tables: StorageTables,
    readonly windowBatches: number,
    private readonly cachedMax: number,
  ) {}

  state(id: string): ProducerState {
    let state = this.cache.get(id);
    if (state === undefined) {
      state = { id, window: new Map(), lastSeenMs: 0, pins: 0, unflushed: 0 };
      const raw = this.tables.producers.getBinary(Buffer.from(id, 'utf8'));
      if (raw !== undefined) {
        const record = decodeProducerRecord(raw);
        state.lastSeenMs = record.lastSeenMs;
        for (const b of record.batches) state.window.set(b.batchNumber, { startSequence: b.startSequence, count: b.count, offset: b.offset, timeMs: b.timeMs, inFlight: undefined });
      }
      this.cache.set(id, state);
    }
    return state;
  }

  verdict(state: ProducerState, batchNumber: number): BatchVerdict {
    const entry = state.window.get(batchNumber);
    if (entry !== undefined) {
      return entry.inFlight !== undefined
        ? { kind: 'inFlight', original: entry.inFlight }
        : { kind: 'committed', startSequence: entry.startSequence, count: entry.count, offset: entry.offset, timeMs: entry.timeMs };
    }
    // A full window forgot batches before its oldest: one numbered below them cannot be told apart.
    if (state.window.size >= this.windowBatches) {
      const oldest = Math.min(...state.window.keys());
      if (batchNumber < oldest) return { kind: 'tooOld', oldest };
    }
    return { kind: 'new' };
  }

  /** The producer's highest-numbered batch in its window, if any (the Kafka listener's next expected sequence follows it). */
  lastBatch(id: string): { readonly batchNumber: number; readonly count: number } | undefined {
    // Read without caching: a probe for an unknown producer must not take a place in the cache.
    const cached = this.cache.get(id);
    const batches = cached !== undefined ? [...cached.window].map(([batchNumber, e]) => ({ batchNumber, count: e.count })) : this.storedBatches(id);
    let last: { batchNumber: number; count: number } | undefined;
    for (const b of batches) if (last === undefined || b.batchNumber > last.batchNumber) last = { batchNumber: b.batchNumber, count: b.count };
    return last;
  }

  private storedBatches(id: string): readonly { batchNumber: number; count: number }[] {
    const raw = this.tables.producers.getBinary(Buffer.from(id, 'utf8'));
    return raw === undefined ? [] : decodeProducerRecord(raw).batches;
  }

  /** Record a batch sequenced by a commit being built (`offset`: its first record's, within its key). */
  record(state: ProducerState, batchNumber: number, append: PendingAppend, offset: number, nowMs: number): void {
    this.remember(state, batchNumber, { startSequence: append.startSequence, count: append.batch.count, offset, timeMs: nowMs, inFlight: append }, nowMs);
    state.pins++;
  }

  /** Record a batch found in a WAL frame at open (its commit is durable). */
  replay(id: string, batchNumber: number, startSequence: number, count: number, offset: number, timeMs: number): void {
    this.remember(this.state(id), batchNumber, { startSequence, count, offset, timeMs, inFlight: undefined }, timeMs);
  }

  /** Batches of `id` from frames a flush put in LMDB: LMDB's row now holds them. */
  flushed(id: string): void {
    const state = this.cache.get(id);
    if (state !== undefined && state.unflushed > 0) state.unflushed--;
    this.trim();
  }

  private remember(state: ProducerState, batchNumber: number, entry: WindowEntry, nowMs: number): void {
    state.window.delete(batchNumber); // re-inserted as the newest
    state.window.set(batchNumber, entry);
    while (state.window.size > this.windowBatches) state.window.delete(state.window.keys().next().value as number);
    state.lastSeenMs = nowMs;
    state.unflushed++;
  }

  /** The commit holding `append` landed. */
  committed(state: ProducerState, batchNumber: number): void {
    const entry = state.window.get(batchNumber);
    if (entry !== undefined) entry.inFlight = undefined;
    state.pins--;
    this.trim();
  }

  /** The commit holding it failed: the batch was not appended, so a retry must append it. */
  failed(state: ProducerState, batchNumber: number): void {
    state.window.delete(batchNumber);
    state.pins--;
    state.unflushed--;
  }

  /**
   * Forget producers not seen for `idleMs` (their ids would otherwise stay forever): a retry that
   * old is past any client's delivery timeout. Deletes in bounded transactions.
   */
  async prune(idleMs: number, nowMs = Date.now()): Promise<number> {
    let pruned = 0;
    for (;;) {
      const stale: Buffer[] = [];
      for (const { key, value } of this.tables.producers.getRange({})) {
        const id = key.toString('utf8');
        const cached = this.cache.get(id);
        if (nowMs - decodeProducerRecord(value).lastSeenMs >= idleMs && (cached === undefined || (cached.pins === 0 && cached.unflushed === 0))) stale.push(key);
        if (stale.length >= 1000) break;
      }
      if (stale.length === 0) return pruned;
      await awaitWrite(
        this.tables.root.batch(() => {
          for (const key of stale) this.tables.producers.remove(key);
        }),
        'pruning idle producers',
      );
      for (const key of stale) this.cache.delete(key.toString('utf8'));
      pruned += stale.length;
      if (stale.length < 1000) return pruned;
    }
  }

  /** Forget every state (the memtable is being rebuilt from disk). */
  clear(): void {
    this.cache.clear();
  }

  private trim(): void {
    if (this.cache.size <= this.cachedMax) return;
    let excess = this.cache.size - this.cachedMax;
    for (const [id, state] of this.cache) {
      if (excess === 0) break;
      if (state.pins > 0 || state.unflushed > 0) continue;
      this.cache.delete(id);
      excess--;
    }
  }
}
