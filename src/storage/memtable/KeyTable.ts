import { assert } from '../errors.js';
import { grownColumn } from './TypedColumn.js';

/**
 * A key's place in the table: an index into its columns, stable while the key is pinned (runs or
 * trims in the memtable) or a commit is being built. Not a key id: it is reused after eviction.
 */
export type KeyHandle = number;

/** A key's state as LMDB holds it (as of the last flush), or a new key's. */
export interface LoadedKey {
  readonly keyId: number;
  readonly count: number;
  readonly lastSeq: number;
  readonly trimSeq: number;
}

/** Where a key's state comes from when the table does not hold it. */
export type KeyStateLoader = (key: Buffer) => LoadedKey;

/** FNV-1a over `buf[start..end)`: the hash the table and the commit builder's grouping share. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

const noRun = -1;
const initialCapacity = 1024;

/**
 * What the writer must know about every key it appends to, held in columns (typed arrays) behind
 * an open-addressing index over the key bytes: no object, string or map entry per key. At a
 * million keys the `Map` of state objects this replaces spent a third of the writer's time in
 * hashing strings, cache misses, garbage collection and LMDB reads of the states it had to evict;
 * here a key costs about 70 bytes plus its bytes, so the default bound holds every active key of a
 * million-key log.
 *
 * Values include commits not yet durable. A key is pinned (never evicted) while the memtable
 * holds runs or trims of it, so a key is only ever loaded from LMDB when LMDB is authoritative for
 * it. Others are evicted by a clock sweep (a second chance for keys used since the last sweep)
 * once there are more than `unpinnedMax`.
 *
 * @example
 * const keys = new KeyTable(1000, () => ({ keyId: 1, count: 0, lastSeq: -1, trimSeq: 0 }));
 * const k = Buffer.from('user-1');
 * const h = keys.forWrite(k, 0, k.length, hashBytes(k, 0, k.length));
 * keys.count[h]; // 0
 */
export class KeyTable {
  // Columns, indexed by handle. Reassigned when they grow: read them through the table, never keep one.
  keyId = new Float64Array(initialCapacity);
  /** Entries ever appended to the key (the next entry's offset). */
  count = new Float64Array(initialCapacity);
  /** Last sequence appended to the key, -1 if none. */
  lastSeq = new Float64Array(initialCapacity);
  /** Entries of the key below this sequence are deleted. */
  trimSeq = new Float64Array(initialCapacity);
  /** The key's newest run in the memtable (a run number), -1 if none. */
  lastRun = new Float64Array(initialCapacity);
  private memRuns = new Int32Array(initialCapacity);
  private memTrims = new Int32Array(initialCapacity);
  private hashes = new Uint32Array(initialCapacity);
  private keyStart = new Float64Array(initialCapacity);
  private keyLengths = new Uint32Array(initialCapacity);
  /** 1: used since the clock hand last passed; 0: evictable when unpinned; 2: free. */
  private mark = new Uint8Array(initialCapacity).fill(2);

  /** Open addressing, linear probing: handle + 1, or 0 for an empty slot. */
  private slots = new Int32Array(2 * initialCapacity);
  private slotShift = 32 - Math.log2(2 * initialCapacity);

  /** Key bytes, one after another; evicted keys leave garbage, compacted once it is half. */
  private arena = Buffer.allocUnsafe(16 * initialCapacity);
  private arenaUsed = 0;
  private arenaGarbage = 0;

  private free: number[] = [];
  private highWater = 0;
  private live = 0;
  private pinnedCount = 0;
  private hand = 0;

  constructor(
    private readonly unpinnedMax: number,
    private readonly load: KeyStateLoader,
  ) {}

  /** Keys with runs or trims in the memtable. */
  get pinned(): number {
    return this.pinnedCount;
  }

  get size(): number {
    return this.live;
  }

  /** Bytes of the key. */
  keyLength(h: KeyHandle): number {
    return this.keyLengths[h];
  }

