/** A trim (or deletion) of a key that readers see and LMDB does not hold yet. */
export interface VisibleTrim {
  /** The key's records below this sequence are gone. */
  readonly trimSeq: number;
  readonly deleteKey: boolean;
  /** The trim's WAL frame: once a flush holds it, LMDB (the key's record, its erased rows) says the same. */
  readonly lsn: number;
}

/**
 * Trims whose frames are durable but not yet flushed, by key (latin1): what readers apply on top of
 * what their LMDB snapshot says. A trim enters when its write completes (so readers never see a
 * trim a power loss could take back) and leaves once the flush that applied it is visible.
 */
export class VisibleTrims {
  private readonly byKey = new Map<string, VisibleTrim>();

  get size(): number {
    return this.byKey.size;
  }

  get(keyStr: string): VisibleTrim | undefined {
    return this.byKey.get(keyStr);
  }

  set(keyStr: string, trim: VisibleTrim): void {
    const known = this.byKey.get(keyStr);
    if (known === undefined || known.trimSeq <= trim.trimSeq) this.byKey.set(keyStr, trim);
  }

  /** A flush applied every frame up to `lsn`. */
  dropThrough(lsn: number): void {
    for (const [keyStr, trim] of this.byKey) if (trim.lsn <= lsn) this.byKey.delete(keyStr);
  }

  clear(): void {
    this.byKey.clear();
  }
}
