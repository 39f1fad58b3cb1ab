/** Why a compressed record stream could not be inflated. */
export type KafkaDecompressionErrorCode =
  /** The stream breaks its format's rules (bad tag, offset before the start, bad descriptor). */
  | 'MALFORMED'
  /** The stream ends in the middle of a value. */
  | 'TRUNCATED'
  /** A checksum inside the stream (LZ4 header, block or content checksum) does not match. */
  | 'CHECKSUM_MISMATCH'
  /** The output would exceed the caller's bound (a zip bomb, or simply too big a batch). */
  | 'TOO_LARGE'
  /** A codec odlog does not decode (zstd). */
  | 'UNSUPPORTED';

/**
 * Thrown by the decompressors in this folder, each of which bounds its output: none allocates
 * more than the `maxBytes` its caller passes, whatever the input claims.
 */
export class KafkaDecompressionError extends Error {
  override readonly name = 'KafkaDecompressionError';

  constructor(
    readonly code: KafkaDecompressionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
