/**
 * What the writer must know about a key to append to it, kept in memory for recently written
 * keys. Values include the effects of commits still in flight; an entry is pinned while any of
 * them is, so an entry is only ever reloaded from LMDB when LMDB is authoritative for it.
 */
export interface KeyState {
  readonly key: Buffer;
  /** `key` as latin1: the cache's map key. */
  readonly keyStr: string;
  readonly code: Buffer;
  readonly keyId: number;
  /** Whether the key's rows in `keys`/`key-names` still have to be written. */
  isNew: boolean;
  /** Last sequence appended to the key, -1 if none. */
  lastSeq: number;
  /** Entries ever appended to the key (the next row's countBefore). */
  count: number;
  /** The segment the key is known to be listed in (-1: none known), so its listing row is written once per segment. */
  listedIn: number;
  /** Commits in flight that wrote this key. */
  pins: number;
}

/** A bounded LRU map of key states; pinned entries are never evicted. */
export class KeyStateCache {
  private readonly map = new Map<string, KeyState>();

  constructor(private readonly entriesMax: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The state, marked most recently used. */
  get(keyStr: string): KeyState | undefined {
    const state = this.map.get(keyStr);
    if (state !== undefined) {
      this.map.delete(keyStr);
      this.map.set(keyStr, state);
    }
    return state;
  }

  /** The state without touching recency (for readers). */
  peek(keyStr: string): KeyState | undefined {
    return this.map.get(keyStr);
  }

  set(state: KeyState): void {
    this.map.set(state.keyStr, state);
  }

  /** Evict least recently used, unpinned entries down to the bound. */
  trim(): void {
    if (this.map.size <= this.entriesMax) return;
    let excess = this.map.size - this.entriesMax;
    for (const [keyStr, state] of this.map) {
      if (excess === 0) break;
      if (state.pins > 0) continue;
      this.map.delete(keyStr);
      excess--;
    }
  }

  /** Forget every entry: LMDB is authoritative again (after a failed commit, or retention). */
  clearUnpinned(): void {
    for (const [keyStr, state] of this.map) if (state.pins === 0) this.map.delete(keyStr);
  }
}
