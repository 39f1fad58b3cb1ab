/**
 * OffsetFetch (key 9), versions 1-5: a group's committed positions.
 *
 *   OffsetFetch Request (v1)    => GroupId (string) [Topics]
 *     Topics => Name (string) [PartitionIndexes] (int32)
 *   OffsetFetch Request (v2-v5) => the same; a null Topics array (-1) asks for every topic of the group
 *
 *   OffsetFetch Response (v1) => [Topics]
 *     Topics     => Name (string) [Partitions]
 *       Partitions => PartitionIndex (int32) CommittedOffset (int64) Metadata (nullable string) ErrorCode (int16)
 *   v2:    ErrorCode (int16) last (group-level errors)
 *   v3-v4: ThrottleTimeMs (int32) first
 *   v5:    Partitions => PartitionIndex CommittedOffset CommittedLeaderEpoch (int32) Metadata ErrorCode
 *
 * A partition with no committed offset is answered with CommittedOffset -1 and ErrorCode 0.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, nullableArray, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface OffsetFetchTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface OffsetFetchRequest {
  readonly groupId: string;
  /** null (v2+) = every topic the group has offsets for. */
  readonly topics: readonly OffsetFetchTopic[] | null;
}

export interface OffsetFetchPartitionResponse {
  readonly partitionIndex: number;
  /** -1 when nothing is committed. */
  readonly committedOffset: number;
  /** v5+. */
  readonly committedLeaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchTopicResponse {
  readonly name: string;
  readonly partitions: readonly OffsetFetchPartitionResponse[];
}

export interface OffsetFetchResponse {
  /** v3+. */
  readonly throttleTimeMs: number;
  readonly topics: readonly OffsetFetchTopicResponse[];
  /** v2+: group-level error. */
  readonly errorCode: number;
}

const request = struct<OffsetFetchRequest>('OffsetFetchRequest', {
  groupId: { type: string },
  topics: {
    type: nullableArray(struct<OffsetFetchTopic>('OffsetFetchRequestTopic', { name: { type: string }, partitionIndexes: { type: array(int32) } })),
    nullableVersions: '2+',
  },
});

const response = struct<OffsetFetchResponse>('OffsetFetchResponse', {
  throttleTimeMs: { type: int32, versions: '3+' },
  topics: {
    type: array(
      struct<OffsetFetchTopicResponse>('OffsetFetchResponseTopic', {
        name: { type: string },
        partitions: {
          type: array(
            struct<OffsetFetchPartitionResponse>('OffsetFetchResponsePartition', {
              partitionIndex: { type: int32 },
              committedOffset: { type: int64 },
              committedLeaderEpoch: { type: int32, versions: '5+', default: -1 },
              metadata: { type: nullableString },
              errorCode: { type: int16 },
            }),
          ),
        },
      }),
    ),
  },
  errorCode: { type: int16, versions: '2+' },
});

export const offsetFetchApi = new KafkaApi<OffsetFetchRequest, OffsetFetchResponse>(ApiKey.OffsetFetch, request, response);
