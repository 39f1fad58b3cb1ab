/**
 * One request and one response per Kafka API, with every field of the highest supported version
 * set to a distinctive value (see kafkaTestKit.isDistinctive), so a misplaced field shows.
 */
import type { KafkaApi } from '../../../../src/protocol/kafka/apis/KafkaApi.js';
import { apiVersionsApi } from '../../../../src/protocol/kafka/apis/apiVersions.js';
import { createTopicsApi } from '../../../../src/protocol/kafka/apis/createTopics.js';
import { deleteRecordsApi } from '../../../../src/protocol/kafka/apis/deleteRecords.js';
import { deleteTopicsApi } from '../../../../src/protocol/kafka/apis/deleteTopics.js';
import { describeConfigsApi } from '../../../../src/protocol/kafka/apis/describeConfigs.js';
import { describeGroupsApi } from '../../../../src/protocol/kafka/apis/describeGroups.js';
import { fetchApi } from '../../../../src/protocol/kafka/apis/fetch.js';
import { findCoordinatorApi } from '../../../../src/protocol/kafka/apis/findCoordinator.js';
import { heartbeatApi } from '../../../../src/protocol/kafka/apis/heartbeat.js';
import { initProducerIdApi } from '../../../../src/protocol/kafka/apis/initProducerId.js';
import { joinGroupApi } from '../../../../src/protocol/kafka/apis/joinGroup.js';
import { leaveGroupApi } from '../../../../src/protocol/kafka/apis/leaveGroup.js';
import { listGroupsApi } from '../../../../src/protocol/kafka/apis/listGroups.js';
import { listOffsetsApi } from '../../../../src/protocol/kafka/apis/listOffsets.js';
import { metadataApi } from '../../../../src/protocol/kafka/apis/metadata.js';
import { offsetCommitApi } from '../../../../src/protocol/kafka/apis/offsetCommit.js';
import { offsetFetchApi } from '../../../../src/protocol/kafka/apis/offsetFetch.js';
import { produceApi } from '../../../../src/protocol/kafka/apis/produce.js';
import { saslAuthenticateApi } from '../../../../src/protocol/kafka/apis/saslAuthenticate.js';
import { saslHandshakeApi } from '../../../../src/protocol/kafka/apis/saslHandshake.js';
import { syncGroupApi } from '../../../../src/protocol/kafka/apis/syncGroup.js';
import { encodeRecordBatch } from '../../../../src/protocol/kafka/records/encodeRecordBatch.js';

/** A sample with its types erased behind closures, so samples of every API fit one list. */
export interface ApiSample {
  readonly name: string;
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: unknown;
  readonly response: unknown;
  encodeRequestBody(version: number): Buffer;
  decodeRequest(version: number, body: Buffer): unknown;
  reencodeRequest(version: number, body: Buffer): Buffer;
  encodeResponseBody(version: number): Buffer;
  decodeResponse(version: number, body: Buffer): unknown;
  reencodeResponse(version: number, body: Buffer): Buffer;
}

function sample<Req, Res>(api: KafkaApi<Req, Res>, request: Req, response: Res): ApiSample {
  return {
    name: api.name,
    apiKey: api.apiKey,
    minVersion: api.minVersion,
    maxVersion: api.maxVersion,
    request,
    response,
    encodeRequestBody: (v) => api.encodeRequestBody(v, request),
    decodeRequest: (v, body) => api.decodeRequest(v, body),
    reencodeRequest: (v, body) => api.encodeRequestBody(v, api.decodeRequest(v, body)),
    encodeResponseBody: (v) => api.encodeResponseBody(v, response),
    decodeResponse: (v, body) => api.decodeResponse(v, body),
    reencodeResponse: (v, body) => api.encodeResponseBody(v, api.decodeResponse(v, body)),
  };
}

const bytes = (...values: number[]): Buffer => Buffer.from([0xab, ...values]);

export const sampleRecords = encodeRecordBatch({
  baseOffset: 1000,
  records: [
    { timestamp: 1_700_000_000_000, key: Buffer.from('x-key'), value: Buffer.from('x-value'), headers: [{ key: 'x-h', value: Buffer.from('x-hv') }] },
    { timestamp: 1_700_000_000_000, key: null, value: Buffer.from('x-value-2') },
  ],
});

