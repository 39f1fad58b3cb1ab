/**
 * Produce (key 0), versions 3-7: record batches (magic 2) to topic partitions.
 *
 *   Produce Request (v3-v7) => TransactionalId Acks TimeoutMs [Topics]
 *     TransactionalId => nullable string   null unless the producer is transactional
 *     Acks            => int16             0 (no response at all), 1, or -1 (all in-sync replicas)
 *     TimeoutMs       => int32
 *     Topics          => Name (string) [Partitions]
 *       Partitions    => PartitionIndex (int32) Records (nullable bytes: record batches, see records/)
 *
 *   Produce Response (v3-v4) => [Responses] ThrottleTimeMs
 *     Responses  => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) ErrorCode (int16) BaseOffset (int64) LogAppendTimeMs (int64)
 *     ThrottleTimeMs => int32
 *   Produce Response (v5-v7) => the same, Partitions gain LogStartOffset (int64) last
 *
 * v4 only allows KAFKA_STORAGE_ERROR, v6 and v7 only change semantics (throttling, zstd): the
 * bytes are those of v3/v5. LogAppendTimeMs is -1 for CreateTime topics, the append time for
 * LogAppendTime ones (odlog's).
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, nullableBytes, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface ProducePartitionData {
  readonly partitionIndex: number;
  /** The record batches, undecoded (`decodeRecordBatches` in records/). A view of the request. */
  readonly records: Uint8Array | null;
}

export interface ProduceTopicData {
  readonly name: string;
  readonly partitions: readonly ProducePartitionData[];
}

export interface ProduceRequest {
  readonly transactionalId: string | null;
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topics: readonly ProduceTopicData[];
}

export interface ProducePartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly baseOffset: number;
  /** -1 for CreateTime topics. */
  readonly logAppendTimeMs: number;
  /** v5+. */
  readonly logStartOffset: number;
}

export interface ProduceTopicResponse {
  readonly name: string;
  readonly partitions: readonly ProducePartitionResponse[];
}

export interface ProduceResponse {
  readonly responses: readonly ProduceTopicResponse[];
  readonly throttleTimeMs: number;
}

const request = struct<ProduceRequest>('ProduceRequest', {
  transactionalId: { type: nullableString, versions: '3+' },
  acks: { type: int16 },
  timeoutMs: { type: int32 },
  topics: {
    type: array(
      struct<ProduceTopicData>('TopicProduceData', {
        name: { type: string },
        partitions: {
          type: array(
            struct<ProducePartitionData>('PartitionProduceData', {
              partitionIndex: { type: int32 },
              records: { type: nullableBytes },
            }),
          ),
        },
      }),
    ),
  },
});

const response = struct<ProduceResponse>('ProduceResponse', {
  responses: {
    type: array(
      struct<ProduceTopicResponse>('TopicProduceResponse', {
        name: { type: string },
        partitions: {
          type: array(
            struct<ProducePartitionResponse>('PartitionProduceResponse', {
              partitionIndex: { type: int32 },
              errorCode: { type: int16 },
              baseOffset: { type: int64 },
              logAppendTimeMs: { type: int64, versions: '2+', default: -1 },
              logStartOffset: { type: int64, versions: '5+', default: -1 },
            }),
          ),
        },
      }),
    ),
  },
  throttleTimeMs: { type: int32, versions: '1+' },
});

export const produceApi = new KafkaApi<ProduceRequest, ProduceResponse>(ApiKey.Produce, request, response);
