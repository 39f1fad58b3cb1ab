/**
 * OffsetCommit (key 8), versions 0-7: a consumer stores its position for topic partitions.
 *
 *   OffsetCommit Request (v0) => GroupId (string) [Topics]
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) CommittedOffset (int64) CommittedMetadata (nullable string)
 *   v1:    GenerationId (int32) MemberId (string) after GroupId;
 *          Partitions => PartitionIndex CommittedOffset CommitTimestamp (int64) CommittedMetadata
 *   v2-v4: GroupId GenerationId MemberId RetentionTimeMs (int64) [Topics]; no CommitTimestamp
 *   v5:    GroupId GenerationId MemberId [Topics]                      (RetentionTimeMs gone)
 *   v6:    Partitions => PartitionIndex CommittedOffset CommittedLeaderEpoch (int32) CommittedMetadata
 *   v7:    GroupInstanceId (nullable string) after MemberId
 *
 *   OffsetCommit Response (v0-v2) => [Topics]
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) ErrorCode (int16)
 *   v3-v7: ThrottleTimeMs (int32) first
 *
 * A commit from outside a group comes with GenerationId -1 and an empty MemberId (Kafka accepts it).
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface OffsetCommitPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  /** v6+; -1 when unknown. */
  readonly committedLeaderEpoch: number;
  /** v1 only; -1 otherwise. */
  readonly commitTimestamp: number;
  readonly committedMetadata: string | null;
}

export interface OffsetCommitTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitPartition[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** v1+; -1 before (and for commits from outside a group). */
  readonly generationId: number;
  /** v1+; '' before. */
  readonly memberId: string;
  /** v7+. */
  readonly groupInstanceId: string | null;
  /** v2-v4; -1 = the broker's default. */
  readonly retentionTimeMs: number;
  readonly topics: readonly OffsetCommitTopic[];
}

export interface OffsetCommitPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
}

export interface OffsetCommitTopicResponse {
  readonly name: string;
  readonly partitions: readonly OffsetCommitPartitionResponse[];
}

export interface OffsetCommitResponse {
  /** v3+. */
  readonly throttleTimeMs: number;
  readonly topics: readonly OffsetCommitTopicResponse[];
}

const request = struct<OffsetCommitRequest>('OffsetCommitRequest', {
  groupId: { type: string },
  generationId: { type: int32, versions: '1+', default: -1 },
  memberId: { type: string, versions: '1+' },
  groupInstanceId: { type: nullableString, versions: '7+' },
  retentionTimeMs: { type: int64, versions: '2-4', default: -1 },
  topics: {
    type: array(
      struct<OffsetCommitTopic>('OffsetCommitRequestTopic', {
        name: { type: string },
        partitions: {
          type: array(
            struct<OffsetCommitPartition>('OffsetCommitRequestPartition', {
              partitionIndex: { type: int32 },
              committedOffset: { type: int64 },
              committedLeaderEpoch: { type: int32, versions: '6+', default: -1 },
              commitTimestamp: { type: int64, versions: '1', default: -1 },
              committedMetadata: { type: nullableString },
            }),
          ),
        },
      }),
    ),
  },
});

const response = struct<OffsetCommitResponse>('OffsetCommitResponse', {
  throttleTimeMs: { type: int32, versions: '3+' },
  topics: {
    type: array(
      struct<OffsetCommitTopicResponse>('OffsetCommitResponseTopic', {
        name: { type: string },
        partitions: {
          type: array(struct<OffsetCommitPartitionResponse>('OffsetCommitResponsePartition', { partitionIndex: { type: int32 }, errorCode: { type: int16 } })),
        },
      }),
    ),
  },
});

export const offsetCommitApi = new KafkaApi<OffsetCommitRequest, OffsetCommitResponse>(ApiKey.OffsetCommit, request, response);
