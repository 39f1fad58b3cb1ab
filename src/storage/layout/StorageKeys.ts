/**
 * LMDB key encodings. Integers are big-endian so that byte order is numeric order; sequences and
 * key ids are u64 on disk (JS safe integers in memory).
 */

const TWO_32 = 2 ** 32;

export function writeU64BE(out: Buffer, at: number, n: number): void {
  out.writeUInt32BE(Math.floor(n / TWO_32), at);
  out.writeUInt32BE(n >>> 0, at + 4);
}

export function readU64BE(buf: Uint8Array, at: number): number {
  const view = buf as Buffer;
  return view.readUInt32BE(at) * TWO_32 + view.readUInt32BE(at + 4);
}

/** `streams` key: (generation, key id, first sequence of the row). */
export function genRowKey(gen: number, keyId: number, firstSeq: number): Buffer {
  const out = Buffer.allocUnsafe(20);
  out.writeUInt32BE(gen, 0);
  writeU64BE(out, 4, keyId);
  writeU64BE(out, 12, firstSeq);
  return out;
}

/** Sorts before every `streams` row of the key in the generation (an exclusive lower bound). */
export function genKeyPrefix(gen: number, keyId: number): Buffer {
  const out = Buffer.allocUnsafe(12);
  out.writeUInt32BE(gen, 0);
  writeU64BE(out, 4, keyId);
  return out;
}

export function genRowFirstSeq(key: Uint8Array): number {
  return readU64BE(key, 12);
}

/** `gens` key, and the prefix of every `streams` row of the generation. */
export function genKey(gen: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(gen, 0);
  return out;
}

/** `chunks` key: first sequence of a commit. */
export function chunkKey(firstSeq: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeU64BE(out, 0, firstSeq);
  return out;
}

/** `segments` key: the segment id (u32). */
export function segmentKey(id: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(id, 0);
  return out;
}

/** `listings` key: (segment id, key code). */
export function listingKey(segmentId: number, code: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + code.length);
  out.writeUInt32BE(segmentId, 0);
  out.set(code, 4);
  return out;
}

/** `key-names` key: the key id. */
export function keyIdKey(keyId: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeU64BE(out, 0, keyId);
  return out;
}

/** The smallest key strictly greater than every key starting with `prefix`, or undefined if none. */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, n));
  out[n - 1]++;
  return out;
}

export const maxSafeSequence = Number.MAX_SAFE_INTEGER;
