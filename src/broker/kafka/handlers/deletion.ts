import { deleteRecordsApi, deleteRecordsToHighWatermark, type DeleteRecordsPartition, type DeleteRecordsPartitionResult, type DeleteRecordsTopicResult } from '../../../protocol/kafka/apis/deleteRecords.js';
import { deleteTopicsApi, type DeletableTopicResult } from '../../../protocol/kafka/apis/deleteTopics.js';
import { KafkaErrorCode, kafkaErrorName } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';
import { kafkaCodeOf } from '../KafkaErrors.js';
import { isLegalTopicName } from '../TopicNames.js';

/**
 * DeleteRecords v0-1: each partition's records below the given offset are trimmed from the
 * topic's key (`log.trim`), durably, and the answer carries the new log start offset (Kafka's low
 * watermark). Offset -1 is the high watermark: every durable record goes. An offset above the
 * high watermark is OFFSET_OUT_OF_RANGE; one at or below the log start deletes nothing and
 * answers the log start. Offsets are those Kafka consumers see: of durable records only.
 *
 * A token needs `append` permission on the topic (as for odlog's own trim), else
 * TOPIC_AUTHORIZATION_FAILED. Partitions are served one after another, in request order.
 */
export const deleteRecords: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = deleteRecordsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const topics: DeleteRecordsTopicResult[] = [];
  for (const topic of request.topics) {
    const partitions: DeleteRecordsPartitionResult[] = [];
    for (const p of topic.partitions) partitions.push(await deletePartitionRecords(ctx, conn, topic.name, p));
    topics.push({ name: topic.name, partitions });
  }
  return deleteRecordsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, topics });
};

async function deletePartitionRecords(ctx: KafkaContext, conn: KafkaClientConnection, topic: string, p: DeleteRecordsPartition): Promise<DeleteRecordsPartitionResult> {
  const answer = (errorCode: number, lowWatermark = -1): DeleteRecordsPartitionResult => ({ partitionIndex: p.partitionIndex, lowWatermark, errorCode });
  if (!isLegalTopicName(topic) || p.partitionIndex !== 0) return answer(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const key = Buffer.from(topic, 'latin1');
  if (!mayDelete(conn, topic, key)) return answer(KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const end = ctx.log.durableSequence;
  const bounds = ctx.log.offsets(key, { end });
  const offset = p.offset === deleteRecordsToHighWatermark ? bounds.end : p.offset;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > bounds.end) {
    conn.refuse(`delete_records_range:${topic}`, { topic, offset: p.offset, reason: `the offset is outside [0, high watermark ${bounds.end}] (OFFSET_OUT_OF_RANGE)` });
    return answer(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
  }
  if (offset > bounds.start) {
    // Retained offsets are contiguous from the log start: the entry at `offset` exists unless
    // `offset` is the high watermark, whose records all lie below `end`.
    const before = ctx.log.sequenceOfOffset(key, offset, { end })?.sequence ?? end;
    try {
      const removed = await ctx.log.trim(key, { before });
      ctx.logger.info('kafka_records_deleted', { connection: conn.id, client: conn.clientId, principal: conn.principal, topic, before: offset, removed });
    } catch (error) {
      return answer(failure(ctx, conn, 'delete_records', topic, error));
    }
  }
  return answer(KafkaErrorCode.NONE, ctx.log.offsets(key, { end: ctx.log.durableSequence }).start);
}

/**
 * DeleteTopics v0-3: each topic's key is deleted (`log.deleteKey`): its records go, it leaves the
 * listings, and a later produce starts it again from offset 0. Every legal topic exists here, so
 * deleting one that holds nothing succeeds too. Consumer groups' committed offsets of the topic
 * are set to -1 ("none", what OffsetFetch answers for a topic without a commit), so a group
 * resumes by its `auto.offset.reset` rather than at an offset of the deleted records, as Kafka
 * drops them; and fetches waiting on the topic are answered at once (the offsets they wait at
 * are gone).
 *
 * A token needs `append` permission on the topic (as for odlog's own delete), else
 * TOPIC_AUTHORIZATION_FAILED. Topics are deleted one after another, in request order.
 */
export const deleteTopics: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = deleteTopicsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const responses: DeletableTopicResult[] = [];
  for (const name of request.topicNames) responses.push({ name, errorCode: await deleteTopic(ctx, conn, name) });
  return deleteTopicsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, responses });
};

async function deleteTopic(ctx: KafkaContext, conn: KafkaClientConnection, topic: string): Promise<number> {
  if (!isLegalTopicName(topic)) return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const key = Buffer.from(topic, 'latin1');
  if (!mayDelete(conn, topic, key)) return KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED;
  try {
    // Unconditional: an append queued before this request may not be visible yet, and goes too.
    const removed = await ctx.log.deleteKey(key);
    const groups = await forgetGroupOffsets(ctx, key);
    ctx.logger.info('kafka_topic_deleted', { connection: conn.id, client: conn.clientId, principal: conn.principal, topic, removed, groupOffsetsReset: groups });
  } catch (error) {
    return failure(ctx, conn, 'delete_topic', topic, error);
  }
  ctx.waiters.wakeKey(topic);
  return KafkaErrorCode.NONE;
}

/** Set every group's committed offset of `key` to -1; resolves with how many groups had one. */
async function forgetGroupOffsets(ctx: KafkaContext, key: Buffer): Promise<number> {
  let reset = 0;
  for (const group of ctx.log.groups.groups()) {
    const [stored] = ctx.log.groups.fetch(group, [key]);
    if (stored === undefined || stored.offset === -1) continue;
    await ctx.log.groups.commit(group, [{ key, offset: -1, metadata: '', leaderEpoch: -1 }]);
    reset++;
  }
  return reset;
}

function mayDelete(conn: KafkaClientConnection, topic: string, key: Buffer): boolean {
  if (conn.permissions.canAppend(key)) return true;
  conn.refuse(`delete_forbidden:${topic}`, { topic, reason: 'deleting records needs append permission on the topic' });
  return false;
}

function failure(ctx: KafkaContext, conn: KafkaClientConnection, what: string, topic: string, error: unknown): number {
  const code = kafkaCodeOf(error);
  if (code === KafkaErrorCode.UNKNOWN_SERVER_ERROR) ctx.logger.error(`kafka_${what}_failed`, { connection: conn.id, client: conn.clientId, topic, error: (error as Error)?.stack ?? String(error) });
  else conn.refuse(`${what}:${code}`, { topic, code: kafkaErrorName(code), reason: (error as Error).message });
  return code;
}
