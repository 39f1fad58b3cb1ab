import { copyMatch } from './copyMatch.js';
import { KafkaDecompressionError } from './KafkaDecompressionError.js';
import { xxhash32 } from './xxhash32.js';

/**
 * LZ4 frame decompression (Kafka codec 3 for magic 2 batches):
 *
 *   Frame => Magic Descriptor Blocks EndMark [ContentChecksum]
 *     Magic      => 0x184D2204 (uint32 little-endian)
 *     Descriptor => FLG BD [ContentSize] [DictId] HC
 *       FLG bits: 7-6 version (01), 5 block independence, 4 block checksums, 3 content size,
 *                 2 content checksum, 1 reserved (0), 0 dictionary id
 *       BD bits:  6-4 block maximum size (4: 64 KiB, 5: 256 KiB, 6: 1 MiB, 7: 4 MiB), others 0
 *       ContentSize => uint64 LE (when FLG bit 3)       DictId => uint32 LE (when FLG bit 0)
 *       HC          => (xxHash32(FLG .. last descriptor byte) >> 8) & 0xFF
 *     Blocks  => Size (uint32 LE; high bit set = stored uncompressed) Data [BlockChecksum (uint32 LE)]
 *     EndMark => 0 (uint32)
 *     ContentChecksum => xxHash32 of all decompressed bytes (uint32 LE, when FLG bit 2)
 *
 *   LZ4 block => Sequences, each:
 *     Token (byte: high 4 bits literal length, low 4 bits match length - 4; 15 = more length
 *     bytes follow, each added, until one below 255), Literals, then (except in the last
 *     sequence) Offset (uint16 LE, 1..65535 back) and the extra match-length bytes.
 *
 * Kafka's Java client writes independent blocks; librdkafka's frames link blocks (a match may
 * reach into the previous block's output), so both are decoded, into one output buffer. Frames
 * with a dictionary id (never written by Kafka clients) are refused. Every checksum present is
 * verified. Output grows by doubling up to `maxBytes` and never beyond it.
 */

const frameMagic = 0x184d2204;
const blockMaxSizes = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/**
 * Inflate one LZ4 frame, producing at most `maxBytes`; the frame must fill `input` exactly.
 *
 * @example
 * const records = decompressLz4Frame(batchRecords, limits.kafkaDecompressedBatchBytesMax);
 */
