import type { CommittedChunk } from '../storage/index.js';

interface Waiter {
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
  readonly owner: object;
}

/**
 * Scans waiting for their key's first entry (long-poll). A commit wakes exactly the waiters of
 * the keys it touches; each waiter has its own deadline timer. Waiters count against their
 * connection's in-flight bound, so the registry is bounded by it.
 */
export class LongPollRegistry {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private waiting = 0;

  /** Long-polls waiting now. */
  get size(): number {
    return this.waiting;
  }

  /** Resolve on the next commit touching `keyStr`, or after `timeoutMs`, or when `owner` goes away. */
  wait(keyStr: string, timeoutMs: number, owner: object): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.byKey.get(keyStr);
      if (set === undefined) this.byKey.set(keyStr, (set = new Set()));
      const waiters = set;
      const waiter: Waiter = {
        owner,
        resolve,
        timer: setTimeout(() => {
          if (waiters.delete(waiter)) this.waiting--;
          if (waiters.size === 0 && this.byKey.get(keyStr) === waiters) this.byKey.delete(keyStr);
          resolve();
        }, timeoutMs),
      };
      waiters.add(waiter);
      this.waiting++;
    });
  }

  onChunk(chunk: CommittedChunk): void {
    if (this.byKey.size === 0) return;
    for (const run of chunk.runs) {
      const waiters = this.byKey.get(run.keyStr);
      if (waiters === undefined) continue;
      this.byKey.delete(run.keyStr);
      this.waiting -= waiters.size;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  /** Answer the waiters of a connection that closed, so they do not outlive it. */
  release(owner: object): void {
    for (const [keyStr, waiters] of this.byKey) {
      for (const w of waiters) {
        if (w.owner !== owner) continue;
        clearTimeout(w.timer);
        waiters.delete(w);
        this.waiting--;
        w.resolve();
      }
      if (waiters.size === 0) this.byKey.delete(keyStr);
    }
  }

  /** Answer every waiter now (shutdown). */
  releaseAll(): void {
    for (const waiters of this.byKey.values()) {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve();
      }
    }
    this.byKey.clear();
    this.waiting = 0;
  }
}
