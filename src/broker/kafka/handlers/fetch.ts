import { limits } from '../../../limits.js';
import { fetchApi, type FetchPartitionResponse, type FetchRequest, type FetchTopicResponse } from '../../../protocol/kafka/apis/fetch.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import { encodeFetchRecordBatches, type RecordToEncode } from '../../../protocol/kafka/records/encodeRecordBatch.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';
import { toKafkaRecord } from '../RecordMapping.js';
import { isLegalTopicName } from '../TopicNames.js';

/** Empty record bytes (not null: librdkafka refuses a null record set, and Kafka never sends one). */
const noRecords = Buffer.alloc(0);

/** What one read of every requested partition gave. */
interface FetchRead {
  readonly responses: FetchTopicResponse[];
  readonly bytes: number;
  /** A partition answered with an error: Kafka answers at once then. */
  readonly failed: boolean;
}

/**
 * Fetch v4-11: records of each partition from its fetch offset, as uncompressed LogAppendTime
 * batches. Only durable records are served: every read ends at `log.durableSequence`, so the
 * high watermark (and last stable offset) is the number of durable records of the key. An offset
 * below the log start or above the high watermark is OFFSET_OUT_OF_RANGE.
 *
 * Long-poll: while fewer than MinBytes are found, the request waits (up to MaxWaitMs) for a
 * commit touching one of its topics, then reads again; in `async` mode a commit becomes durable
 * after it is visible, so the wait then also ends when the log's durable end passes it.
 *
 * Fetch sessions are not kept: every answer carries session id 0, which clients take as "no
 * session" and go on with full fetches.
 */
export const fetch: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = fetchApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const encode = (responses: FetchTopicResponse[], errorCode: number = KafkaErrorCode.NONE): Buffer =>
    fetchApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode, sessionId: 0, responses });
  if (request.sessionId !== 0) return encode([], KafkaErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  const deadline = Date.now() + Math.min(Math.max(0, request.maxWaitMs), limits.kafkaFetchWaitMsMax);
  // Legal topic names are ASCII: the name is the key's latin1 string, as commits name keys.
  const keys = [...new Set(request.topics.filter((t) => isLegalTopicName(t.topic)).map((t) => t.topic))];
  for (;;) {
    const read = readPartitions(ctx, conn, request);
    const remaining = deadline - Date.now();
    if (read.bytes >= request.minBytes || read.failed || remaining <= 0 || keys.length === 0 || ctx.shuttingDown || ctx.log.isClosed) return encode(read.responses);
    // Registered in the same tick as the read: no commit can slip in between unseen.
    const wait = ctx.waiters.wait(keys, remaining, conn);
    const log = ctx.log;
    if (log.durableSequence < log.visibleSequence) {
      // Visible but not yet durable (async mode): no later commit may come to wake us for it.
      log.whenDurable(log.visibleSequence - 1).then(wait.cancel, wait.cancel);
    }
    await wait.done;
    if (ctx.log.isClosed || !conn.authenticated) return encode(read.responses);
  }
};

function readPartitions(ctx: KafkaContext, conn: KafkaClientConnection, request: FetchRequest): FetchRead {
  const end = ctx.log.durableSequence;
  let budget = Math.max(1, Math.min(request.maxBytes, limits.kafkaFetchResponseBytesMax));
  let bytes = 0;
  let failed = false;
  const responses = request.topics.map((topic) => ({
    topic: topic.topic,
    partitions: topic.partitions.map((p): FetchPartitionResponse => {
      const base = { partitionIndex: p.partition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: noRecords };
      const refused = (errorCode: number): FetchPartitionResponse => {
        failed = true;
        return { ...base, errorCode };
      };
      if (!isLegalTopicName(topic.topic) || p.partition !== 0) return refused(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const key = Buffer.from(topic.topic, 'latin1');
      if (!conn.permissions.canRead(key)) {
        conn.refuse(`read_forbidden:${topic.topic}`, { topic: topic.topic, reason: 'this token may not read the topic' });
        return refused(KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
      }
      const offsets = ctx.log.offsets(key, { end });
      const known = { ...base, highWatermark: offsets.end, lastStableOffset: offsets.end, logStartOffset: offsets.start };
      if (p.fetchOffset < offsets.start || p.fetchOffset > offsets.end) {
        failed = true;
        return { ...known, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE };
      }
      if (p.fetchOffset === offsets.end || budget <= 0) return { ...known, errorCode: KafkaErrorCode.NONE };
      const records = readRecords(ctx, key, p.fetchOffset, end, Math.max(1, Math.min(p.partitionMaxBytes, budget)));
      if (records === undefined) return { ...known, errorCode: KafkaErrorCode.NONE };
      budget -= records.length;
      bytes += records.length;
      return { ...known, errorCode: KafkaErrorCode.NONE, records };
    }),
  }));
  return { responses, bytes, failed };
}

/** Record batches of `key` from `offset`, below sequence `end`, of about `maxBytes` (at least one record). */
function readRecords(ctx: KafkaContext, key: Buffer, offset: number, end: number, maxBytes: number): Buffer | undefined {
  const start = ctx.log.sequenceOfOffset(key, offset, { end });
  if (start === undefined) return undefined;
  const iterator = ctx.log.scan(key, { start: start.sequence, end }, { limit: limits.kafkaFetchRecordsMax, maxBytes });
  const records: RecordToEncode[] = [];
  let first = -1;
  for (let r = iterator.nextSync(); r.done !== true; r = iterator.nextSync()) {
    if (first < 0) first = r.value.offset;
    records.push(toKafkaRecord(r.value));
  }
  return records.length === 0 ? undefined : encodeFetchRecordBatches(first, records);
}
