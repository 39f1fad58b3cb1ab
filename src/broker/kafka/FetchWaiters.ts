import type { CommittedChunk } from '../../storage/index.js';

interface Waiter {
  readonly keys: readonly string[];
  readonly owner: object;
  readonly resolve: () => void;
  timer: NodeJS.Timeout | undefined;
}

/** A wait that can be given up early. */
export interface PendingWait {
  readonly done: Promise<void>;
  /** Stop waiting now (the promise resolves). */
  cancel(): void;
}

/**
 * Fetch requests waiting for new records in any of their topics (Kafka's long-poll, MaxWaitMs).
 * A commit that becomes visible wakes exactly the waiters of the keys it touches, each waiter
 * once, whatever the number of its keys; each has one deadline timer. Waiters count against
 * their connection's in-flight bound, so the registry is bounded by it.
 *
 * @example
 * const wait = waiters.wait(['orders', 'payments'], 500, connection);
 * await wait.done; // a commit touched one of them, or 500 ms passed
 */
export class FetchWaiters {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private waiting = 0;

  get size(): number {
    return this.waiting;
  }

  /** Resolve on the next visible commit touching one of `keys` (latin1 strings), after `timeoutMs`, or on release. */
  wait(keys: readonly string[], timeoutMs: number, owner: object): PendingWait {
    let waiter: Waiter | undefined;
    const done = new Promise<void>((resolve) => {
      waiter = { keys, owner, resolve, timer: undefined };
    });
    const w = waiter as Waiter;
    for (const key of keys) {
      let set = this.byKey.get(key);
      if (set === undefined) this.byKey.set(key, (set = new Set()));
      set.add(w);
    }
    this.waiting++;
    w.timer = setTimeout(() => this.wake(w), Math.max(0, timeoutMs));
    return { done, cancel: () => this.wake(w) };
  }

  onChunk(chunk: CommittedChunk): void {
    if (this.byKey.size === 0) return;
    for (const run of chunk.runs) {
      const set = this.byKey.get(run.keyStr);
      if (set === undefined) continue;
      for (const w of [...set]) this.wake(w);
    }
  }

  /** Answer the waiters of a connection that closed. */
  release(owner: object): void {
    const mine = new Set<Waiter>();
    for (const set of this.byKey.values()) for (const w of set) if (w.owner === owner) mine.add(w);
    for (const w of mine) this.wake(w);
  }

  /** Answer every waiter now (shutdown). */
  releaseAll(): void {
    const all = new Set<Waiter>();
    for (const set of this.byKey.values()) for (const w of set) all.add(w);
    for (const w of all) this.wake(w);
  }

  private wake(w: Waiter): void {
    if (w.timer === undefined) return; // already woken
    clearTimeout(w.timer);
    w.timer = undefined;
    this.waiting--;
    for (const key of w.keys) {
      const set = this.byKey.get(key);
      if (set === undefined) continue;
      set.delete(w);
      if (set.size === 0) this.byKey.delete(key);
    }
    w.resolve();
  }
}
