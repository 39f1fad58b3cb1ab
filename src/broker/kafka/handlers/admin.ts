import { createTopicsApi, type CreatableTopicResult } from '../../../protocol/kafka/apis/createTopics.js';
import { ConfigResourceType, describeConfigsApi, type DescribeConfigsEntry, type DescribeConfigsResult } from '../../../protocol/kafka/apis/describeConfigs.js';
import { describeGroupsApi, type DescribedGroup } from '../../../protocol/kafka/apis/describeGroups.js';
import { listGroupsApi } from '../../../protocol/kafka/apis/listGroups.js';
import { authorizedOperationsOmitted } from '../../../protocol/kafka/apis/metadata.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import { isValidGroupId, mayUseGroup } from '../group/GroupAccess.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaContext } from '../KafkaContext.js';
import { isLegalTopicName } from '../TopicNames.js';
import { brokerNodeId } from './metadata.js';

/** ListGroups v0-2: groups with members, and groups with committed offsets, that this token may use. */
export const listGroups: KafkaHandler = (ctx, conn, header, payload) => {
  listGroupsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const groups = new Map<string, string>();
  for (const g of ctx.coordinator.activeGroups()) groups.set(g.groupId, g.protocolType);
  for (const groupId of ctx.log.groups.groups()) if (!groups.has(groupId)) groups.set(groupId, 'consumer');
  const listed = [...groups].filter(([groupId]) => isValidGroupId(groupId) && mayUseGroup(ctx, conn, groupId)).map(([groupId, protocolType]) => ({ groupId, protocolType }));
  return listGroupsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode: KafkaErrorCode.NONE, groups: listed });
};

/** DescribeGroups v0-4: state, protocol and members; a group with offsets only is Empty, an unknown one Dead (as Kafka answers). */
export const describeGroups: KafkaHandler = (ctx, conn, header, payload) => {
  const request = describeGroupsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const groups = request.groups.map((groupId): DescribedGroup => {
    const base = { groupId, protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted };
    if (!isValidGroupId(groupId)) return { ...base, errorCode: KafkaErrorCode.INVALID_GROUP_ID, groupState: 'Dead' };
    if (!mayUseGroup(ctx, conn, groupId)) return { ...base, errorCode: KafkaErrorCode.GROUP_AUTHORIZATION_FAILED, groupState: 'Dead' };
    const described = ctx.coordinator.describe(groupId);
    if (described === undefined) {
      const hasOffsets = ctx.log.groups.fetch(groupId).length > 0;
      return { ...base, errorCode: KafkaErrorCode.NONE, groupState: hasOffsets ? 'Empty' : 'Dead', protocolType: hasOffsets ? 'consumer' : '' };
    }
    return {
      ...base,
      errorCode: KafkaErrorCode.NONE,
      groupState: described.state,
      protocolType: described.protocolType,
      protocolData: described.protocolName,
      members: described.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment })),
    };
  });
  return describeGroupsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, groups });
};

/**
 * CreateTopics v0-4: every legal topic exists already (one partition, on this broker), so
 * creating one succeeds without doing anything, or answers TOPIC_ALREADY_EXISTS once it holds
 * records. More than one partition is INVALID_PARTITIONS, a replication factor other than 1
 * INVALID_REPLICATION_FACTOR, topic configs INVALID_CONFIG (odlog's settings are the broker's).
 */