export const apiSamples: readonly ApiSample[] = [
  sample(
    produceApi,
    { transactionalId: 'x-txn', acks: -1, timeoutMs: 30_000, topics: [{ name: 'x-topic', partitions: [{ partitionIndex: 101, records: sampleRecords }] }] },
    {
      responses: [{ name: 'x-topic', partitions: [{ partitionIndex: 101, errorCode: 102, baseOffset: 2 ** 40 + 7, logAppendTimeMs: 1_700_000_000_123, logStartOffset: 104 }] }],
      throttleTimeMs: 105,
    },
  ),
  sample(
    fetchApi,
    {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 101,
      maxBytes: 102_400,
      isolationLevel: 1,
      sessionId: 103,
      sessionEpoch: 104,
      topics: [{ topic: 'x-t', partitions: [{ partition: 105, currentLeaderEpoch: 106, fetchOffset: 2 ** 33, logStartOffset: 107, partitionMaxBytes: 108 }] }],
      forgottenTopicsData: [{ topic: 'x-gone', partitions: [109, 110] }],
      rackId: 'x-rack',
    },
    {
      throttleTimeMs: 101,
      errorCode: 102,
      sessionId: 103,
      responses: [
        {
          topic: 'x-t',
          partitions: [
            {
              partitionIndex: 104,
              errorCode: 105,
              highWatermark: 106,
              lastStableOffset: 107,
              logStartOffset: 108,
              abortedTransactions: [{ producerId: 109, firstOffset: 110 }],
              preferredReadReplica: 111,
              records: sampleRecords,
            },
          ],
        },
      ],
    },
  ),
  sample(
    listOffsetsApi,
    { replicaId: -1, isolationLevel: 1, topics: [{ name: 'x-t', partitions: [{ partitionIndex: 101, currentLeaderEpoch: 102, timestamp: 1_700_000_000_000 }] }] },
    { throttleTimeMs: 101, topics: [{ name: 'x-t', partitions: [{ partitionIndex: 102, errorCode: 103, timestamp: 1_700_000_000_001, offset: 104, leaderEpoch: 105 }] }] },
  ),
  sample(
    metadataApi,
    { topics: [{ name: 'x-a' }, { name: 'x-b' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true },
    {
      throttleTimeMs: 101,
      brokers: [{ nodeId: 102, host: 'x-host', port: 9092, rack: 'x-rack' }],
      clusterId: 'x-cluster',
      controllerId: 103,
      topics: [
        {
          errorCode: 104,
          name: 'x-a',
          isInternal: true,
          partitions: [{ errorCode: 105, partitionIndex: 106, leaderId: 107, leaderEpoch: 108, replicaNodes: [109], isrNodes: [110], offlineReplicas: [111] }],
          topicAuthorizedOperations: 112,
        },
      ],
      clusterAuthorizedOperations: 113,
    },
  ),
  sample(
    offsetCommitApi,
    {
      groupId: 'x-g',
      generationId: 101,
      memberId: 'x-m',
      groupInstanceId: 'x-i',
      retentionTimeMs: -1, // v2-v4 only: the default, so the v7 round trip is exact
      topics: [{ name: 'x-t', partitions: [{ partitionIndex: 103, committedOffset: 104, committedLeaderEpoch: 105, commitTimestamp: -1, committedMetadata: 'x-md' }] }],
    },
    { throttleTimeMs: 101, topics: [{ name: 'x-t', partitions: [{ partitionIndex: 102, errorCode: 103 }] }] },
  ),
  sample(
    offsetFetchApi,
    { groupId: 'x-g', topics: [{ name: 'x-t', partitionIndexes: [101, 102] }] },
    {
      throttleTimeMs: 101,
      topics: [{ name: 'x-t', partitions: [{ partitionIndex: 102, committedOffset: 103, committedLeaderEpoch: 104, metadata: 'x-md', errorCode: 105 }] }],
      errorCode: 106,
    },
  ),
  sample(findCoordinatorApi, { key: 'x-g', keyType: 1 }, { throttleTimeMs: 101, errorCode: 102, errorMessage: 'x-msg', nodeId: 103, host: 'x-host', port: 9092 }),
  sample(
    joinGroupApi,
    {
      groupId: 'x-g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      memberId: 'x-m',
      groupInstanceId: 'x-i',
      protocolType: 'x-consumer',
      protocols: [{ name: 'x-range', metadata: bytes(1, 2) }],
    },
    {
      throttleTimeMs: 101,
      errorCode: 102,
      generationId: 103,
      protocolName: 'x-range',
      leader: 'x-m',
      memberId: 'x-m2',
      members: [{ memberId: 'x-m', groupInstanceId: 'x-i', metadata: bytes(3) }],
    },
  ),
  sample(
    heartbeatApi,
    { groupId: 'x-g', generationId: 101, memberId: 'x-m', groupInstanceId: 'x-i' },
    { throttleTimeMs: 101, errorCode: 102 },
  ),
  sample(
    leaveGroupApi,
    { groupId: 'x-g', memberId: '', members: [{ memberId: 'x-m', groupInstanceId: 'x-i' }] },
    { throttleTimeMs: 101, errorCode: 102, members: [{ memberId: 'x-m', groupInstanceId: 'x-i', errorCode: 103 }] },
  ),
  sample(
    syncGroupApi,
    { groupId: 'x-g', generationId: 101, memberId: 'x-m', groupInstanceId: 'x-i', assignments: [{ memberId: 'x-m', assignment: bytes(4, 5) }] },
    { throttleTimeMs: 101, errorCode: 102, assignment: bytes(6) },
  ),
  sample(
    describeGroupsApi,
    { groups: ['x-g1', 'x-g2'], includeAuthorizedOperations: true },
    {
      throttleTimeMs: 101,
      groups: [
        {
          errorCode: 102,
          groupId: 'x-g1',
          groupState: 'x-Stable',
          protocolType: 'x-consumer',
          protocolData: 'x-range',
          members: [{ memberId: 'x-m', groupInstanceId: 'x-i', clientId: 'x-c', clientHost: 'x-/127.0.0.1', memberMetadata: bytes(7), memberAssignment: bytes(8) }],
          authorizedOperations: 103,
        },
      ],
    },
  ),
  sample(listGroupsApi, {}, { throttleTimeMs: 101, errorCode: 102, groups: [{ groupId: 'x-g', protocolType: 'x-consumer' }] }),
  sample(saslHandshakeApi, { mechanism: 'x-PLAIN' }, { errorCode: 101, mechanisms: ['x-PLAIN', 'x-SCRAM'] }),
  sample(
    apiVersionsApi,
    {},
    { errorCode: 101, apiKeys: [{ apiKey: 102, minVersion: 103, maxVersion: 104 }], throttleTimeMs: 105 },
  ),
  sample(
    createTopicsApi,
    {
      topics: [{ name: 'x-t', numPartitions: 101, replicationFactor: 102, assignments: [{ partitionIndex: 103, brokerIds: [104] }], configs: [{ name: 'x-k', value: 'x-v' }] }],
      timeoutMs: 105,
      validateOnly: true,
    },
    { throttleTimeMs: 101, topics: [{ name: 'x-t', errorCode: 102, errorMessage: 'x-msg' }] },
  ),
  sample(deleteTopicsApi, { topicNames: ['x-a', 'x-b'], timeoutMs: 101 }, { throttleTimeMs: 101, responses: [{ name: 'x-a', errorCode: 102 }] }),
  sample(
    deleteRecordsApi,
    { topics: [{ name: 'x-t', partitions: [{ partitionIndex: 101, offset: 2 ** 40 + 3 }] }], timeoutMs: 102 },
    { throttleTimeMs: 101, topics: [{ name: 'x-t', partitions: [{ partitionIndex: 102, lowWatermark: 2 ** 35 + 1, errorCode: 104 }] }] },
  ),
  sample(
    initProducerIdApi,
    { transactionalId: 'x-txn', transactionTimeoutMs: 60_000 },
    { throttleTimeMs: 101, errorCode: 102, producerId: 2 ** 45, producerEpoch: 103 },
  ),
  sample(
    describeConfigsApi,
    { resources: [{ resourceType: 2, resourceName: 'x-t', configurationKeys: ['x-k'] }], includeSynonyms: true },
    {
      throttleTimeMs: 101,
      results: [
        {
          errorCode: 102,
          errorMessage: 'x-msg',
          resourceType: 2,
          resourceName: 'x-t',
          configs: [{ name: 'x-k', value: 'x-v', readOnly: true, isDefault: false, configSource: 5, isSensitive: true, synonyms: [{ name: 'x-s', value: 'x-sv', source: 4 }] }],
        },
      ],
    },
  ),
  sample(saslAuthenticateApi, { authBytes: bytes(0, 0x75, 0, 0x70) }, { errorCode: 101, errorMessage: 'x-msg', authBytes: bytes(9), sessionLifetimeMs: 3_600_000 }),
];