export function decompressLz4Frame(input: Uint8Array, maxBytes: number): Buffer {
  const end = input.length;
  if (end < 7) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 frame header is cut off');
  if (readU32(input, 0) !== frameMagic) throw new KafkaDecompressionError('MALFORMED', 'not an LZ4 frame (bad magic number)');
  const flg = input[4];
  const bd = input[5];
  if (flg >>> 6 !== 1) throw new KafkaDecompressionError('MALFORMED', `LZ4 frame version ${flg >>> 6} is not 1`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new KafkaDecompressionError('MALFORMED', 'LZ4 frame descriptor has reserved bits set');
  const independent = (flg & 0x20) !== 0;
  const blockChecksums = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  if ((flg & 0x01) !== 0) throw new KafkaDecompressionError('MALFORMED', 'LZ4 frames with a dictionary are not supported');
  const blockMax = blockMaxSizes[(bd >>> 4) & 7];
  if (blockMax === 0) throw new KafkaDecompressionError('MALFORMED', `LZ4 block maximum size id ${(bd >>> 4) & 7} is invalid`);
  let pos = 6;
  let contentSize = -1;
  if (hasContentSize) {
    if (end - pos < 9) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 frame content size is cut off');
    contentSize = readU32(input, pos) + readU32(input, pos + 4) * 2 ** 32;
    pos += 8;
    if (contentSize > maxBytes) throw new KafkaDecompressionError('TOO_LARGE', `LZ4 frame declares ${contentSize} bytes; at most ${maxBytes} are accepted`);
  }
  if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 frame header checksum is cut off');
  if (input[pos] !== ((xxhash32(input, 4, pos) >>> 8) & 0xff)) throw new KafkaDecompressionError('CHECKSUM_MISMATCH', 'LZ4 frame descriptor checksum does not match');
  pos++;

  const output = new GrowableOutput(contentSize >= 0 ? contentSize : Math.min(maxBytes, Math.max(64 * 1024, input.length * 4)), maxBytes);
  for (;;) {
    if (end - pos < 4) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 block size is cut off');
    const word = readU32(input, pos);
    pos += 4;
    if (word === 0) break;
    const stored = word >= 0x80000000;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw new KafkaDecompressionError('MALFORMED', `an LZ4 block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    if (size > end - pos) throw new KafkaDecompressionError('TRUNCATED', `an LZ4 block of ${size} bytes runs past the end of the input`);
    if (blockChecksums) {
      if (end - pos - size < 4) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 block checksum is cut off');
      if (readU32(input, pos + size) !== xxhash32(input, pos, pos + size)) throw new KafkaDecompressionError('CHECKSUM_MISMATCH', 'an LZ4 block checksum does not match');
    }
    const blockStart = output.length;
    output.reserve(blockMax);
    if (stored) {
      output.append(input, pos, pos + size);
    } else {
      output.length = decodeBlock(input, pos, pos + size, output.buffer, output.length, independent ? blockStart : 0, Math.min(output.buffer.length, blockStart + blockMax), output.limit);
    }
    pos += size + (blockChecksums ? 4 : 0);
  }
  const out = output.buffer.subarray(0, output.length);
  if (contentChecksum) {
    if (end - pos < 4) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 content checksum is cut off');
    if (readU32(input, pos) !== xxhash32(out)) throw new KafkaDecompressionError('CHECKSUM_MISMATCH', 'LZ4 content checksum does not match');
    pos += 4;
  }
  if (contentSize >= 0 && out.length !== contentSize) throw new KafkaDecompressionError('MALFORMED', `LZ4 frame declares ${contentSize} bytes but holds ${out.length}`);
  if (pos !== end) throw new KafkaDecompressionError('MALFORMED', `${end - pos} bytes follow the LZ4 frame`);
  return out;
}

/**
 * Decode one LZ4 block `input[pos, end)` into `out` from `op`; matches may reach back to
 * `windowStart`, output may not pass `outEnd` (the block maximum, within the buffer) nor
 * `limit` (the caller's bound). Returns the new output length.
 */
function decodeBlock(input: Uint8Array, pos: number, end: number, out: Buffer, op: number, windowStart: number, outEnd: number, limit: number): number {
  for (;;) {
    if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 sequence is cut off');
    const token = input[pos++];
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 literal length is cut off');
        b = input[pos++];
        literals += b;
      } while (b === 255);
    }
    if (literals > end - pos) throw new KafkaDecompressionError('TRUNCATED', `an LZ4 literal run of ${literals} bytes runs past the end of the block`);
    checkRoom(op, literals, outEnd, limit);
    out.set(input.subarray(pos, pos + literals), op);
    pos += literals;
    op += literals;
    if (pos === end) return op; // the last sequence has literals only
    if (end - pos < 2) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 match offset is cut off');
    const offset = input[pos] | (input[pos + 1] << 8);
    pos += 2;
    if (offset === 0 || offset > op - windowStart) throw new KafkaDecompressionError('MALFORMED', `an LZ4 match reaches ${offset} bytes back, before the start of the window`);
    let matchLength = token & 15;
    if (matchLength === 15) {
      let b: number;
      do {
        if (pos >= end) throw new KafkaDecompressionError('TRUNCATED', 'an LZ4 match length is cut off');
        b = input[pos++];
        matchLength += b;
      } while (b === 255);
    }
    matchLength += 4;
    checkRoom(op, matchLength, outEnd, limit);
    copyMatch(out, op, offset, matchLength);
    op += matchLength;
  }
}

function checkRoom(op: number, n: number, outEnd: number, limit: number): void {
  if (op + n <= outEnd) return;
  if (op + n > limit) throw new KafkaDecompressionError('TOO_LARGE', `LZ4 data inflates to more than ${limit} bytes`);
  throw new KafkaDecompressionError('MALFORMED', 'an LZ4 block inflates past the frame\'s block maximum size');
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** An output buffer that doubles as needed, never past `limit` bytes. */
class GrowableOutput {
  buffer: Buffer;
  length = 0;

  constructor(
    initial: number,
    readonly limit: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min(initial, limit));
  }

  /** Make room for up to `n` more bytes, as far as the limit allows. */
  reserve(n: number): void {
    const wanted = Math.min(this.length + n, this.limit);
    if (wanted <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(wanted, this.buffer.length * 2)));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  append(input: Uint8Array, start: number, end: number): void {
    if (this.length + (end - start) > this.limit) throw new KafkaDecompressionError('TOO_LARGE', `LZ4 data inflates to more than ${this.limit} bytes`);
    this.buffer.set(input.subarray(start, end), this.length);
    this.length += end - start;
  }
}
