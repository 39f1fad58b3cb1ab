/**
 * ListOffsets (key 2), versions 1-5: the offset for a timestamp, or the earliest / latest.
 *
 *   ListOffsets Request (v1) => ReplicaId [Topics]
 *     ReplicaId  => int32   -1 for consumers
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) Timestamp (int64)   -1 latest, -2 earliest, else ms
 *   v2-v3: IsolationLevel (int8) after ReplicaId
 *   v4-v5: Partitions => PartitionIndex CurrentLeaderEpoch (int32) Timestamp
 *
 *   ListOffsets Response (v1) => [Topics]
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) ErrorCode (int16) Timestamp (int64) Offset (int64)
 *   v2-v3: ThrottleTimeMs (int32) first
 *   v4-v5: Partitions gain LeaderEpoch (int32) last
 *
 * v5 only adds the OFFSET_NOT_AVAILABLE error code; its bytes are those of v4.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, int8, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

/** Timestamp sentinels of ListOffsets requests. */
export const ListOffsetsTimestamp = { latest: -1, earliest: -2 } as const;

export interface ListOffsetsPartition {
  readonly partitionIndex: number;
  /** v4+; -1 when unknown. */
  readonly currentLeaderEpoch: number;
  readonly timestamp: number;
}

export interface ListOffsetsTopic {
  readonly name: string;
  readonly partitions: readonly ListOffsetsPartition[];
}

export interface ListOffsetsRequest {
  readonly replicaId: number;
  /** v2+. */
  readonly isolationLevel: number;
  readonly topics: readonly ListOffsetsTopic[];
}

export interface ListOffsetsPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly timestamp: number;
  readonly offset: number;
  /** v4+. */
  readonly leaderEpoch: number;
}

export interface ListOffsetsTopicResponse {
  readonly name: string;
  readonly partitions: readonly ListOffsetsPartitionResponse[];
}

export interface ListOffsetsResponse {
  /** v2+. */
  readonly throttleTimeMs: number;
  readonly topics: readonly ListOffsetsTopicResponse[];
}

const request = struct<ListOffsetsRequest>('ListOffsetsRequest', {
  replicaId: { type: int32 },
  isolationLevel: { type: int8, versions: '2+' },
  topics: {
    type: array(
      struct<ListOffsetsTopic>('ListOffsetsTopic', {
        name: { type: string },
        partitions: {
          type: array(
            struct<ListOffsetsPartition>('ListOffsetsPartition', {
              partitionIndex: { type: int32 },
              currentLeaderEpoch: { type: int32, versions: '4+', default: -1 },
              timestamp: { type: int64 },
            }),
          ),
        },
      }),
    ),
  },
});

const response = struct<ListOffsetsResponse>('ListOffsetsResponse', {
  throttleTimeMs: { type: int32, versions: '2+' },
  topics: {
    type: array(
      struct<ListOffsetsTopicResponse>('ListOffsetsTopicResponse', {
        name: { type: string },
        partitions: {
          type: array(
            struct<ListOffsetsPartitionResponse>('ListOffsetsPartitionResponse', {
              partitionIndex: { type: int32 },
              errorCode: { type: int16 },
              timestamp: { type: int64, versions: '1+', default: -1 },
              offset: { type: int64, versions: '1+', default: -1 },
              leaderEpoch: { type: int32, versions: '4+', default: -1 },
            }),
          ),
        },
      }),
    ),
  },
});

export const listOffsetsApi = new KafkaApi<ListOffsetsRequest, ListOffsetsResponse>(ApiKey.ListOffsets, request, response);
