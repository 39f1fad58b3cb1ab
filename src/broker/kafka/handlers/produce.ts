import { produceApi, type ProducePartitionData, type ProducePartitionResponse, type ProduceRequest } from '../../../protocol/kafka/apis/produce.js';
import { KafkaErrorCode, kafkaErrorName } from '../../../protocol/kafka/KafkaErrorCode.js';
import { checkProducedBatch } from '../../../protocol/kafka/records/checkProducedBatch.js';
import { decodeRecordBatches } from '../../../protocol/kafka/records/decodeRecordBatches.js';
import { KafkaRecordBatchError } from '../../../protocol/kafka/records/KafkaRecordBatchError.js';
import type { KafkaRecordBatch } from '../../../protocol/kafka/records/RecordBatch.js';
import { StaleBatchError, type AppendOutput, type RecordBatch } from '../../../storage/index.js';
import { CloseConnection } from '../CloseConnection.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';
import { kafkaCodeOf } from '../KafkaErrors.js';
import { toStorageBatch } from '../RecordMapping.js';
import { isLegalTopicName } from '../TopicNames.js';

const validAcks = new Set([0, 1, -1]);

/**
 * Produce v3-7. Each partition's one record batch is checked (CRC-32C, structure, bounds),
 * decompressed (gzip, snappy, lz4; zstd refused with UNSUPPORTED_COMPRESSION_TYPE) and appended
 * to the topic's key as one atomic odlog batch through group commit; acks 1 and -1 are answered
 * once the append is acknowledged (durable in `sync` mode), acks 0 not at all (a failure then
 * closes the connection, as Kafka does). The answer carries the first record's offset and append
 * time (LogAppendTime).
 *
 * Every partition's append is started before anything is awaited, in request order, so batches
 * pipelined on one connection are appended in the order they were sent.
 */
export const produce: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = produceApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const pending = request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => producePartition(ctx, conn, request, topic.name, p)) }));
  const responses = await Promise.all(pending.map(async (t) => ({ name: t.name, partitions: await Promise.all(t.partitions) })));
  if (request.acks === 0) {
    const failed = responses.flatMap((t) => t.partitions.filter((p) => p.errorCode !== KafkaErrorCode.NONE).map((p) => `${t.name}-${p.partitionIndex}: ${kafkaErrorName(p.errorCode)}`));
    if (failed.length > 0) throw new CloseConnection(`a Produce with acks 0 failed (${failed.join(', ')}); the connection is closed so that the producer learns it`);
    return undefined;
  }
  return produceApi.encodeResponse(header.apiVersion, header.correlationId, { responses, throttleTimeMs: 0 });
};

function answer(partitionIndex: number, errorCode: number, baseOffset = -1, logAppendTimeMs = -1): ProducePartitionResponse {
  return { partitionIndex, errorCode, baseOffset, logAppendTimeMs, logStartOffset: -1 };
}

