import type { StorageTables } from '../StorageEnvironment.js';
import { decodeProducerRecord, encodeProducerRecord } from '../layout/ProducerRecord.js';
import type { PendingAppend } from './PendingItem.js';
import { awaitWrite } from '../LmdbWrite.js';

/** A batch in a producer's window: sequenced, and (while `inFlight` is set) not yet committed. */
export interface WindowEntry {
  readonly startSequence: number;
  readonly count: number;
  inFlight: PendingAppend | undefined;
}

export interface ProducerState {
  readonly id: string;
  readonly window: Map<number, WindowEntry>;
  maxBatch: number;
  lastSeenMs: number;
  pins: number;
}

/** What the registry says about a batch before it is sequenced. */
export type BatchVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'committed'; readonly startSequence: number; readonly count: number }
  | { readonly kind: 'inFlight'; readonly original: PendingAppend }
  | { readonly kind: 'tooOld'; readonly oldest: number };

/**
 * Idempotent producers: for each producer id, the last `windowBatches` batch numbers and where
 * they landed. A retried batch is answered with its original result instead of being appended
 * twice; the window is stored with the commit that writes the batch, so it survives crashes.
 * States are cached (bounded, pinned while a commit holds them) and reloaded from LMDB.
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
      state = { id, window: new Map(), maxBatch: -1, lastSeenMs: 0, pins: 0 };
      const raw = this.tables.producers.getBinary(Buffer.from(id, 'utf8'));
      if (raw !== undefined) {
        const record = decodeProducerRecord(raw);
        state.lastSeenMs = record.lastSeenMs;
        for (const b of record.batches) {
          state.window.set(b.batchNumber, { startSequence: b.startSequence, count: b.count, inFlight: undefined });
          if (b.batchNumber > state.maxBatch) state.maxBatch = b.batchNumber;
        }
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
        : { kind: 'committed', startSequence: entry.startSequence, count: entry.count };
    }
    const oldest = state.maxBatch - this.windowBatches + 1;
    if (state.maxBatch >= 0 && batchNumber < oldest) return { kind: 'tooOld', oldest };
    return { kind: 'new' };
  }

  /** Record a sequenced batch; returns the producer's row to write with it. */
  record(state: ProducerState, batchNumber: number, append: PendingAppend, nowMs: number): { key: Buffer; value: Buffer } {
    state.window.set(batchNumber, { startSequence: append.startSequence, count: append.batch.count, inFlight: append });
    if (batchNumber > state.maxBatch) state.maxBatch = batchNumber;
    const oldest = state.maxBatch - this.windowBatches + 1;
    for (const number of state.window.keys()) if (number < oldest) state.window.delete(number);
    state.lastSeenMs = nowMs;
    state.pins++;
    const batches = [...state.window].map(([n, e]) => ({ batchNumber: n, startSequence: e.startSequence, count: e.count }));
    return { key: Buffer.from(state.id, 'utf8'), value: encodeProducerRecord({ lastSeenMs: nowMs, batches }) };
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
        if (nowMs - decodeProducerRecord(value).lastSeenMs >= idleMs && (this.cache.get(id)?.pins ?? 0) === 0) stale.push(key);
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

  clearUnpinned(): void {
    for (const [id, state] of this.cache) if (state.pins === 0) this.cache.delete(id);
  }

  private trim(): void {
    if (this.cache.size <= this.cachedMax) return;
    let excess = this.cache.size - this.cachedMax;
    for (const [id, state] of this.cache) {
      if (excess === 0) break;
      if (state.pins > 0) continue;
      this.cache.delete(id);
      excess--;
    }
  }
}
