/**
 * xxHash32, the checksum of the LZ4 frame format (frame descriptor, blocks, content).
 * All arithmetic is modulo 2^32 (Math.imul and `>>> 0`).
 */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function lane(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, PRIME2)) | 0, 13), PRIME1);
}

/**
 * xxHash32 of `bytes[start, end)` with `seed`, as an unsigned 32-bit number.
 *
 * @example
 * xxhash32(Buffer.alloc(0)) === 0x02cc5d05
 */
export function xxhash32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let i = start;
  let acc: number;
  if (end - start >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (const stop = end - 16; i <= stop; i += 16) {
      v1 = round(v1, lane(bytes, i));
      v2 = round(v2, lane(bytes, i + 4));
      v3 = round(v3, lane(bytes, i + 8));
      v4 = round(v4, lane(bytes, i + 12));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    acc = (seed + PRIME5) | 0;
  }
  acc = (acc + (end - start)) | 0;
  for (; i + 4 <= end; i += 4) acc = Math.imul(rotl((acc + Math.imul(lane(bytes, i), PRIME3)) | 0, 17), PRIME4);
  for (; i < end; i++) acc = Math.imul(rotl((acc + Math.imul(bytes[i], PRIME5)) | 0, 11), PRIME1);
  acc ^= acc >>> 15;
  acc = Math.imul(acc, PRIME2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, PRIME3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}
