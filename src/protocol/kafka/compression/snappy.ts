import { copyMatch } from './copyMatch.js';
import { KafkaDecompressionError } from './KafkaDecompressionError.js';

/**
 * Snappy decompression (Kafka codec 2), in the two framings Kafka clients send:
 *
 *   Raw block (librdkafka by default):
 *     Block    => Preamble Elements
 *       Preamble => unsigned varint (little-endian base 128, at most 5 bytes): uncompressed length
 *       Elements => tag byte, low 2 bits = kind:
 *         00 literal: length-1 in the upper 6 bits; 60..63 mean the length-1 follows in 1..4
 *            little-endian bytes; then the literal bytes
 *         01 copy, 1-byte offset: length 4..11 = 4 + bits 2-4; offset = bits 5-7 << 8 | next byte
 *         10 copy, 2-byte offset: length 1..64 = 1 + bits 2-7; offset = next 2 bytes (LE)
 *         11 copy, 4-byte offset: length 1..64 = 1 + bits 2-7; offset = next 4 bytes (LE)
 *       A copy repeats `length` bytes from `offset` back in the output; it may overlap itself.
 *
 *   Xerial framing (the Java client, some librdkafka versions):
 *     Stream => Magic Version Compatible Chunks
 *       Magic      => 8 bytes: 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *       Version    => int32 (big-endian; 1)
 *       Compatible => int32 (1)
 *       Chunks     => repeated: Size (int32 big-endian) then Size bytes of one raw block
 *
 * Which one a stream is comes from its first 8 bytes, as librdkafka and the Java client tell
 * them apart. Every length is checked before it is used; the output is allocated once, at the
 * size the preambles declare, after checking it against `maxBytes`. The "framing format" of
 * snappy's own tools (stream identifier 0xff 's' 'N' 'a' 'P' 'p' 'Y') is not used by Kafka and
 * is refused as malformed.
 */

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const xerialHeaderBytes = 16;

/**
 * Inflate a Kafka snappy payload (raw block or xerial framing), producing at most `maxBytes`.
 *
 * @example
 * const records = decompressSnappy(batchRecords, limits.kafkaDecompressedBatchBytesMax);
 */
export function decompressSnappy(input: Uint8Array, maxBytes: number): Buffer {
  if (isXerial(input)) return decompressXerial(input, maxBytes);
  return decompressSnappyBlock(input, 0, input.length, maxBytes);
}

function isXerial(input: Uint8Array): boolean {
  if (input.length < xerialMagic.length) return false;
  for (let i = 0; i < xerialMagic.length; i++) if (input[i] !== xerialMagic[i]) return false;
  return true;
}

/** Inflate one raw snappy block `input[start, end)`. */
export function decompressSnappyBlock(input: Uint8Array, start: number, end: number, maxBytes: number): Buffer {
  const { length, pos } = readPreamble(input, start, end);
  if (length > maxBytes) throw new KafkaDecompressionError('TOO_LARGE', `snappy block declares ${length} bytes; at most ${maxBytes} are accepted`);
  const out = Buffer.allocUnsafe(length);
  decodeElements(input, pos, end, out, 0, length);
  return out;
}

function decompressXerial(input: Uint8Array, maxBytes: number): Buffer {
  if (input.length < xerialHeaderBytes) throw new KafkaDecompressionError('TRUNCATED', 'xerial snappy header is cut off');
  // First pass: chunk boundaries and declared sizes, to allocate the output once.
  let total = 0;
  let chunks = 0;
  for (let pos = xerialHeaderBytes; pos < input.length; ) {
    const { chunkStart, chunkEnd } = chunkAt(input, pos);
    total += readPreamble(input, chunkStart, chunkEnd).length;
    if (total > maxBytes) throw new KafkaDecompressionError('TOO_LARGE', `xerial snappy stream inflates to more than ${maxBytes} bytes`);
    chunks++;
    pos = chunkEnd;
  }
  if (chunks === 0) throw new KafkaDecompressionError('TRUNCATED', 'xerial snappy stream has no chunk');
  const out = Buffer.allocUnsafe(total);
  let written = 0;
  for (let pos = xerialHeaderBytes; pos < input.length; ) {
    const { chunkStart, chunkEnd } = chunkAt(input, pos);
    const { length, pos: body } = readPreamble(input, chunkStart, chunkEnd);
    decodeElements(input, body, chunkEnd, out, written, written + length);
    written += length;
    pos = chunkEnd;
  }
  return out;
}

