import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * ListKeys: a page of the distinct keys in a range of segments, sorted bytewise.
 *
 * Request (type 9): ListKeysRequest { startSegment: null|long, endSegment: null|long,
 *   prefix: null|bytes, after: null|bytes, limit: int }
 * Response (type 9, RESPONSE): ListKeysResponse { keys: array<bytes>, more: boolean }
 */
export interface ListKeysRequest {
  readonly startSegment: number | null;
  readonly endSegment: number | null;
  readonly prefix: Buffer | null;
  readonly after: Buffer | null;
  readonly limit: number;
}

export interface ListKeysResponse {
  readonly keys: Buffer[];
  readonly more: boolean;
}

export const ListKeys = defineMessage<ListKeysRequest, ListKeysResponse>(MessageType.ListKeys, 'ListKeys', 'list-keys.request', 'list-keys.response');
