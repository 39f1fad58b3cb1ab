/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2). Node 20 has no built-in
 * one. Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF; check value
 * crc32c("123456789") = 0xE3069283.
 *
 * Slicing-by-8: eight 256-entry tables built once at module load (8 KiB), eight input bytes per
 * step, which roughly triples the byte-at-a-time speed on a record batch.
 */

const POLYNOMIAL = 0x82f63b78;

const tables: Uint32Array[] = (() => {
  const out = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    out[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = out[0][n];
    for (let t = 1; t < 8; t++) {
      c = out[0][c & 0xff] ^ (c >>> 8);
      out[t][n] = c >>> 0;
    }
  }
  return out;
})();

/**
 * CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number.
 *
 * @example
 * crc32c(Buffer.from('123456789')) === 0xe3069283
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
  let crc = 0xffffffff;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < end; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