function chunkAt(input: Uint8Array, pos: number): { chunkStart: number; chunkEnd: number } {
  if (input.length - pos < 4) throw new KafkaDecompressionError('TRUNCATED', 'a xerial snappy chunk size is cut off');
  const size = ((input[pos] << 24) | (input[pos + 1] << 16) | (input[pos + 2] << 8) | input[pos + 3]) >>> 0;
  const chunkStart = pos + 4;
  if (size === 0 || size > input.length - chunkStart) {
    throw new KafkaDecompressionError(size === 0 ? 'MALFORMED' : 'TRUNCATED', `a xerial snappy chunk of ${size} bytes does not fit the ${input.length - chunkStart} bytes left`);
  }
  return { chunkStart, chunkEnd: chunkStart + size };
}

function readPreamble(input: Uint8Array, start: number, end: number): { length: number; pos: number } {
  let length = 0;
  let pos = start;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'a snappy length preamble is cut off');
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (length > 0xffffffff) throw new KafkaDecompressionError('MALFORMED', 'a snappy length preamble exceeds 32 bits');
      return { length, pos };
    }
  }
  throw new KafkaDecompressionError('MALFORMED', 'a snappy length preamble is longer than 5 bytes');
}

/** Decode the elements of `input[pos, end)` into exactly `out[outStart, outEnd)`. */
function decodeElements(input: Uint8Array, pos: number, end: number, out: Buffer, outStart: number, outEnd: number): void {
  let op = outStart;
  while (pos < end) {
    const tag = input[pos++];
    let length: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        length = tag >>> 2;
        if (length >= 60) {
          const extra = length - 59;
          if (end - pos < extra) throw new KafkaDecompressionError('TRUNCATED', 'a snappy literal length is cut off');
          length = 0;
          for (let i = 0; i < extra; i++) length += input[pos + i] * 2 ** (8 * i);
          pos += extra;
        }
        length += 1;
        if (length > end - pos) throw new KafkaDecompressionError('TRUNCATED', `a snappy literal of ${length} bytes runs past the end of the input`);
        if (length > outEnd - op) throw new KafkaDecompressionError('MALFORMED', 'a snappy literal runs past the declared length');
        out.set(input.subarray(pos, pos + length), op);
        pos += length;
        op += length;
        continue;
      }
      case 1:
        if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'a snappy copy offset is cut off');
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | input[pos++];
        break;
      case 2:
        if (end - pos < 2) throw new KafkaDecompressionError('TRUNCATED', 'a snappy copy offset is cut off');
        length = 1 + (tag >>> 2);
        offset = input[pos] | (input[pos + 1] << 8);
        pos += 2;
        break;
      default:
        if (end - pos < 4) throw new KafkaDecompressionError('TRUNCATED', 'a snappy copy offset is cut off');
        length = 1 + (tag >>> 2);
        offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
        pos += 4;
        break;
    }
    if (offset === 0 || offset > op - outStart) throw new KafkaDecompressionError('MALFORMED', `a snappy copy reaches ${offset} bytes back, before the start of the output`);
    if (length > outEnd - op) throw new KafkaDecompressionError('MALFORMED', 'a snappy copy runs past the declared length');
    copyMatch(out, op, offset, length);
    op += length;
  }
  if (op !== outEnd) throw new KafkaDecompressionError('TRUNCATED', `a snappy block decodes to ${op - outStart} bytes but declares ${outEnd - outStart}`);
}

