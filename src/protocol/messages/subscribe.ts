import { defineMessage, definePush } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Subscribe: follow keys (or a prefix) from a point; the broker pushes SubscriptionBatch frames
 * (type 32, flag PUSH, correlation id = subscription id) in global sequence order, never beyond
 * the credit granted (records and bytes, counted as key + value bytes). Credit adds to it.
 *
 * Request (type 5): SubscribeRequest { subscriptionId: int, keys: array<bytes>, prefix: null|bytes,
 *   from: enum { EARLIEST, LATEST, SEQUENCE }, sequence: long, cursor: null|string,
 *   creditRecords: int, creditBytes: long }
 * Response (type 5, RESPONSE): SubscribeResponse { subscriptionId: int, startSequence: long }
 * Push (type 32): SubscriptionBatch { entries: bytes (entry-batch.avsc), nextSequence: long }
 * Push (type 33): SubscriptionEnd { code: int, message: string, nextSequence: long }
 */
export type StartFrom = 'EARLIEST' | 'LATEST' | 'SEQUENCE';

export interface SubscribeRequest {
  /** Chosen by the client, unique on its connection; tags the pushes. */
  readonly subscriptionId: number;
  readonly keys: Buffer[];
  readonly prefix: Buffer | null;
  readonly from: StartFrom;
  readonly sequence: number;
  readonly cursor: string | null;
  readonly creditRecords: number;
  readonly creditBytes: number;
}

export interface SubscribeResponse {
  readonly subscriptionId: number;
  readonly startSequence: number;
}

export interface SubscriptionBatch {
  readonly entries: Buffer;
  readonly nextSequence: number;
}

export interface SubscriptionEnd {
  readonly code: number;
  readonly message: string;
  readonly nextSequence: number;
}

export const Subscribe = defineMessage<SubscribeRequest, SubscribeResponse>(MessageType.Subscribe, 'Subscribe', 'subscribe.request', 'subscribe.response');
export const SubscriptionBatchPush = definePush<SubscriptionBatch>(MessageType.SubscriptionBatch, 'SubscriptionBatch', 'subscription-batch.push');
export const SubscriptionEndPush = definePush<SubscriptionEnd>(MessageType.SubscriptionEnd, 'SubscriptionEnd', 'subscription-end.push');
