import { listOffsetsApi, ListOffsetsTimestamp, type ListOffsetsPartitionResponse } from '../../../protocol/kafka/apis/listOffsets.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import { isLegalTopicName } from '../TopicNames.js';

/**
 * ListOffsets v1-5 over durable records: latest (-1) is the high watermark, earliest (-2) the log
 * start, a time T the offset (and append time) of the first record appended at or after T, or
 * offset -1 when there is none (Kafka's answer; clients then start at the end).
 */
export const listOffsets: KafkaHandler = (ctx, conn, header, payload) => {
  const request = listOffsetsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const end = ctx.log.durableSequence;
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p): ListOffsetsPartitionResponse => {
      const answer = (errorCode: number, offset = -1, timestamp = -1): ListOffsetsPartitionResponse => ({ partitionIndex: p.partitionIndex, errorCode, timestamp, offset, leaderEpoch: -1 });
      if (!isLegalTopicName(topic.name) || p.partitionIndex !== 0) return answer(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const key = Buffer.from(topic.name, 'latin1');
      if (!conn.permissions.canRead(key)) {
        conn.refuse(`read_forbidden:${topic.name}`, { topic: topic.name, reason: 'this token may not read the topic' });
        return answer(KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
      }
      if (p.timestamp === ListOffsetsTimestamp.latest) return answer(KafkaErrorCode.NONE, ctx.log.offsets(key, { end }).end);
      if (p.timestamp === ListOffsetsTimestamp.earliest) return answer(KafkaErrorCode.NONE, ctx.log.offsets(key, { end }).start);
      if (p.timestamp < 0) return answer(KafkaErrorCode.UNSUPPORTED_VERSION);
      const found = ctx.log.entryAtTime(key, p.timestamp, { end });
      if (found === undefined) return answer(KafkaErrorCode.NONE);
      const entry = ctx.log.scan(key, { start: found.sequence, end: found.sequence + 1 }, { limit: 1 }).nextSync();
      return answer(KafkaErrorCode.NONE, found.offset, entry.done === true ? p.timestamp : entry.value.timestamp);
    }),
  }));
  return listOffsetsApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, topics });
};
