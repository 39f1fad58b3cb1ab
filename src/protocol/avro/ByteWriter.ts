/**
 * A growable buffer for writing Avro primitives by hand on hot paths (record and entry
 * batches), where building objects for avsc would cost an allocation per record.
 */
export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** The buffer written into, for writers of composite values (call `ensure` first; valid until the next `ensure`). */
  get buffer(): Buffer {
    return this.buf;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** Zig-zag varint of a safe integer. */
  writeLong(n: number): void {
    this.ensure(10);
    this.pos = writeLongAt(this.buf, this.pos, n);
  }

  /** Length-prefixed bytes. */
  writeBytes(source: Uint8Array, start = 0, end = source.length): void {
    const length = end - start;
    this.ensure(10 + length);
    this.pos = writeLongAt(this.buf, this.pos, length);
    this.buf.set(source.subarray(start, end), this.pos);
    this.pos += length;
  }

  writeRaw(source: Uint8Array): void {
    this.ensure(source.length);
    this.buf.set(source, this.pos);
    this.pos += source.length;
  }

  /** The bytes written so far (a view; valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written so far, as an exact-size copy. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }

  reset(): void {
    this.pos = 0;
  }
}

/** Write the zig-zag varint of `n` at `pos` (room for 10 bytes assumed); returns the new position. */
export function writeLongAt(buf: Buffer, pos: number, n: number): number {
  if (n >= -0x4000_0000 && n < 0x4000_0000) {
    let z = (n << 1) ^ (n >> 31);
    while (z > 0x7f || z < 0) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    return pos;
  }
  // Zig-zag without forming 2n (inexact past 2^53): the first byte carries the sign and the low
  // 6 bits of m = n >= 0 ? n : -n - 1, the rest of m follows 7 bits at a time.
  const sign = n < 0 ? 1 : 0;
  let m = n >= 0 ? n : -n - 1;
  const low = ((m % 64) * 2) | sign;
  m = Math.floor(m / 64);
  if (m === 0) {
    buf[pos++] = low;
    return pos;
  }
  buf[pos++] = low | 0x80;
  while (m >= 0x80) {
    buf[pos++] = (m % 0x80) | 0x80;
    m = Math.floor(m / 0x80);
  }
  buf[pos++] = m;
  return pos;
}

/** Bytes the zig-zag varint of `n` takes. */
export function longSize(n: number): number {
  let m = Math.floor((n >= 0 ? n : -n - 1) / 64);
  let size = 1;
  while (m > 0) {
    m = Math.floor(m / 0x80);
    size++;
  }
  return size;
}
