/**
 * Which runs of each key are in the `recent` tier (first sequences, ascending), so a key's recent
 * runs are found without scanning the tier. It is bounded by the tier, which the compactor keeps
 * small, and rebuilt from the table at open. Runs are added once their commit is visible and
 * dropped once compaction moved them, in the same turn in which readers start to see the change.
 */
export class RecentIndex {
  private readonly runs = new Map<number, number[]>();
  private runCount = 0;
  private byteCount = 0;

  get size(): number {
    return this.runCount;
  }

  /** Bytes of the runs in the tier (approximate: their row sizes). */
  get bytes(): number {
    return this.byteCount;
  }

  add(keyId: number, firstSeq: number, bytes: number): void {
    let list = this.runs.get(keyId);
    if (list === undefined) this.runs.set(keyId, (list = []));
    list.push(firstSeq);
    this.runCount++;
    this.byteCount += bytes;
  }

  /** Forget every run below `seq` (compacted); `bytes` is what left the tier. */
  dropBelow(seq: number, bytes: number): void {
    for (const [keyId, list] of this.runs) {
      let n = 0;
      while (n < list.length && list[n] < seq) n++;
      if (n === 0) continue;
      this.runCount -= n;
      if (n === list.length) this.runs.delete(keyId);
      else list.splice(0, n);
    }
    this.byteCount = Math.max(0, this.byteCount - bytes);
  }

  /** The key's runs, ascending by first sequence (do not modify). */
  runsOf(keyId: number): readonly number[] | undefined {
    return this.runs.get(keyId);
  }

  clear(): void {
    this.runs.clear();
    this.runCount = 0;
    this.byteCount = 0;
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
