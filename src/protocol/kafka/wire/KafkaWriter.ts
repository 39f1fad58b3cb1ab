const TWO_32 = 2 ** 32;

/**
 * Writes Kafka wire primitives into a buffer allocated once at the exact size the caller
 * computed beforehand (see the `*Size` functions below). Writing past that size, or finishing
 * short of it, is a bug in the size computation and throws.
 *
 * @example
 * const w = new KafkaWriter(2 + stringSize('t'));
 * w.int16(-1);
 * w.string('t');
 * socket.write(w.finish());
 */
export class KafkaWriter {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  int8(value: number): void {
    this.pos = this.buf.writeInt8(value, this.pos);
  }

  int16(value: number): void {
    this.pos = this.buf.writeInt16BE(value, this.pos);
  }

  int32(value: number): void {
    this.pos = this.buf.writeInt32BE(value, this.pos);
  }

  uint32(value: number): void {
    this.pos = this.buf.writeUInt32BE(value, this.pos);
  }

  /** A safe integer as an int64. */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
    const high = Math.floor(value / TWO_32);
    this.buf.writeInt32BE(high, this.pos);
    this.buf.writeUInt32BE(value - high * TWO_32, this.pos + 4);
    this.pos += 8;
  }

  boolean(value: boolean): void {
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** An int16-length UTF-8 string, or -1 for null. */
  nullableString(value: string | null): void {
    if (value === null) {
      this.int16(-1);
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 0x7fff) throw new RangeError(`a Kafka string is at most 32767 bytes; this one is ${length}`);
    this.int16(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  /** int32-length bytes, or -1 for null. */
  nullableBytes(value: Uint8Array | null): void {
    if (value === null) {
      this.int32(-1);
      return;
    }
    this.int32(value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    if (value.length > this.buf.length - this.pos) throw new RangeError('KafkaWriter: write past the computed size');
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** A zig-zag varint (int32). */
  varint(value: number): void {
    this.unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** A zig-zag varlong (safe integers only). */
  varlong(value: number): void {
    if (value >= -0x40000000 && value < 0x40000000) {
      this.unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`);
    // zig-zag = 2 * half + sign, which can pass 2^53: write it from `half`, which cannot.
    const sign = value < 0 ? 1 : 0;
    let half = sign === 1 ? -value - 1 : value;
    let group = ((half % 64) * 2) | sign;
    half = Math.floor(half / 64);
    while (half > 0) {
      this.buf[this.pos++] = group | 0x80;
      group = half % 128;
      half = Math.floor(half / 128);
    }
    this.buf[this.pos++] = group;
  }

  /** Patch an int32 already reserved at `at` (lengths and CRCs known only after the body). */
  int32At(at: number, value: number): void {
    this.buf.writeInt32BE(value, at);
  }

  uint32At(at: number, value: number): void {
    this.buf.writeUInt32BE(value, at);
  }

  /** The written buffer; throws when the size computed beforehand was wrong. */
  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`KafkaWriter: wrote ${this.pos} bytes into a ${this.buf.length}-byte buffer`);
    return this.buf;
  }

  private unsignedVarint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }
}

/** Bytes of an int16-length string (2 for null). */
export function nullableStringSize(value: string | null): number {
  return value === null ? 2 : 2 + Buffer.byteLength(value, 'utf8');
}

/** Bytes of int32-length bytes (4 for null). */
export function nullableBytesSize(value: Uint8Array | null): number {
  return value === null ? 4 : 4 + value.length;
}

/** Bytes of a zig-zag varint. */
export function varintSize(value: number): number {
  return unsignedVarintSize(((value << 1) ^ (value >> 31)) >>> 0);
}

/** Bytes of a zig-zag varlong. */
export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return unsignedVarintSize(((value << 1) ^ (value >> 31)) >>> 0);
  let half = Math.floor((value < 0 ? -value - 1 : value) / 64);
  let size = 1;
  while (half > 0) {
    half = Math.floor(half / 128);
    size++;
  }
  return size;
}

function unsignedVarintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}
