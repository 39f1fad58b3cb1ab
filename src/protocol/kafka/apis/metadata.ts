/**
 * Metadata (key 3), versions 0-8: brokers, and topics with their partitions and leaders.
 *
 *   Metadata Request (v0)    => [Topics]                      Topics => Name (string); empty = all topics
 *   Metadata Request (v1-v3) => [Topics]                      null array (-1) = all topics, empty = none
 *   Metadata Request (v4-v7) => [Topics] AllowAutoTopicCreation (bool)
 *   Metadata Request (v8)    => [Topics] AllowAutoTopicCreation IncludeClusterAuthorizedOperations (bool)
 *                               IncludeTopicAuthorizedOperations (bool)
 *
 *   Metadata Response (v0) => [Brokers] [Topics]
 *     Brokers    => NodeId (int32) Host (string) Port (int32)
 *     Topics     => ErrorCode (int16) Name (string) [Partitions]
 *     Partitions => ErrorCode (int16) PartitionIndex (int32) LeaderId (int32)
 *                   [ReplicaNodes] (int32) [IsrNodes] (int32)
 *   v1: Brokers gain Rack (nullable string); ControllerId (int32) follows [Brokers];
 *       Topics gain IsInternal (bool) after Name
 *   v2: ClusterId (nullable string) between [Brokers] and ControllerId
 *   v3-v4: ThrottleTimeMs (int32) first
 *   v5-v6: Partitions gain [OfflineReplicas] (int32) last
 *   v7: Partitions gain LeaderEpoch (int32) after LeaderId
 *   v8: Topics gain TopicAuthorizedOperations (int32) last; ClusterAuthorizedOperations (int32) last
 *
 *   Metadata Response (v8) => ThrottleTimeMs [Brokers] ClusterId ControllerId [Topics] ClusterAuthorizedOperations
 *     Brokers    => NodeId Host Port Rack
 *     Topics     => ErrorCode Name IsInternal [Partitions] TopicAuthorizedOperations
 *     Partitions => ErrorCode PartitionIndex LeaderId LeaderEpoch [ReplicaNodes] [IsrNodes] [OfflineReplicas]
 */
import { ApiKey } from '../ApiKeys.js';
import { array, boolean, int16, int32, nullableArray, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

/** "Not provided" in the authorized-operations fields (Integer.MIN_VALUE). */
export const authorizedOperationsOmitted = -2147483648;

export interface MetadataRequestTopic {
  readonly name: string;
}

export interface MetadataRequest {
  /** null (v1+) = all topics. In v0 an empty array means all topics. */
  readonly topics: readonly MetadataRequestTopic[] | null;
  /** v4+; true before. */
  readonly allowAutoTopicCreation: boolean;
  /** v8. */
  readonly includeClusterAuthorizedOperations: boolean;
  /** v8+. */
  readonly includeTopicAuthorizedOperations: boolean;
}

export interface MetadataResponseBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  /** v1+. */
  readonly rack: string | null;
}

export interface MetadataResponsePartition {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  /** v7+; -1 when unknown. */
  readonly leaderEpoch: number;
  readonly replicaNodes: readonly number[];
  readonly isrNodes: readonly number[];
  /** v5+. */
  readonly offlineReplicas: readonly number[];
}

export interface MetadataResponseTopic {
  readonly errorCode: number;
  readonly name: string;
  /** v1+. */
  readonly isInternal: boolean;
  readonly partitions: readonly MetadataResponsePartition[];
  /** v8+; `authorizedOperationsOmitted` when not asked for. */
  readonly topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  /** v3+. */
  readonly throttleTimeMs: number;
  readonly brokers: readonly MetadataResponseBroker[];
  /** v2+. */
  readonly clusterId: string | null;
  /** v1+; -1 when none. */
  readonly controllerId: number;
  readonly topics: readonly MetadataResponseTopic[];
  /** v8+; `authorizedOperationsOmitted` when not asked for. */
  readonly clusterAuthorizedOperations: number;
}

const request = struct<MetadataRequest>('MetadataRequest', {
  topics: { type: nullableArray(struct<MetadataRequestTopic>('MetadataRequestTopic', { name: { type: string } })), nullableVersions: '1+' },
  allowAutoTopicCreation: { type: boolean, versions: '4+', default: true },
  includeClusterAuthorizedOperations: { type: boolean, versions: '8-10' },
  includeTopicAuthorizedOperations: { type: boolean, versions: '8+' },
});

const partition = struct<MetadataResponsePartition>('MetadataResponsePartition', {
  errorCode: { type: int16 },
  partitionIndex: { type: int32 },
  leaderId: { type: int32 },
  leaderEpoch: { type: int32, versions: '7+', default: -1 },
  replicaNodes: { type: array(int32) },
  isrNodes: { type: array(int32) },
  offlineReplicas: { type: array(int32), versions: '5+' },
});

const response = struct<MetadataResponse>('MetadataResponse', {
  throttleTimeMs: { type: int32, versions: '3+' },
  brokers: {
    type: array(
      struct<MetadataResponseBroker>('MetadataResponseBroker', {
        nodeId: { type: int32 },
        host: { type: string },
        port: { type: int32 },
        rack: { type: nullableString, versions: '1+' },
      }),
    ),
  },
  clusterId: { type: nullableString, versions: '2+' },
  controllerId: { type: int32, versions: '1+', default: -1 },
  topics: {
    type: array(
      struct<MetadataResponseTopic>('MetadataResponseTopic', {
        errorCode: { type: int16 },
        name: { type: string },
        isInternal: { type: boolean, versions: '1+' },
        partitions: { type: array(partition) },
        topicAuthorizedOperations: { type: int32, versions: '8+', default: authorizedOperationsOmitted },
      }),
    ),
  },
  clusterAuthorizedOperations: { type: int32, versions: '8+', default: authorizedOperationsOmitted },
});

export const metadataApi = new KafkaApi<MetadataRequest, MetadataResponse>(ApiKey.Metadata, request, response);