export const createTopics: KafkaHandler = (ctx, conn, header, payload) => {
  const request = createTopicsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const topics = request.topics.map((t): CreatableTopicResult => {
    const result = (errorCode: number, errorMessage: string | null = null): CreatableTopicResult => ({ name: t.name, errorCode, errorMessage });
    if (!isLegalTopicName(t.name)) return result(KafkaErrorCode.INVALID_TOPIC_EXCEPTION, 'topic names are 1..249 of [a-zA-Z0-9._-]');
    if (t.numPartitions !== 1 && !(t.numPartitions === -1 && t.assignments.length === 0)) return result(KafkaErrorCode.INVALID_PARTITIONS, 'odlog topics have exactly one partition');
    if (t.replicationFactor !== 1 && !(t.replicationFactor === -1 && t.assignments.length === 0)) return result(KafkaErrorCode.INVALID_REPLICATION_FACTOR, 'odlog has one broker: the replication factor is 1');
    if (t.assignments.some((a) => a.partitionIndex !== 0 || a.brokerIds.some((b) => b !== brokerNodeId))) return result(KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partition 0 on broker 0 is the only assignment');
    if (t.configs.length > 0) return result(KafkaErrorCode.INVALID_CONFIG, 'odlog topics take no configs: retention and limits are the broker\'s settings');
    const key = Buffer.from(t.name, 'latin1');
    if (!conn.permissions.canAppend(key)) return result(KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED, 'this token may not append to the topic');
    if (ctx.log.offsets(key).end > 0) return result(KafkaErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} already holds records`);
    return result(KafkaErrorCode.NONE);
  });
  return createTopicsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, topics });
};

/** Config sources of DescribeConfigs v1+. */
const ConfigSource = { staticBroker: 4, default: 5 } as const;

/** DescribeConfigs v0-2: the read-only settings that decide how a topic behaves, and the broker's id. */
export const describeConfigs: KafkaHandler = (ctx, conn, header, payload) => {
  const request = describeConfigsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const results = request.resources.map((r): DescribeConfigsResult => {
    const base = { errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
    let entries: DescribeConfigsEntry[];
    if (r.resourceType === ConfigResourceType.topic) {
      if (!isLegalTopicName(r.resourceName)) return { ...base, errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION, configs: [] };
      const key = Buffer.from(r.resourceName, 'latin1');
      if (!conn.permissions.canRead(key) && !conn.permissions.canAppend(key)) return { ...base, errorCode: KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED, configs: [] };
      entries = topicConfigs(ctx);
    } else if (r.resourceType === ConfigResourceType.broker) {
      if (r.resourceName !== String(brokerNodeId) && r.resourceName !== '') return { ...base, errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `broker ${r.resourceName} does not exist; the one broker is ${brokerNodeId}`, configs: [] };
      entries = brokerConfigs(ctx);
    } else {
      return { ...base, errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `resource type ${r.resourceType} is not described; topics (2) and the broker (4) are`, configs: [] };
    }
    const wanted = r.configurationKeys;
    const configs = wanted === null ? entries : entries.filter((e) => wanted.includes(e.name));
    return { ...base, errorCode: KafkaErrorCode.NONE, configs: header.apiVersion === 0 ? configs : configs.map((c) => ({ ...c, synonyms: request.includeSynonyms ? [{ name: c.name, value: c.value, source: c.configSource }] : [] })) };
  });
  return describeConfigsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, results });
};

function entry(name: string, value: string, setByOperator: boolean): DescribeConfigsEntry {
  return { name, value, readOnly: true, isDefault: !setByOperator, configSource: setByOperator ? ConfigSource.staticBroker : ConfigSource.default, isSensitive: false, synonyms: [] };
}

function topicConfigs(ctx: KafkaContext): DescribeConfigsEntry[] {
  const c = ctx.config;
  return [
    entry('cleanup.policy', 'delete', false),
    entry('message.timestamp.type', 'LogAppendTime', false),
    entry('retention.ms', String(c.retentionMs ?? -1), c.retentionMs !== undefined),
    entry('retention.bytes', '-1', false),
    entry('max.message.bytes', String(c.batchBytesMax), true),
    entry('compression.type', 'producer', false),
  ];
}

function brokerConfigs(ctx: KafkaContext): DescribeConfigsEntry[] {
  const c = ctx.config;
  return [
    entry('broker.id', String(brokerNodeId), false),
    entry('num.partitions', '1', false),
    entry('default.replication.factor', '1', false),
    entry('auto.create.topics.enable', 'true', false),
    entry('log.retention.ms', String(c.retentionMs ?? -1), c.retentionMs !== undefined),
    entry('log.retention.bytes', String(c.retentionBytes ?? -1), c.retentionBytes !== undefined),
    entry('message.max.bytes', String(c.batchBytesMax), true),
    entry('socket.request.max.bytes', String(c.frameBytesMax), true),
  ];
}
