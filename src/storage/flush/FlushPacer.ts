/** How far a running flush has come, as the flusher knows it. */
export interface FlushProgress {
  /** Since the flush began. */
  readonly elapsedMs: number;
  /** What it should take: the last flush's time per byte times this one's bytes. */
  readonly expectedMs: number;
}

/**
 * Spreads the memtable's last room over the time the running flush still needs. Without it, a
 * producer faster than flushing (a million keys: each costs LMDB rows per flush) fills the memtable
 * to its bound and then every commit waits for the end of the flush: acknowledgements stop for a
 * second or more, once per flush. Paced, the same records go in at the same average rate, evenly:
 * past `paceFrom` of the bound, each commit is followed by a pause that, kept up, brings the
 * memtable to its bound just as the flush is expected to end.
 *
 * Nothing is paced while no flush runs or the memtable is below `paceFrom`, so a lone append and
 * any log that flushes faster than it is written never wait.
 *
 * @example
 * const pacer = new FlushPacer(256 * MiB, 0.75);
 * pacer.delayMs(1 * MiB, 224 * MiB, { elapsedMs: 1000, expectedMs: 3000 }); // 62.5: 2 s over 32 MiB
 */
export class FlushPacer {
  constructor(
    private readonly bytesMax: number,
    private readonly paceFrom: number,
  ) {}

  /** The pause after a commit of `bytes` that took the memtable to `memtableBytes`. */
  delayMs(bytes: number, memtableBytes: number, flush: FlushProgress | undefined): number {
    if (flush === undefined || flush.expectedMs <= 0 || memtableBytes < this.bytesMax * this.paceFrom) return 0;
    const room = this.bytesMax - memtableBytes;
    if (room <= 0) return 0; // at the bound: the writer waits for room anyway
    // A flush running late is expected to end soon, not never: keep pacing, over a tenth of its time.
    const remaining = Math.max(flush.expectedMs - flush.elapsedMs, flush.expectedMs / 10);
    return Math.min(remaining, (bytes * remaining) / room);
  }
}
