import { createHash } from 'node:crypto';

/**
 * Order-preserving, prefix-safe encoding of arbitrary key bytes for use inside LMDB keys, after
 * OpenData Log's TerminatedBytes: 0x00 becomes 0x01 0x01, 0x01 becomes 0x01 0x02, every other
 * byte stays, and a 0x00 terminator ends the code. So `code(a) < code(b)` exactly when `a < b`
 * bytewise, no code is a prefix of another, and the codes of all keys starting with `p` start
 * with `escape(p)`.
 *
 * LMDB keys are limited to 1978 bytes, keys to 4096. A code longer than `codeBytesMax` is
 * truncated there and followed by a SHA-256 of the key, so it stays unique; order then holds
 * between any two keys except among keys sharing their first `codeBytesMax` escaped bytes, which
 * readers of ordered tables re-sort by their full bytes (see `KeyListing`).
 */
export const codeBytesMax = 1900;
const hashBytes = 32;
export const truncatedCodeBytes = codeBytesMax + hashBytes;

export function escapedLength(key: Uint8Array, start = 0, end = key.length): number {
  let n = end - start;
  for (let i = start; i < end; i++) if (key[i] <= 1) n++;
  return n;
}

/** Write `escape(key[start..end])` into `out` at `at`, stopping at `limit`; returns the new offset. */
function writeEscaped(key: Uint8Array, start: number, end: number, out: Buffer, at: number, limit: number): number {
  for (let i = start; i < end && at < limit; i++) {
    const b = key[i];
    if (b > 1) out[at++] = b;
    else {
      out[at++] = 1;
      if (at < limit) out[at++] = b + 1;
    }
  }
  return at;
}

/** The code of `key[start..end]`. */
export function encodeKeyCode(key: Uint8Array, start = 0, end = key.length): Buffer {
  const escaped = escapedLength(key, start, end);
  if (escaped + 1 <= codeBytesMax) {
    const out = Buffer.allocUnsafe(escaped + 1);
    writeEscaped(key, start, end, out, 0, escaped);
    out[escaped] = 0;
    return out;
  }
  const out = Buffer.allocUnsafe(truncatedCodeBytes);
  writeEscaped(key, start, end, out, 0, codeBytesMax);
  createHash('sha256').update(key.subarray(start, end)).digest().copy(out, codeBytesMax);
  return out;
}

/** True when the code is truncated, so the key must be read from elsewhere. */
export function isTruncatedCode(code: Uint8Array): boolean {
  return code.length === truncatedCodeBytes;
}

/** The key of a full (not truncated) code. */
export function decodeKeyCode(code: Uint8Array, start = 0, end = code.length): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = code[i];
    if (b === 0) break; // terminator
    if (b === 1) out[n++] = code[++i] - 1;
    else out[n++] = b;
  }
  return out.subarray(0, n);
}

/**
 * The bytes every code of a key starting with `prefix` starts with (no terminator), cut at
 * `codeBytesMax` so that it is also a prefix of truncated codes.
 */
export function encodeCodePrefix(prefix: Uint8Array): Buffer {
  const n = Math.min(escapedLength(prefix), codeBytesMax);
  const out = Buffer.allocUnsafe(n);
  const written = writeEscaped(prefix, 0, prefix.length, out, 0, n);
  return out.subarray(0, written);
}
