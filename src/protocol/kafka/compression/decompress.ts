import { gunzipBounded } from './gzip.js';
import { KafkaDecompressionError } from './KafkaDecompressionError.js';
import { decompressLz4Frame } from './lz4.js';
import { decompressSnappy } from './snappy.js';

/** The compression codec ids of record batch attributes (bits 0-2). */
export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

const codecNames = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function compressionCodecName(codec: number): string {
  return codecNames[codec] ?? `codec ${codec}`;
}

/**
 * Inflate the records section of a compressed batch, producing at most `maxBytes`.
 * zstd (and any id above it) throws KafkaDecompressionError with code UNSUPPORTED, which the
 * listener answers with UNSUPPORTED_COMPRESSION_TYPE (76).
 *
 * @example
 * const records = decompress(CompressionCodec.lz4, data, limits.kafkaDecompressedBatchBytesMax);
 */
export function decompress(codec: number, data: Uint8Array, maxBytes: number): Buffer {
  switch (codec) {
    case CompressionCodec.gzip:
      return gunzipBounded(data, maxBytes);
    case CompressionCodec.snappy:
      return decompressSnappy(data, maxBytes);
    case CompressionCodec.lz4:
      return decompressLz4Frame(data, maxBytes);
    default:
      throw new KafkaDecompressionError('UNSUPPORTED', `${compressionCodecName(codec)} compression is not supported: use gzip, snappy or lz4`);
  }
}
