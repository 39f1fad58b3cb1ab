import { assert } from '../errors.js';

/**
 * What the writer must know about a key to append to it. Values include commits not yet
 * durable; a key is pinned (never evicted) while the memtable holds runs of it, so a key is
 * only ever loaded from LMDB when LMDB is authoritative for it.
 */
export interface KeyState {
  /** The key as latin1: a 1:1 image of its bytes, the table's map key. */
  readonly keyStr: string;
  readonly keyId: number;
  /** Entries ever appended to the key (the next entry's offset). */
  count: number;
  /** Last sequence appended to the key, -1 if none. */
  lastSeq: number;
  /** Entries of the key below this sequence are deleted. */
  trimSeq: number;
  /** The key's newest run in the memtable (a run number), -1 if none. */
  lastRun: number;
  /** Runs of the key in the memtable, and trims of it (frames a flush has not applied yet): the key is pinned while either is above 0. */
  memRuns: number;
  memTrims: number;
  /** Links of the table's list of unpinned states, least recently used first (KeyTable's own). */
  lruPrev: KeyState | null;
  lruNext: KeyState | null;
  inLru: boolean;
}

/** A key's state as the writer starts from it: nothing of it in the memtable. */
export function newKeyState(keyStr: string, keyId: number, count: number, lastSeq: number, trimSeq: number): KeyState {
  return { keyStr, keyId, count, lastSeq, trimSeq, lastRun: -1, memRuns: 0, memTrims: 0, lruPrev: null, lruNext: null, inLru: false };
}

function pinned(state: KeyState): boolean {
  return state.memRuns > 0 || state.memTrims > 0;
}

/** Where a key's state comes from when the table does not hold it. */
export type KeyStateLoader = (key: Buffer, keyStr: string) => KeyState;

/**
 * Key states: every key with runs in the memtable (pinned), and a bounded LRU of others. Pinned
 * keys are kept out of the LRU so that evicting never walks past them: the memtable's own
 * bound on distinct keys bounds them. The LRU is a list threaded through the states themselves:
 * at a million keys, a second map of them cost a hash operation per record and per flushed key.
 */
export class KeyTable {
  private readonly all = new Map<string, KeyState>();
  /** Unpinned states, least recently used first. */
  private lruHead: KeyState | null = null;
  private lruTail: KeyState | null = null;
  private lruSize = 0;
  /** States loaded for the commit being built, not yet pinned nor in the LRU (see `endBuild`). */
  private fresh: KeyState[] = [];

  constructor(
    private readonly unpinnedMax: number,
    private readonly load: KeyStateLoader,
  ) {}

  /** Keys with runs in the memtable. */
  get pinned(): number {
    return this.all.size - this.lruSize;
  }

  get size(): number {
    return this.all.size;
  }

  /** The state without loading it or touching recency (readers). */
  peek(keyStr: string): KeyState | undefined {
    return this.all.get(keyStr);
  }

  /**
   * The state of a key the commit being built reads or writes, loaded if needed. It is taken out
   * of the LRU (most keys are pinned right after, by their run); `endBuild` puts back the others.
   * One map operation per key: at a million keys they are most of the builder's time.
   */
  forWrite(key: Buffer, keyStr: string): KeyState {
    let state = this.all.get(keyStr);
    if (state === undefined) {
      state = this.load(key, keyStr);
      this.all.set(keyStr, state);
      this.fresh.push(state);
    } else if (state.inLru) {
      this.unlink(state);
      this.fresh.push(state);
    }
    return state;
  }

  /** The commit is built: keys it looked up but did not write go back to the LRU, as most recently used. */
  endBuild(): void {
    for (const state of this.fresh) if (!pinned(state) && !state.inLru) this.append(state);
    this.fresh = [];
  }

  /** The state of a key met while replaying the WAL, loaded by `load` (which knows the key's id) if needed. */
  forReplay(key: Buffer, keyStr: string, load: KeyStateLoader): KeyState {
    let state = this.all.get(keyStr);
    if (state === undefined) {
      state = load(key, keyStr);
      this.all.set(keyStr, state);
    } else if (state.inLru) this.unlink(state);
    return state;
  }

  /** A run of the key entered the memtable (its state is out of the LRU: forWrite or forReplay took it). */
  runAdded(state: KeyState, run: number): void {
    state.memRuns++;
    state.lastRun = run;
  }

  /** A run of the key left the memtable (flushed); the key is unpinned when it was the last. */
  runDropped(state: KeyState): void {
    assert(state.memRuns > 0, 'a dropped run was counted');
    state.memRuns--;
    if (state.memRuns === 0) {
      state.lastRun = -1;
      if (!pinned(state)) this.touch(state);
    }
  }

  /** A trim of the key entered the memtable (its state is out of the LRU: forWrite or forReplay took it). */
  trimAdded(state: KeyState): void {
    state.memTrims++;
  }

  /** A trim of the key left the memtable (flushed). */
  trimDropped(state: KeyState): void {
    assert(state.memTrims > 0, 'a dropped trim was counted');
    state.memTrims--;
    if (!pinned(state)) this.touch(state);
  }

  /** Evict least recently used unpinned states down to the bound. */
  trim(): void {
    while (this.lruSize > this.unpinnedMax) {
      const oldest = this.lruHead as KeyState;
      this.unlink(oldest);
      this.all.delete(oldest.keyStr);
    }
  }

  /** Forget everything (the memtable is being rebuilt from disk). */
  clear(): void {
    for (let s = this.lruHead; s !== null; ) {
      const next: KeyState | null = s.lruNext;
      s.lruPrev = s.lruNext = null;
      s.inLru = false;
      s = next;
    }
    this.all.clear();
    this.lruHead = this.lruTail = null;
    this.lruSize = 0;
    this.fresh = [];
  }

  /** Make `state` the most recently used. */
  private touch(state: KeyState): void {
    if (state.inLru) this.unlink(state);
    this.append(state);
  }

  private append(state: KeyState): void {
    state.lruPrev = this.lruTail;
    state.lruNext = null;
    if (this.lruTail === null) this.lruHead = state;
    else this.lruTail.lruNext = state;
    this.lruTail = state;
    state.inLru = true;
    this.lruSize++;
  }

  private unlink(state: KeyState): void {
    if (state.lruPrev === null) this.lruHead = state.lruNext;
    else state.lruPrev.lruNext = state.lruNext;
    if (state.lruNext === null) this.lruTail = state.lruPrev;
    else state.lruNext.lruPrev = state.lruPrev;
    state.lruPrev = state.lruNext = null;
    state.inLru = false;
    this.lruSize--;
  }
}