  /** Copy the key's bytes to `target` at `at` (no view allocated). */
  copyKey(h: KeyHandle, target: Uint8Array, at: number): void {
    const start = this.keyStart[h];
    target.set(this.arena.subarray(start, start + this.keyLengths[h]), at);
  }

  /** The key's bytes (a view, valid until the table changes). */
  keyOf(h: KeyHandle): Buffer {
    const start = this.keyStart[h];
    return this.arena.subarray(start, start + this.keyLengths[h]);
  }

  /** The key's handle without loading it or touching recency (readers), -1 if the table does not hold it. */
  peek(key: Uint8Array): KeyHandle {
    return this.find(key, 0, key.length, hashBytes(key, 0, key.length));
  }

  /**
   * The handle of the key in `buf[start..end)` (whose `hashBytes` is `hash`), for the commit being
   * built, loaded if the table does not hold it. No eviction happens until the next `trim`, so a
   * handle stays valid through the build.
   */
  forWrite(buf: Uint8Array, start: number, end: number, hash: number): KeyHandle {
    let h = this.find(buf, start, end, hash);
    if (h < 0) {
      const key = Buffer.from(buf.subarray(start, end));
      h = this.insert(key, hash, this.load(key));
    } else this.mark[h] = 1;
    return h;
  }

  /** The handle of a key met while replaying the WAL, loaded by `load` (which knows the key's id) if needed. */
  forReplay(key: Buffer, load: KeyStateLoader): KeyHandle {
    const hash = hashBytes(key, 0, key.length);
    const h = this.find(key, 0, key.length, hash);
    return h >= 0 ? h : this.insert(key, hash, load(key));
  }

  /** A run of the key entered the memtable. */
  runAdded(h: KeyHandle, run: number): void {
    if (this.memRuns[h]++ === 0 && this.memTrims[h] === 0) this.pinnedCount++;
    this.lastRun[h] = run;
  }

  /** A run of the key left the memtable (flushed); the key is unpinned when it was the last. */
  runDropped(h: KeyHandle): void {
    assert(this.memRuns[h] > 0, 'a dropped run was counted');
    if (--this.memRuns[h] === 0) {
      this.lastRun[h] = noRun;
      if (this.memTrims[h] === 0) this.pinnedCount--;
    }
  }

  /** A trim of the key entered the memtable. */
  trimAdded(h: KeyHandle): void {
    if (this.memTrims[h]++ === 0 && this.memRuns[h] === 0) this.pinnedCount++;
  }

  /** A trim of the key left the memtable (flushed). */
  trimDropped(h: KeyHandle): void {
    assert(this.memTrims[h] > 0, 'a dropped trim was counted');
    if (--this.memTrims[h] === 0 && this.memRuns[h] === 0) this.pinnedCount--;
  }

  /** Evict unpinned states down to the bound: a clock sweep skips pinned keys and spares those used since it last passed once. */
  trim(): void {
    let excess = this.live - this.pinnedCount - this.unpinnedMax;
    while (excess > 0) {
      const h = this.hand;
      this.hand = h + 1 === this.highWater ? 0 : h + 1;
      if (this.mark[h] === 2 || this.memRuns[h] > 0 || this.memTrims[h] > 0) continue;
      if (this.mark[h] === 1) {
        this.mark[h] = 0;
        continue;
      }
      this.remove(h);
      excess--;
    }
  }

  /** Forget everything (the memtable is being rebuilt from disk). */
  clear(): void {
    this.slots.fill(0);
    this.mark.fill(2);
    this.memRuns.fill(0);
    this.memTrims.fill(0);
    this.free = [];
    this.highWater = this.live = this.pinnedCount = this.hand = 0;
    this.arenaUsed = this.arenaGarbage = 0;
  }

  private slotOf(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> this.slotShift;
  }

  private find(buf: Uint8Array, start: number, end: number, hash: number): KeyHandle {
    const slots = this.slots;
    const mask = slots.length - 1;
    const length = end - start;
    for (let s = this.slotOf(hash); ; s = (s + 1) & mask) {
      const h = slots[s] - 1;
      if (h < 0) return -1;
      if (this.hashes[h] !== hash || this.keyLengths[h] !== length) continue;
      const at = this.keyStart[h];
      const arena = this.arena;
      let i = 0;
      while (i < length && arena[at + i] === buf[start + i]) i++;
      if (i === length) return h;
    }
  }

