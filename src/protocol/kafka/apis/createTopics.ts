/**
 * CreateTopics (key 19), versions 0-4: create topics (odlog: one partition, replication factor 1).
 *
 *   CreateTopics Request (v0) => [Topics] TimeoutMs (int32)
 *     Topics => Name (string) NumPartitions (int32) ReplicationFactor (int16) [Assignments] [Configs]
 *       Assignments => PartitionIndex (int32) [BrokerIds] (int32)
 *       Configs     => Name (string) Value (nullable string)
 *   v1-v4: ValidateOnly (bool) last
 *
 *   CreateTopics Response (v0)    => [Topics]
 *     Topics => Name (string) ErrorCode (int16)
 *   v1:    Topics => Name ErrorCode ErrorMessage (nullable string)
 *   v2-v4: ThrottleTimeMs (int32) first
 *
 * v4 lets NumPartitions and ReplicationFactor be -1 (the broker's defaults); its bytes are those of v3.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, boolean, int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface CreatableReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreatableTopicConfig {
  readonly name: string;
  readonly value: string | null;
}

export interface CreatableTopic {
  readonly name: string;
  /** -1 with manual assignments, or (v4+) for the broker's default. */
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly CreatableReplicaAssignment[];
  readonly configs: readonly CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly timeoutMs: number;
  /** v1+. */
  readonly validateOnly: boolean;
}

export interface CreatableTopicResult {
  readonly name: string;
  readonly errorCode: number;
  /** v1+. */
  readonly errorMessage: string | null;
}

export interface CreateTopicsResponse {
  /** v2+. */
  readonly throttleTimeMs: number;
  readonly topics: readonly CreatableTopicResult[];
}

const request = struct<CreateTopicsRequest>('CreateTopicsRequest', {
  topics: {
    type: array(
      struct<CreatableTopic>('CreatableTopic', {
        name: { type: string },
        numPartitions: { type: int32 },
        replicationFactor: { type: int16 },
        assignments: {
          type: array(struct<CreatableReplicaAssignment>('CreatableReplicaAssignment', { partitionIndex: { type: int32 }, brokerIds: { type: array(int32) } })),
        },
        configs: { type: array(struct<CreatableTopicConfig>('CreateableTopicConfig', { name: { type: string }, value: { type: nullableString } })) },
      }),
    ),
  },
  timeoutMs: { type: int32 },
  validateOnly: { type: boolean, versions: '1+' },
});

const response = struct<CreateTopicsResponse>('CreateTopicsResponse', {
  throttleTimeMs: { type: int32, versions: '2+' },
  topics: {
    type: array(
      struct<CreatableTopicResult>('CreatableTopicResult', {
        name: { type: string },
        errorCode: { type: int16 },
        errorMessage: { type: nullableString, versions: '1+' },
      }),
    ),
  },
});

export const createTopicsApi = new KafkaApi<CreateTopicsRequest, CreateTopicsResponse>(ApiKey.CreateTopics, request, response);
