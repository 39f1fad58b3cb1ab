/**
 * One row of the `listings` table, keyed by (segment id, key code) (`listingKey`): a key that
 * has entries in the segment, with how many.
 *
 * ```
 *   f64 LE  keyId
 *   f64 LE  count          entries of the key in the segment
 *   bytes   key            only when the key code is truncated (see KeyCode)
 * ```
 */
export interface ListingEntry {
  readonly keyId: number;
  readonly count: number;
  /** Present only for keys whose code is truncated. */
  readonly key?: Buffer;
}

export function encodeListingEntry(keyId: number, count: number, fullKey?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16 + (fullKey ? fullKey.length : 0));
  out.writeDoubleLE(keyId, 0);
  out.writeDoubleLE(count, 8);
  if (fullKey) out.set(fullKey, 16);
  return out;
}

export function decodeListingEntry(buf: Buffer): ListingEntry {
  const keyId = buf.readDoubleLE(0);
  const count = buf.readDoubleLE(8);
  return buf.length > 16 ? { keyId, count, key: buf.subarray(16) } : { keyId, count };
}
