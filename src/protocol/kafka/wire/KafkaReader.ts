import { KafkaDecodeError } from '../KafkaDecodeError.js';

const TWO_32 = 2 ** 32;

/**
 * Reads Kafka wire primitives (big-endian integers, int16-prefixed strings, int32-prefixed bytes
 * and arrays, zig-zag varints of the record format) with every length checked against the bytes
 * really present before anything is allocated or sliced. Byte fields come back as views of the
 * input buffer, not copies.
 *
 * @example
 * const reader = new KafkaReader(body);
 * const acks = reader.int16();
 * const topic = reader.string();
 */
export class KafkaReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  int8(): number {
    this.need(1, 'an int8');
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2, 'an int16');
    const value = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'an int32');
    const value = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  uint32(): number {
    this.need(4, 'a uint32');
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  /** An int64 as a number; values beyond ±(2^53 - 1) are refused, never rounded. */
  int64(): number {
    this.need(8, 'an int64');
    const high = this.buf.readInt32BE(this.pos);
    const low = this.buf.readUInt32BE(this.pos + 4);
    const value = high * TWO_32 + low;
    if (!Number.isSafeInteger(value)) {
      throw new KafkaDecodeError('INT64_OUT_OF_RANGE', `an int64 (high word ${high}) is outside the safe integer range this broker handles`);
    }
    this.pos += 8;
    return value;
  }

  /** Kafka booleans are one byte; any non-zero value is true, as in the Java client. */
  boolean(): boolean {
    this.need(1, 'a boolean');
    return this.buf[this.pos++] !== 0;
  }

  /** An int16-length UTF-8 string; length -1 (null) is refused. */
  string(): string {
    const value = this.nullableString();
    if (value === null) throw new KafkaDecodeError('NULL_NOT_ALLOWED', 'a string field is null (length -1) where null is not allowed');
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new KafkaDecodeError('INVALID_LENGTH', `a string length is ${length}; only -1 (null) may be negative`);
    this.need(length, `a ${length}-byte string`);
    const start = this.pos;
    this.pos += length;
    return this.buf.toString('utf8', start, this.pos);
  }

  /** int32-length bytes as a view of the input; length -1 (null) is refused. */
  bytes(): Buffer {
    const value = this.nullableBytes();
    if (value === null) throw new KafkaDecodeError('NULL_NOT_ALLOWED', 'a bytes field is null (length -1) where null is not allowed');
    return value;
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new KafkaDecodeError('INVALID_LENGTH', `a bytes length is ${length}; only -1 (null) may be negative`);
    return this.raw(length);
  }

  /** The next `length` bytes as a view. */
  raw(length: number): Buffer {
    this.need(length, `${length} bytes`);
    const start = this.pos;
    this.pos += length;
    return this.buf.subarray(start, this.pos);
  }

  /**
   * An int32 array count, -1 for a null array. The count is checked against `max` and against
   * the bytes left (each element takes at least `minElementBytes`), so the caller may allocate
   * for it: a lying count is refused before any memory is spent on it.
   */
  arrayCount(minElementBytes: number, max: number): number {
    const count = this.int32();
    if (count === -1) return -1;
    this.checkCount(count, minElementBytes, max, 'an array');
    return count;
  }

  /** Check a count read from the input (array or record-format varint count). */
  checkCount(count: number, minElementBytes: number, max: number, what: string): void {
    if (count < 0) throw new KafkaDecodeError('INVALID_LENGTH', `${what} count is ${count}`);
    if (count > max) throw new KafkaDecodeError('TOO_MANY_ELEMENTS', `${what} holds ${count} elements; at most ${max} are accepted`);
    if (count * minElementBytes > this.remaining) {
      throw new KafkaDecodeError('TRUNCATED', `${what} claims ${count} elements of at least ${minElementBytes} bytes but only ${this.remaining} bytes remain`);
    }
  }

  /** A zig-zag varint (int32) of the record format, at most 5 bytes. */
  varint(): number {
    const buf = this.buf;
    let raw = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (this.pos >= this.end) throw new KafkaDecodeError('TRUNCATED', 'a varint is cut off');
      const b = buf[this.pos++];
      raw |= (b & 0x7f) << shift;
      if (b < 0x80) return (raw >>> 1) ^ -(raw & 1);
    }
    throw new KafkaDecodeError('VARINT_TOO_LONG', 'a varint is longer than 5 bytes');
  }

  /** A zig-zag varlong (int64) of the record format, at most 10 bytes, within the safe integer range. */
  varlong(): number {
    const buf = this.buf;
    // Accumulate the zig-zag value's halves: `half` = raw >>> 1 stays exact below 2^53.
    let low = 0;
    let shift = 0;
    for (; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw new KafkaDecodeError('TRUNCATED', 'a varlong is cut off');
      const b = buf[this.pos++];
      low |= (b & 0x7f) << shift;
      if (b < 0x80) return (low >>> 1) ^ -(low & 1);
    }
    const negative = (low & 1) === 1;
    let half = low >>> 1;
    let scale = 2 ** 27;
    for (let i = 4; ; i++) {
      if (i >= 10) throw new KafkaDecodeError('VARINT_TOO_LONG', 'a varlong is longer than 10 bytes');
      if (this.pos >= this.end) throw new KafkaDecodeError('TRUNCATED', 'a varlong is cut off');
      const b = buf[this.pos++];
      half += (b & 0x7f) * scale;
      scale *= 128;
      if (half > Number.MAX_SAFE_INTEGER) throw new KafkaDecodeError('INT64_OUT_OF_RANGE', 'a varlong is outside the safe integer range');
      if (b < 0x80) break;
    }
    if (negative && half === Number.MAX_SAFE_INTEGER) throw new KafkaDecodeError('INT64_OUT_OF_RANGE', 'a varlong is outside the safe integer range');
    return negative ? -half - 1 : half;
  }

  /** Refuse bytes left after the last field. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) throw new KafkaDecodeError('TRAILING_BYTES', `${this.end - this.pos} bytes follow the last field of ${what}`);
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new KafkaDecodeError('TRUNCATED', `${what} is cut off: ${n} bytes needed, ${this.end - this.pos} remain`);
    }
  }
}
