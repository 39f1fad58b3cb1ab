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
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

/** Bytes the zig-zag varint of `n` takes. */
export function longSize(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    size++;
  }
  return size;
}
