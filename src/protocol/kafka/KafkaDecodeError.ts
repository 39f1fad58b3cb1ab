/**
 * Why bytes from a Kafka client could not be decoded. Stable codes, so the listener can log and
 * count them; a request that fails to decode closes the connection, as Kafka brokers do, since
 * the rest of the stream can no longer be trusted.
 */
export type KafkaDecodeErrorCode =
  /** A value runs past the end of the bytes that arrived. */
  | 'TRUNCATED'
  /** A length or count is negative where Kafka allows only -1 for null, or is below -1. */
  | 'INVALID_LENGTH'
  /** A null (length -1) where the field is not nullable in this version. */
  | 'NULL_NOT_ALLOWED'
  /** An array holds more elements than `limits.kafkaArrayElementsMax`. */
  | 'TOO_MANY_ELEMENTS'
  /** An int64 or varlong outside JavaScript's safe integer range (±(2^53 - 1)). */
  | 'INT64_OUT_OF_RANGE'
  /** A varint longer than 5 bytes or a varlong longer than 10. */
  | 'VARINT_TOO_LONG'
  /** Bytes left over after the last field of a request. */
  | 'TRAILING_BYTES'
  /** A request version this codec does not implement (check `ApiKeys.ts` before decoding). */
  | 'UNSUPPORTED_VERSION'
  /** A frame's size field is larger than the listener accepts. */
  | 'FRAME_TOO_LARGE'
  /** A frame's size field is negative. */
  | 'FRAME_SIZE_NEGATIVE';

/**
 * Bytes that do not decode as the Kafka protocol says (truncated, lying lengths, oversized
 * counts). Thrown by every reader in `src/protocol/kafka`; never an assertion failure.
 */
export class KafkaDecodeError extends Error {
  override readonly name = 'KafkaDecodeError';

  constructor(
    readonly code: KafkaDecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
