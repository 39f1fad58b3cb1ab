import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Count: exact number of a key's entries in [start, end).
 *
 * Request (type 8): CountRequest { key: bytes, start: long, end: null|long }
 * Response (type 8, RESPONSE): CountResponse { count: long }
 */
export interface CountRequest {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number | null;
}

export interface CountResponse {
  readonly count: number;
}

export const Count = defineMessage<CountRequest, CountResponse>(MessageType.Count, 'Count', 'count.request', 'count.response');
