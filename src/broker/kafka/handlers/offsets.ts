import { limits } from '../../../limits.js';
import { offsetCommitApi, type OffsetCommitTopicResponse } from '../../../protocol/kafka/apis/offsetCommit.js';
import { offsetFetchApi, type OffsetFetchPartitionResponse, type OffsetFetchTopicResponse } from '../../../protocol/kafka/apis/offsetFetch.js';
import { KafkaErrorCode, kafkaErrorName } from '../../../protocol/kafka/KafkaErrorCode.js';
import { LogError } from '../../../storage/index.js';
import { isValidGroupId, mayUseGroup } from '../group/GroupAccess.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';
import { isLegalTopicName } from '../TopicNames.js';

/** The longest commit metadata string stored (UTF-8 bytes); longer is OFFSET_METADATA_TOO_LARGE. */

/** Why a whole request about a group is refused, or NONE. */
function groupError(ctx: KafkaContext, conn: KafkaClientConnection, groupId: string): number {
  if (!isValidGroupId(groupId)) return KafkaErrorCode.INVALID_GROUP_ID;
  if (!mayUseGroup(ctx, conn, groupId)) {
    conn.refuse(`group_forbidden:${groupId}`, { group: groupId, reason: 'the group has offsets for topics this token may not read' });
    return KafkaErrorCode.GROUP_AUTHORIZATION_FAILED;
  }
  return KafkaErrorCode.NONE;
}

/**
 * OffsetCommit v0-7: positions (and their metadata strings) stored in the log (`log.groups`),
 * durable when answered, so they survive restarts. A member's commit must match its generation;
 * a commit from outside a group (generation -1) is accepted while the group has no members.
 */
export const offsetCommit: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = offsetCommitApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  let refusal = groupError(ctx, conn, request.groupId);
  if (refusal === KafkaErrorCode.NONE) refusal = ctx.coordinator.commitAllowed(request.groupId, request.memberId, request.generationId);
  const accepted: { key: Buffer; offset: number; metadata: string; leaderEpoch: number }[] = [];
  const codes: number[][] = request.topics.map((topic) =>
    topic.partitions.map((p) => {
      if (refusal !== KafkaErrorCode.NONE) return refusal;
      if (!isLegalTopicName(topic.name) || p.partitionIndex !== 0) return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const key = Buffer.from(topic.name, 'latin1');
      if (!conn.permissions.canRead(key)) return KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED;
      const metadata = p.committedMetadata ?? '';
      if (Buffer.byteLength(metadata, 'utf8') > limits.groupMetadataBytesMax) return KafkaErrorCode.OFFSET_METADATA_TOO_LARGE;
      if (!Number.isSafeInteger(p.committedOffset) || p.committedOffset < -1) return KafkaErrorCode.INVALID_COMMIT_OFFSET_SIZE;
      accepted.push({ key, offset: p.committedOffset, metadata, leaderEpoch: p.committedLeaderEpoch });
      return KafkaErrorCode.NONE;
    }),
  );
  let stored: number = KafkaErrorCode.NONE;
  if (accepted.length > 0) {
    try {
      await ctx.log.groups.commit(request.groupId, accepted);
    } catch (error) {
      stored = storeFailure(ctx, conn, request.groupId, error);
    }
  }
  const topics: OffsetCommitTopicResponse[] = request.topics.map((topic, t) => ({
    name: topic.name,
    partitions: topic.partitions.map((p, i) => ({ partitionIndex: p.partitionIndex, errorCode: codes[t][i] === KafkaErrorCode.NONE ? stored : codes[t][i] })),
  }));
  return offsetCommitApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, topics });
};

function storeFailure(ctx: KafkaContext, conn: KafkaClientConnection, groupId: string, error: unknown): number {
  if (error instanceof LogError && error.code === 'CLOSED') return KafkaErrorCode.NOT_COORDINATOR;
  if (error instanceof LogError && error.code === 'INVALID_ARGUMENT') {
    // The log holds as many groups as it may (consumerGroupsMax).
    conn.refuse('groups_full', { group: groupId, reason: error.message });
    return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
  }
  if (error instanceof LogError) {
    conn.refuse('commit_failed', { group: groupId, code: kafkaErrorName(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE), reason: error.message });
    return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  ctx.logger.error('kafka_commit_failed', { connection: conn.id, group: groupId, error: (error as Error)?.stack ?? String(error) });
  return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
}

/** OffsetFetch v1-5: the group's stored positions (-1 where none), for the topics asked or (null) every readable one. */
export const offsetFetch: KafkaHandler = (ctx, conn, header, payload) => {
  const request = offsetFetchApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const encode = (topics: OffsetFetchTopicResponse[], errorCode: number): Buffer => offsetFetchApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, topics, errorCode });
  const none = (partitionIndex: number, errorCode: number): OffsetFetchPartitionResponse => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode });
  const refusal = groupError(ctx, conn, request.groupId);
  if (refusal !== KafkaErrorCode.NONE) {
    // v1 has no group-level error: each partition carries it.
    const topics = (request.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => none(p, refusal)) }));
    return encode(topics, refusal);
  }
  if (request.topics === null) {
    const topics = ctx.log.groups
      .fetch(request.groupId)
      .filter((o) => conn.permissions.canRead(o.key) && isLegalTopicName(o.key.toString('latin1')))
      .map((o) => ({ name: o.key.toString('latin1'), partitions: [{ partitionIndex: 0, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: KafkaErrorCode.NONE }] }));
    return encode(topics, KafkaErrorCode.NONE);
  }
  const readable = request.topics.filter((t) => isLegalTopicName(t.name) && conn.permissions.canRead(Buffer.from(t.name, 'latin1')));
  const stored = new Map(ctx.log.groups.fetch(request.groupId, readable.map((t) => Buffer.from(t.name, 'latin1'))).map((o) => [o.key.toString('latin1'), o]));
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p): OffsetFetchPartitionResponse => {
      if (!isLegalTopicName(t.name) || p !== 0) return none(p, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (!conn.permissions.canRead(Buffer.from(t.name, 'latin1'))) return none(p, KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
      const o = stored.get(t.name);
      return o === undefined ? none(p, KafkaErrorCode.NONE) : { partitionIndex: p, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: KafkaErrorCode.NONE };
    }),
  }));
  return encode(topics, KafkaErrorCode.NONE);
};
