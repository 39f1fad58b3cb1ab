/**
 * InitProducerId (key 22), versions 0-1: a producer id and epoch for an idempotent (or
 * transactional) producer.
 *
 *   InitProducerId Request (v0-v1)  => TransactionalId (nullable string) TransactionTimeoutMs (int32)
 *   InitProducerId Response (v0-v1) => ThrottleTimeMs (int32) ErrorCode (int16) ProducerId (int64) ProducerEpoch (int16)
 *
 * v1 only changes throttling semantics; its bytes are those of v0.
 */
import { ApiKey } from '../ApiKeys.js';
import { int16, int32, int64, nullableString } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface InitProducerIdRequest {
  /** null for an idempotent, non-transactional producer. */
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
}

const request = struct<InitProducerIdRequest>('InitProducerIdRequest', {
  transactionalId: { type: nullableString },
  transactionTimeoutMs: { type: int32 },
});

const response = struct<InitProducerIdResponse>('InitProducerIdResponse', {
  throttleTimeMs: { type: int32 },
  errorCode: { type: int16 },
  producerId: { type: int64 },
  producerEpoch: { type: int16 },
});

export const initProducerIdApi = new KafkaApi<InitProducerIdRequest, InitProducerIdResponse>(ApiKey.InitProducerId, request, response);