/** Check and start the append of one partition's batch; nothing is awaited before the append starts. */
function producePartition(ctx: KafkaContext, conn: KafkaClientConnection, request: ProduceRequest, topic: string, partition: ProducePartitionData): Promise<ProducePartitionResponse> | ProducePartitionResponse {
  const index = partition.partitionIndex;
  if (request.transactionalId !== null) {
    conn.refuse('transactions', { transactionalId: request.transactionalId, reason: 'transactions are not supported (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); use an idempotent producer without transactional.id' });
    return answer(index, KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  if (!validAcks.has(request.acks)) return answer(index, KafkaErrorCode.INVALID_REQUIRED_ACKS);
  if (!isLegalTopicName(topic)) return answer(index, KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
  if (index !== 0) return answer(index, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const key = Buffer.from(topic, 'latin1');
  if (key.length > ctx.log.recordBounds.keyBytesMax) return answer(index, KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!conn.permissions.canAppend(key)) {
    conn.refuse(`append_forbidden:${topic}`, { topic, reason: 'this token may not append to the topic' });
    return answer(index, KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
  }
  let batch: KafkaRecordBatch;
  let records: RecordBatch;
  try {
    batch = decodedBatch(ctx, partition.records);
    records = toStorageBatch(key, batch.records, ctx.config);
  } catch (error) {
    if (!(error instanceof KafkaRecordBatchError)) throw error;
    conn.refuse(`batch:${error.code}`, { topic, code: kafkaErrorName(error.kafkaErrorCode), reason: error.message });
    return answer(index, error.kafkaErrorCode);
  }
  if (batch.isTransactional) {
    conn.refuse('transactions', { reason: 'transactional batches are not supported (TRANSACTIONAL_ID_AUTHORIZATION_FAILED)' });
    return answer(index, KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  let producer: { id: string; batchNumber: number } | undefined;
  if (batch.producerId >= 0) {
    if (batch.producerEpoch < 0 || batch.baseSequence < 0) {
      conn.refuse('idempotent_fields', { topic, reason: `an idempotent batch needs a producer epoch and base sequence >= 0, got ${batch.producerEpoch} and ${batch.baseSequence}` });
      return answer(index, KafkaErrorCode.INVALID_RECORD);
    }
    const id = ctx.producers.odlogId(batch.producerId, batch.producerEpoch, topic);
    const verdict = ctx.producers.verdict(id, batch.baseSequence);
    if (verdict === 'gap') {
      conn.refuse(`sequence_gap:${id}`, { topic, producerId: batch.producerId, baseSequence: batch.baseSequence, reason: 'a batch before this one is missing (OUT_OF_ORDER_SEQUENCE_NUMBER)' });
      return answer(index, KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }
    ctx.producers.taken(id, batch.baseSequence, batch.records.length);
    producer = { id, batchNumber: batch.baseSequence };
  }
  return ctx.log.append(records, { producer, timeoutMs: request.timeoutMs > 0 ? request.timeoutMs : undefined }).then(
    (output) => answerAppended(ctx, index, output, records.payloadBytes),
    (error: unknown) => failed(ctx, conn, topic, index, error, producer),
  );
}

/** The partition's one batch, decoded and checked. Throws KafkaRecordBatchError. */
function decodedBatch(ctx: KafkaContext, bytes: Uint8Array | null): KafkaRecordBatch {
  if (bytes === null) throw new KafkaRecordBatchError('INVALID_RECORD', 'the partition carries no records (null)');
  const batches = decodeRecordBatches(bytes, { recordsMax: ctx.config.batchRecordsMax });
  if (batches.length !== 1) throw new KafkaRecordBatchError('INVALID_RECORD', `a partition of a Produce request carries exactly one record batch (magic 2), got ${batches.length}`);
  checkProducedBatch(batches[0]);
  return batches[0];
}

/** The batch's base offset and append time come with the append (a retry is answered with its original ones). */
function answerAppended(ctx: KafkaContext, index: number, output: AppendOutput, payloadBytes: number): ProducePartitionResponse {
  if (output.duplicate !== true) ctx.stats.appended(output.count, payloadBytes);
  return answer(index, KafkaErrorCode.NONE, output.offset, output.timestamp);
}

function failed(ctx: KafkaContext, conn: KafkaClientConnection, topic: string, index: number, error: unknown, producer: { id: string } | undefined): ProducePartitionResponse {
  // Older than storage's window for this producer: taken before, and no longer placeable. Kafka's answer for such a duplicate.
  if (producer !== undefined && error instanceof StaleBatchError) return answer(index, KafkaErrorCode.DUPLICATE_SEQUENCE_NUMBER);
  if (producer !== undefined) ctx.producers.forget(producer.id);
  const code = kafkaCodeOf(error);
  if (code === KafkaErrorCode.UNKNOWN_SERVER_ERROR) ctx.logger.error('kafka_append_failed', { connection: conn.id, client: conn.clientId, topic, error: (error as Error)?.stack ?? String(error) });
  else conn.refuse(`append:${code}`, { topic, code: kafkaErrorName(code), reason: (error as Error).message });
  return answer(index, code);
}
