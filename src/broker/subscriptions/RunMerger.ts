import type { CommittedRun } from '../../storage/index.js';

/**
 * Walks the entries of several runs of one commit in sequence order, with a binary heap of the
 * runs' next sequences: O(log runs) per entry, where scanning every run per entry cost O(runs)
 * (a prefix subscription sees a run per key of the commit).
 */
export class RunMerger {
  private readonly heap: number[] = [];
  private readonly position: Int32Array;

  constructor(
    private readonly runs: readonly CommittedRun[],
    from: number,
  ) {
    this.position = new Int32Array(runs.length);
    for (let r = 0; r < runs.length; r++) {
      this.position[r] = runs[r].row.lowerBound(from);
      if (this.position[r] < runs[r].row.count) this.push(r);
    }
  }

  /** The run holding the next entry in sequence order (its index there is `indexIn(run)`), or -1. */
  peek(): number {
    return this.heap.length === 0 ? -1 : this.heap[0];
  }

  indexIn(run: number): number {
    return this.position[run];
  }

  /** Move past the entry `peek()` named. */
  advance(): void {
    const run = this.heap[0];
    this.position[run]++;
    if (this.position[run] < this.runs[run].row.count) this.siftDown(0);
    else {
      const last = this.heap.pop() as number;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.siftDown(0);
      }
    }
  }

  private seq(run: number): number {
    return this.runs[run].row.sequence(this.position[run]);
  }

  private push(run: number): void {
    const heap = this.heap;
    heap.push(run);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.seq(heap[parent]) <= this.seq(heap[i])) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const smallest = right < heap.length && this.seq(heap[right]) < this.seq(heap[left]) ? right : left;
      if (this.seq(heap[i]) <= this.seq(heap[smallest])) return;
      [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
      i = smallest;
    }
  }
}