  private insert(key: Buffer, hash: number, loaded: LoadedKey): KeyHandle {
    if (2 * (this.live + 1) > this.slots.length) this.growSlots();
    let h = this.free.pop();
    if (h === undefined) {
      if (this.highWater === this.keyId.length) this.growColumns();
      h = this.highWater++;
    }
    if (this.arenaUsed + key.length > this.arena.length) this.makeArenaRoom(key.length);
    key.copy(this.arena, this.arenaUsed);
    this.keyStart[h] = this.arenaUsed;
    this.keyLengths[h] = key.length;
    this.arenaUsed += key.length;
    this.hashes[h] = hash;
    this.keyId[h] = loaded.keyId;
    this.count[h] = loaded.count;
    this.lastSeq[h] = loaded.lastSeq;
    this.trimSeq[h] = loaded.trimSeq;
    this.lastRun[h] = noRun;
    this.memRuns[h] = 0;
    this.memTrims[h] = 0;
    this.mark[h] = 1;
    this.live++;
    this.place(h);
    return h;
  }

  private place(h: KeyHandle): void {
    const mask = this.slots.length - 1;
    let s = this.slotOf(this.hashes[h]);
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = h + 1;
  }

  /** Take `h` out of the index (backward-shift deletion: no tombstones to slow later probes). */
  private remove(h: KeyHandle): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = this.slotOf(this.hashes[h]);
    while (slots[s] !== h + 1) s = (s + 1) & mask;
    for (let next = (s + 1) & mask; slots[next] !== 0; next = (next + 1) & mask) {
      const home = this.slotOf(this.hashes[slots[next] - 1]);
      // The entry at `next` may move into the hole at `s` unless its home lies cyclically in (s, next].
      const stays = s <= next ? home > s && home <= next : home > s || home <= next;
      if (stays) continue;
      slots[s] = slots[next];
      s = next;
    }
    slots[s] = 0;
    this.mark[h] = 2;
    this.arenaGarbage += this.keyLengths[h];
    this.free.push(h);
    this.live--;
  }

  private growSlots(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.slotShift = 32 - Math.log2(size);
    for (let h = 0; h < this.highWater; h++) if (this.mark[h] !== 2) this.place(h);
  }

  private growColumns(): void {
    const size = this.keyId.length * 2;
    this.keyId = grownColumn(this.keyId, size);
    this.count = grownColumn(this.count, size);
    this.lastSeq = grownColumn(this.lastSeq, size);
    this.trimSeq = grownColumn(this.trimSeq, size);
    this.lastRun = grownColumn(this.lastRun, size);
    this.memRuns = grownColumn(this.memRuns, size);
    this.memTrims = grownColumn(this.memTrims, size);
    this.hashes = grownColumn(this.hashes, size);
    this.keyStart = grownColumn(this.keyStart, size);
    this.keyLengths = grownColumn(this.keyLengths, size);
    const mark = new Uint8Array(size).fill(2);
    mark.set(this.mark);
    this.mark = mark;
  }

  /** Room for `bytes` more key bytes: drop the garbage of evicted keys if that is enough, else grow. */
  private makeArenaRoom(bytes: number): void {
    const liveBytes = this.arenaUsed - this.arenaGarbage;
    let size = this.arena.length;
    while (liveBytes + bytes > size / 2) size *= 2;
    const arena = Buffer.allocUnsafe(size);
    let at = 0;
    for (let h = 0; h < this.highWater; h++) {
      if (this.mark[h] === 2) continue;
      const start = this.keyStart[h];
      const length = this.keyLengths[h];
      this.arena.copy(arena, at, start, start + length);
      this.keyStart[h] = at;
      at += length;
    }
    this.arena = arena;
    this.arenaUsed = at;
    this.arenaGarbage = 0;
  }
}
