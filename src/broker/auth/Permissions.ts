/**
 * What one connection may do, by key prefix. `undefined` prefix lists allow every key.
 */
export class Permissions {
  static readonly full = new Permissions(undefined, undefined, true);

  private readonly appendPrefixes: Buffer[] | undefined;
  private readonly readPrefixes: Buffer[] | undefined;

  constructor(
    append: readonly string[] | undefined,
    read: readonly string[] | undefined,
    readonly admin: boolean,
  ) {
    this.appendPrefixes = append?.map((p) => Buffer.from(p, 'utf8'));
    this.readPrefixes = read?.map((p) => Buffer.from(p, 'utf8'));
  }

  get readsEverything(): boolean {
    return this.readPrefixes === undefined;
  }

  canAppend(key: Uint8Array): boolean {
    return allowed(this.appendPrefixes, key);
  }

  canRead(key: Uint8Array): boolean {
    return allowed(this.readPrefixes, key);
  }

  /** Whether every key under `prefix` may be read. */
  canReadPrefix(prefix: Uint8Array): boolean {
    return allowed(this.readPrefixes, prefix);
  }

  /**
   * The prefixes a listing under `prefix` (empty: all keys) must be cut into so that it shows
   * readable keys only: `[prefix]` when all of it is readable, else each readable prefix that
   * lies under it.
   */
  readableListingPrefixes(prefix: Buffer): Buffer[] {
    if (this.readPrefixes === undefined || allowed(this.readPrefixes, prefix)) return [prefix];
    return this.readPrefixes.filter((p) => startsWith(p, prefix));
  }
}

function allowed(prefixes: Buffer[] | undefined, key: Uint8Array): boolean {
  if (prefixes === undefined) return true;
  for (const p of prefixes) if (startsWith(key, p)) return true;
  return false;
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
