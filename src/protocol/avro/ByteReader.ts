import { ProtocolDecodeError } from './ProtocolDecodeError.js';

const TWO_32 = 2 ** 32;

/**
 * Reads Avro primitives from a buffer with every length checked against what is there.
 * Longs are zig-zag varints; values beyond JS safe integers are refused, not rounded.
 */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  readLong(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw new ProtocolDecodeError('truncated: a long was cut off');
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    // Up to 28 bits with integer ops, beyond with float arithmetic (exact below 2^53).
    let n = b & 0x7f;
    let shift = 7;
    while (shift < 28) {
      if (pos >= this.end) throw new ProtocolDecodeError('truncated: a long was cut off');
      b = buf[pos++];
      n |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        this.pos = pos;
        return (n >>> 1) ^ -(n & 1);
      }
    }
    // Zig-zag z = 2 * half + sign, value = sign ? -half - 1 : half. Accumulate `half` alone: it
    // stays exact up to 2^53, and anything past the safe range is refused, never rounded.
    const negative = (n & 1) === 1;
    let half = n >>> 1;
    let scale = 2 ** 27;
    for (let i = 4; ; i++) {
      if (i >= 10) throw new ProtocolDecodeError('a long is longer than 10 bytes');
      if (pos >= this.end) throw new ProtocolDecodeError('truncated: a long was cut off');
      b = buf[pos++];
      half += (b & 0x7f) * scale;
      scale *= 128;
      if (half > Number.MAX_SAFE_INTEGER) throw new ProtocolDecodeError('a long is outside the safe integer range');
      if (b < 0x80) break;
    }
    if (negative && half === Number.MAX_SAFE_INTEGER) throw new ProtocolDecodeError('a long is outside the safe integer range');
    this.pos = pos;
    return negative ? -half - 1 : half;
  }

  /** A length-prefixed `bytes`/`string`: returns [start, end) within `buf`, no copy. */
  readBytesRange(): [number, number] {
    const start = this.skipBytes();
    return [start, this.pos];
  }

  /** Step over a length-prefixed `bytes`/`string`; returns where its content starts (it ends at `pos`). */
  skipBytes(): number {
    const length = this.readLong();
    if (length < 0) throw new ProtocolDecodeError(`a bytes length is negative (${length})`);
    if (length > this.end - this.pos) throw new ProtocolDecodeError(`a bytes length (${length}) runs past the end of the data`);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  skip(n: number): void {
    if (n < 0 || n > this.end - this.pos) throw new ProtocolDecodeError('truncated: a fixed-size value was cut off');
    this.pos += n;
  }

  readByte(): number {
    if (this.pos >= this.end) throw new ProtocolDecodeError('truncated: a byte was cut off');
    return this.buf[this.pos++];
  }
}

export function splitU64(n: number): [number, number] {
  return [Math.floor(n / TWO_32), n >>> 0];
}
