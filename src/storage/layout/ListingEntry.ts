/**
 * One row of the `listings` table, keyed by (segment id, key code) (`listingKey`): a key that has
 * entries in the segment. Written once per segment and key, on the key's first append into the
 * segment; how many entries it has there is counted on demand from the rows' running counts
 * (rewriting a count per key on every commit touched one listing page per key per commit).
 *
 * ```
 *   f64 LE  keyId
 *   bytes   key            only when the key code is truncated (see KeyCode)
 * ```
 */
export interface ListingEntry {
  readonly keyId: number;
  /** Present only for keys whose code is truncated. */
  readonly key?: Buffer;
}

export function encodeListingEntry(keyId: number, fullKey?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(8 + (fullKey ? fullKey.length : 0));
  out.writeDoubleLE(keyId, 0);
  if (fullKey) out.set(fullKey, 8);
  return out;
}

export function decodeListingEntry(buf: Buffer): ListingEntry {
  const keyId = buf.readDoubleLE(0);
  return buf.length > 8 ? { keyId, key: buf.subarray(8) } : { keyId };
}
