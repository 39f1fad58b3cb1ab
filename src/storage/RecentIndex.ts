import { Fifo } from './write/Fifo.js';

/**
 * Which runs of each key are in the `recent` tier (first sequences, ascending), so a key's recent
 * runs are found without scanning the tier. It is bounded by the tier, which the compactor keeps
 * small, and rebuilt from the table at open. Runs are added once their commit is visible and
 * dropped once compaction moved them, in the same turn in which readers start to see the change.
 */
export class RecentIndex {
  private readonly runs = new Map<number, number[]>();
  /** Key ids of the runs in order of first sequence, so dropping the oldest runs costs what is dropped, not the keyspace. */
  private readonly order = new Fifo<number>();
  private readonly orderSeqs = new Fifo<number>();
  private byteCount = 0;

  get size(): number {
    return this.order.length;
  }

  /** Bytes of the runs in the tier (approximate: their row sizes). */
  get bytes(): number {
    return this.byteCount;
  }

  /** Runs are added in order of first sequence (commits land in order, and so does the table at open). */
  add(keyId: number, firstSeq: number, bytes: number): void {
    let list = this.runs.get(keyId);
    if (list === undefined) this.runs.set(keyId, (list = []));
    list.push(firstSeq);
    this.order.push(keyId);
    this.orderSeqs.push(firstSeq);
    this.byteCount += bytes;
  }

  /** Forget every run below `seq` (compacted); `bytes` is what left the tier. */
  dropBelow(seq: number, bytes: number): void {
    // The oldest runs overall are the oldest of their keys: each key loses a prefix of its list.
    const dropped = new Map<number, number>();
    for (let first = this.orderSeqs.peek(); first !== undefined && first < seq; first = this.orderSeqs.peek()) {
      this.orderSeqs.shift();
      const keyId = this.order.shift() as number;
      dropped.set(keyId, (dropped.get(keyId) ?? 0) + 1);
    }
    for (const [keyId, n] of dropped) {
      const list = this.runs.get(keyId) as number[];
      if (n === list.length) this.runs.delete(keyId);
      else list.splice(0, n);
    }
    this.byteCount = Math.max(0, this.byteCount - bytes);
  }

  /** The key's runs, ascending by first sequence (do not modify). */
  runsOf(keyId: number): readonly number[] | undefined {
    return this.runs.get(keyId);
  }
}

/** Index of the last element <= `value` in an ascending list, or -1. */
export function lastAtOrBefore(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
