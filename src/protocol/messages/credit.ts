import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Credit: grant a subscription more records and bytes; the broker never sends beyond the grant.
 * Unsubscribe: end a subscription.
 *
 * Request (type 6): CreditRequest { subscriptionId: int, records: int, bytes: long }
 * Request (type 7): UnsubscribeRequest { subscriptionId: int }
 * Responses: EmptyResponse {}; NOT_FOUND for an unknown subscription.
 */
export interface CreditRequest {
  readonly subscriptionId: number;
  readonly records: number;
  readonly bytes: number;
}

export interface UnsubscribeRequest {
  readonly subscriptionId: number;
}

export type EmptyResponse = Record<string, never>;

export const Credit = defineMessage<CreditRequest, EmptyResponse>(MessageType.Credit, 'Credit', 'credit.request', 'empty.response');
export const Unsubscribe = defineMessage<UnsubscribeRequest, EmptyResponse>(MessageType.Unsubscribe, 'Unsubscribe', 'unsubscribe.request', 'empty.response');
