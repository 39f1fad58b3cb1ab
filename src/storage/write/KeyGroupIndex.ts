import { hashBytes, type KeyHandle } from '../memtable/KeyTable.js';

/** The records of one key in the commit being built. */
export class KeyGroup {
  n = 0;
  valueBytes = 0;
  headerBytes = 0;
  firstSeq = -1;
  lastSeq = -1;
  /** Where the run's header starts in the frame; its row starts at rowStart. */
  runStart = 0;
  rowStart = 0;
  rowEnd = 0;
  filled = 0;
  valueCursor = 0;
  headerCursor = 0;
  /** Next group whose key has the same hash. */
  nextInBucket: KeyGroup | undefined;

  constructor(
    readonly index: number,
    /** The key's bytes (a view into the batch that brought it first). */
    readonly key: Buffer,
    /** The key's place in the writer's key table. */
    readonly handle: KeyHandle,
  ) {}
}

function sameBytes(key: Buffer, buf: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== buf[start + i]) return false;
  return true;
}

/**
 * Groups by key bytes without building a string per record: a hash of the bytes picks a bucket,
 * and the bytes are compared with the group's key. (A string per record was the builder's largest
 * allocation at a million records a second.)
 */
export class KeyGroupIndex {
  private readonly buckets = new Map<number, KeyGroup>();

  find(buf: Uint8Array, start: number, end: number, hash: number): KeyGroup | undefined {
    for (let g = this.buckets.get(hash); g !== undefined; g = g.nextInBucket) {
      if (sameBytes(g.key, buf, start, end)) return g;
    }
    return undefined;
  }

  add(group: KeyGroup, hash: number): void {
    group.nextInBucket = this.buckets.get(hash);
    this.buckets.set(hash, group);
  }

  /** The group of a whole key, if any. */
  get(key: Buffer): KeyGroup | undefined {
    return this.find(key, 0, key.length, hashBytes(key, 0, key.length));
  }
}
