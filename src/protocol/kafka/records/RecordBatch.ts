/**
 * Kafka record batches, magic 2 (the only format odlog reads and writes):
 *
 *   RecordBatch =>
 *     BaseOffset           int64    offset of the first record
 *     BatchLength          int32    bytes from PartitionLeaderEpoch to the end of the batch
 *     PartitionLeaderEpoch int32
 *     Magic                int8     2
 *     CRC                  uint32   CRC-32C of everything from Attributes to the end
 *     Attributes           int16    bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd),
 *                                   bit 3 timestamp type (1 = LogAppendTime), bit 4 transactional,
 *                                   bit 5 control batch
 *     LastOffsetDelta      int32    offset delta of the last record
 *     BaseTimestamp        int64    (Kafka calls it FirstTimestamp)
 *     MaxTimestamp         int64
 *     ProducerId           int64    -1 unless idempotent
 *     ProducerEpoch        int16
 *     BaseSequence         int32    -1 unless idempotent
 *     RecordsCount         int32
 *     Records              RecordsCount records; compressed as one stream when bits 0-2 say so
 *
 *   Record =>
 *     Length          varint   bytes of the record after this field
 *     Attributes      int8     unused (0)
 *     TimestampDelta  varlong  from BaseTimestamp
 *     OffsetDelta     varint   from BaseOffset
 *     KeyLength       varint   -1 = null key
 *     Key             bytes
 *     ValueLength     varint   -1 = null value
 *     Value           bytes
 *     HeadersCount    varint
 *     Headers         HeaderKeyLength (varint) HeaderKey (UTF-8) HeaderValueLength (varint, -1 = null) HeaderValue
 *
 *   varint/varlong: zig-zag encoded, then 7 bits per byte, little-endian, high bit = more.
 *
 * Legacy message sets (magic 0 and 1) are refused with KafkaRecordBatchError UNSUPPORTED_MAGIC:
 * Produce v3+ clients send magic 2 only, and Kafka brokers refuse older formats there too.
 */
import type { CompressionCodecId } from '../compression/decompress.js';

export const recordBatchMagic = 2;

/** Bytes before the first record: BaseOffset through RecordsCount. */
export const recordBatchHeaderBytes = 61;
/** Bytes counted by BatchLength's own prefix (BaseOffset + BatchLength). */
export const recordBatchLogOverheadBytes = 12;

/** Byte positions of the header fields, from the start of the batch. */
export const RecordBatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

export const RecordBatchAttribute = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
} as const;

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface KafkaRecordHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface KafkaRecord {
  readonly attributes: number;
  /** Add to the batch's baseTimestamp for the record's timestamp (CreateTime batches). */
  readonly timestampDelta: number;
  /** Add to the batch's baseOffset for the record's offset. */
  readonly offsetDelta: number;
  /** A view of the request (or of the decompressed records): copy it to keep it. */
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly KafkaRecordHeader[];
}

export interface KafkaRecordBatch {
  readonly baseOffset: number;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  /** Attributes bits 0-2. */
  readonly compression: CompressionCodecId;
  /** Attributes bit 3. */
  readonly timestampType: TimestampType;
  /** Attributes bit 4. */
  readonly isTransactional: boolean;
  /** Attributes bit 5. */
  readonly isControl: boolean;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly records: readonly KafkaRecord[];
}
