import { KafkaErrorCode } from '../KafkaErrorCode.js';

/** Why a produced record batch is refused; each maps to the Kafka error code the client gets. */
export type KafkaRecordBatchErrorCode =
  /** The batch CRC-32C does not match its bytes: CORRUPT_MESSAGE (2), the client retries. */
  | 'CRC_MISMATCH'
  /** The batch or a record inside it does not parse, or breaks the format's rules: INVALID_RECORD (87). */
  | 'INVALID_RECORD'
  /** Magic 0 or 1 (legacy message sets), refused: INVALID_RECORD (87), as Kafka does for Produce v3+. */
  | 'UNSUPPORTED_MAGIC'
  /** zstd: UNSUPPORTED_COMPRESSION_TYPE (76). */
  | 'UNSUPPORTED_COMPRESSION'
  /** More records, or more decompressed bytes, than the bounds allow: MESSAGE_TOO_LARGE (10),
   *  on which the Java producer splits its batch and retries. */
  | 'TOO_LARGE';

const kafkaCodes: Record<KafkaRecordBatchErrorCode, number> = {
  CRC_MISMATCH: KafkaErrorCode.CORRUPT_MESSAGE,
  INVALID_RECORD: KafkaErrorCode.INVALID_RECORD,
  UNSUPPORTED_MAGIC: KafkaErrorCode.INVALID_RECORD,
  UNSUPPORTED_COMPRESSION: KafkaErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  TOO_LARGE: KafkaErrorCode.MESSAGE_TOO_LARGE,
};

/**
 * A record batch that cannot be accepted. `kafkaErrorCode` is what the partition's Produce
 * answer carries; the rest of the request (other partitions) is unaffected.
 *
 * @example
 * catch (e) { if (e instanceof KafkaRecordBatchError) partitionAnswer.errorCode = e.kafkaErrorCode; }
 */
export class KafkaRecordBatchError extends Error {
  override readonly name = 'KafkaRecordBatchError';
  readonly kafkaErrorCode: number;

  constructor(
    readonly code: KafkaRecordBatchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kafkaErrorCode = kafkaCodes[code];
  }
}
