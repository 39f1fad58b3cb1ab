/**
 * Fetch (key 1), versions 4-11: records from topic partitions, from an offset.
 *
 *   Fetch Request (v4) => ReplicaId MaxWaitMs MinBytes MaxBytes IsolationLevel [Topics]
 *     ReplicaId      => int32   -1 for consumers
 *     MaxWaitMs      => int32
 *     MinBytes       => int32
 *     MaxBytes       => int32
 *     IsolationLevel => int8    0 read uncommitted, 1 read committed
 *     Topics         => Topic (string) [Partitions]
 *       Partitions   => Partition (int32) FetchOffset (int64) PartitionMaxBytes (int32)
 *   v5-v6: Partitions => Partition FetchOffset LogStartOffset (int64) PartitionMaxBytes
 *   v7-v8: SessionId (int32) SessionEpoch (int32) after IsolationLevel; [ForgottenTopicsData] last
 *     ForgottenTopicsData => Topic (string) [Partitions] (int32)
 *   v9-v10: Partitions => Partition CurrentLeaderEpoch (int32) FetchOffset LogStartOffset PartitionMaxBytes
 *   v11: RackId (string) last
 *
 *   Fetch Response (v4) => ThrottleTimeMs [Responses]
 *     Responses  => Topic (string) [Partitions]
 *       Partitions => PartitionIndex (int32) ErrorCode (int16) HighWatermark (int64)
 *                     LastStableOffset (int64) [AbortedTransactions] Records (nullable bytes)
 *         AbortedTransactions => ProducerId (int64) FirstOffset (int64)   (nullable array)
 *   v5-v6: Partitions gain LogStartOffset (int64) after LastStableOffset
 *   v7-v10: ErrorCode (int16) SessionId (int32) after ThrottleTimeMs
 *   v11: Partitions gain PreferredReadReplica (int32) before Records
 *
 *   Fetch Response (v11) => ThrottleTimeMs ErrorCode SessionId [Responses]
 *     Partitions => PartitionIndex ErrorCode HighWatermark LastStableOffset LogStartOffset
 *                   [AbortedTransactions] PreferredReadReplica Records
 *
 * Records carry whole record batches (`encodeRecordBatch` in records/); v4+ clients read magic 2.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, int64, int8, nullableArray, nullableBytes, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface FetchPartition {
  readonly partition: number;
  /** v9+; -1 when the client does not know it. */
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: number;
  /** v5+; only meaningful for followers (-1 from consumers). */
  readonly logStartOffset: number;
  readonly partitionMaxBytes: number;
}

export interface FetchTopic {
  readonly topic: string;
  readonly partitions: readonly FetchPartition[];
}

export interface ForgottenTopic {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface FetchRequest {
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  /** v7+; 0 when the client opens no fetch session. */
  readonly sessionId: number;
  /** v7+; -1 when the client opens no fetch session. */
  readonly sessionEpoch: number;
  readonly topics: readonly FetchTopic[];
  /** v7+. */
  readonly forgottenTopicsData: readonly ForgottenTopic[];
  /** v11+. */
  readonly rackId: string;
}

export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

export interface FetchPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  /** v5+. */
  readonly logStartOffset: number;
  /** null when there are none (odlog has no transactions). */
  readonly abortedTransactions: readonly AbortedTransaction[] | null;
  /** v11+; -1 = read from the leader. */
  readonly preferredReadReplica: number;
  /** Whole record batches, or null. */
  readonly records: Uint8Array | null;
}

export interface FetchTopicResponse {
  readonly topic: string;
  readonly partitions: readonly FetchPartitionResponse[];
}

export interface FetchResponse {
  readonly throttleTimeMs: number;
  /** v7+. */
  readonly errorCode: number;
  /** v7+. */
  readonly sessionId: number;
  readonly responses: readonly FetchTopicResponse[];
}

const request = struct<FetchRequest>('FetchRequest', {
  replicaId: { type: int32 },
  maxWaitMs: { type: int32 },
  minBytes: { type: int32 },
  maxBytes: { type: int32, versions: '3+', default: 0x7fffffff },
  isolationLevel: { type: int8, versions: '4+' },
  sessionId: { type: int32, versions: '7+' },
  sessionEpoch: { type: int32, versions: '7+', default: -1 },
  topics: {
    type: array(
      struct<FetchTopic>('FetchTopic', {
        topic: { type: string },
        partitions: {
          type: array(
            struct<FetchPartition>('FetchPartition', {
              partition: { type: int32 },
              currentLeaderEpoch: { type: int32, versions: '9+', default: -1 },
              fetchOffset: { type: int64 },
              logStartOffset: { type: int64, versions: '5+', default: -1 },
              partitionMaxBytes: { type: int32 },
            }),
          ),
        },
      }),
    ),
  },
  forgottenTopicsData: {
    type: array(struct<ForgottenTopic>('ForgottenTopic', { topic: { type: string }, partitions: { type: array(int32) } })),
    versions: '7+',
  },
  rackId: { type: string, versions: '11+' },
});

const response = struct<FetchResponse>('FetchResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16, versions: '7+' },
  sessionId: { type: int32, versions: '7+' },
  responses: {
    type: array(
      struct<FetchTopicResponse>('FetchableTopicResponse', {
        topic: { type: string },
        partitions: {
          type: array(
            struct<FetchPartitionResponse>('PartitionData', {
              partitionIndex: { type: int32 },
              errorCode: { type: int16 },
              highWatermark: { type: int64 },
              lastStableOffset: { type: int64, versions: '4+', default: -1 },
              logStartOffset: { type: int64, versions: '5+', default: -1 },
              abortedTransactions: {
                type: nullableArray(struct<AbortedTransaction>('AbortedTransaction', { producerId: { type: int64 }, firstOffset: { type: int64 } })),
                versions: '4+',
              },
              preferredReadReplica: { type: int32, versions: '11+', default: -1 },
              records: { type: nullableBytes },
            }),
          ),
        },
      }),
    ),
  },
});

export const fetchApi = new KafkaApi<FetchRequest, FetchResponse>(ApiKey.Fetch, request, response);
