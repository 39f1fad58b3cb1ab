import { initProducerIdApi } from '../../../protocol/kafka/apis/initProducerId.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { KafkaHandler } from '../KafkaHandler.js';

/**
 * InitProducerId v0-1: a producer id from the log's persisted counter (never repeated, even across
 * restarts), epoch 0. A transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * which every client treats as fatal (odlog has no transactions).
 */
export const initProducerId: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = initProducerIdApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const encode = (errorCode: number, producerId = -1, producerEpoch = -1): Buffer =>
    initProducerIdApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode, producerId, producerEpoch });
  if (request.transactionalId !== null) {
    conn.refuse('transactions', { transactionalId: request.transactionalId, reason: 'transactions are not supported (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); use an idempotent producer without transactional.id' });
    return encode(KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  return encode(KafkaErrorCode.NONE, await ctx.log.allocateProducerId(), 0);
};
