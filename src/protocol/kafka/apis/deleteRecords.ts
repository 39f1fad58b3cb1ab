/**
 * DeleteRecords (key 21), versions 0-1: move a partition's log start offset forward, deleting
 * the records below it (Kafka's `kafka-delete-records`, kafkajs `admin.deleteTopicRecords`).
 *
 *   DeleteRecords Request (v0-v1) => [Topics] TimeoutMs (int32)
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) Offset (int64)   records below Offset go; -1: the high watermark
 *
 *   DeleteRecords Response (v0-v1) => ThrottleTimeMs (int32) [Topics]
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) LowWatermark (int64) ErrorCode (int16)
 *
 * v1 only changes throttling semantics; its bytes are those of v0. v2 is flexible (not served).
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

/** The Offset of a DeleteRecords partition that stands for the high watermark (delete everything). */
export const deleteRecordsToHighWatermark = -1;

export interface DeleteRecordsPartition {
  readonly partitionIndex: number;
  /** Records below this offset are deleted; -1 for the high watermark. */
  readonly offset: number;
}

export interface DeleteRecordsTopic {
  readonly name: string;
  readonly partitions: readonly DeleteRecordsPartition[];
}

export interface DeleteRecordsRequest {
  readonly topics: readonly DeleteRecordsTopic[];
  readonly timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  readonly partitionIndex: number;
  /** The partition's log start offset after the deletion (-1 with an error). */
  readonly lowWatermark: number;
  readonly errorCode: number;
}

export interface DeleteRecordsTopicResult {
  readonly name: string;
  readonly partitions: readonly DeleteRecordsPartitionResult[];
}

export interface DeleteRecordsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly DeleteRecordsTopicResult[];
}

const request = struct<DeleteRecordsRequest>('DeleteRecordsRequest', {
  topics: {
    type: array(
      struct<DeleteRecordsTopic>('DeleteRecordsTopic', {
        name: { type: string },
        partitions: { type: array(struct<DeleteRecordsPartition>('DeleteRecordsPartition', { partitionIndex: { type: int32 }, offset: { type: int64 } })) },
      }),
    ),
  },
  timeoutMs: { type: int32 },
});

const response = struct<DeleteRecordsResponse>('DeleteRecordsResponse', {
  throttleTimeMs: { type: int32 },
  topics: {
    type: array(
      struct<DeleteRecordsTopicResult>('DeleteRecordsTopicResult', {
        name: { type: string },
        partitions: {
          type: array(
            struct<DeleteRecordsPartitionResult>('DeleteRecordsPartitionResult', {
              partitionIndex: { type: int32 },
              lowWatermark: { type: int64 },
              errorCode: { type: int16 },
            }),
          ),
        },
      }),
    ),
  },
});

export const deleteRecordsApi = new KafkaApi<DeleteRecordsRequest, DeleteRecordsResponse>(ApiKey.DeleteRecords, request, response);
