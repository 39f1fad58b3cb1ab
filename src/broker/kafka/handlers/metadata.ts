import { limits } from '../../../limits.js';
import { authorizedOperationsOmitted, metadataApi, type MetadataResponseTopic } from '../../../protocol/kafka/apis/metadata.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';
import { isLegalTopicKey, isLegalTopicName } from '../TopicNames.js';

/** The one broker's node id (also the leader of every partition and the group coordinator). */
export const brokerNodeId = 0;
/** What Metadata and DescribeCluster-style tools show as the cluster id. */
export const clusterId = 'odlog';

/**
 * Metadata v0-8: one broker (node 0, the advertised address), and each topic with its one
 * partition led by it (leader epoch -1). Every legal topic name asked for exists, written or not
 * (a produce creates it, as odlog's keys are created); "all topics" lists the keys already
 * written whose names are legal, capped at kafkaTopicsListedMax.
 */
export const metadata: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = metadataApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const all = request.topics === null || (header.apiVersion === 0 && request.topics.length === 0);
  const names = all ? await listedTopics(ctx, conn) : (request.topics ?? []).map((t) => t.name);
  return metadataApi.encodeResponse(header.apiVersion, header.correlationId, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: brokerNodeId, host: conn.advertised.host, port: conn.advertised.port, rack: null }],
    clusterId,
    controllerId: brokerNodeId,
    topics: names.map((name) => describeTopic(conn, name)),
    clusterAuthorizedOperations: authorizedOperationsOmitted,
  });
};

function describeTopic(conn: KafkaClientConnection, name: string): MetadataResponseTopic {
  const base = { name, isInternal: false, topicAuthorizedOperations: authorizedOperationsOmitted };
  if (!isLegalTopicName(name)) {
    conn.refuse('illegal_topic', { topic: name, reason: 'topic names are 1..249 of [a-zA-Z0-9._-]; other keys are not visible to Kafka clients' });
    return { ...base, errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION, partitions: [] };
  }
  const key = Buffer.from(name, 'latin1');
  if (!conn.permissions.canRead(key) && !conn.permissions.canAppend(key)) {
    return { ...base, errorCode: KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: [] };
  }
  return {
    ...base,
    errorCode: KafkaErrorCode.NONE,
    partitions: [{ errorCode: KafkaErrorCode.NONE, partitionIndex: 0, leaderId: brokerNodeId, leaderEpoch: -1, replicaNodes: [brokerNodeId], isrNodes: [brokerNodeId], offlineReplicas: [] }],
  };
}

/** Written keys with legal topic names that this connection may read, in byte order, capped. */
async function listedTopics(ctx: KafkaContext, conn: KafkaClientConnection): Promise<string[]> {
  const cap = ctx.config.kafkaTopicsListedMax;
  const names: string[] = [];
  let scanned = 0;
  for (const prefix of conn.permissions.readableListingPrefixes(Buffer.alloc(0)).sort(Buffer.compare)) {
    for await (const key of ctx.log.listKeys({}, { prefix: prefix.length > 0 ? prefix : undefined })) {
      if (++scanned > limits.kafkaMetadataKeysScannedMax || names.length >= cap) return names;
      if (isLegalTopicKey(key)) names.push(key.toString('latin1'));
    }
  }
  return names;
}
