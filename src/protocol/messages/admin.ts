import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { EmptyResponse } from './credit.js';

/**
 * Seal, Flush: bodyless requests.
 *
 * Request (type 11): EmptyRequest {}   seal the active segment
 * Response: EmptyResponse {}
 * Request (type 12): EmptyRequest {}   make everything committed durable
 * Response: FlushResponse { durableSequence: long }
 */
export type EmptyRequest = Record<string, never>;

export interface FlushResponse {
  readonly durableSequence: number;
}

export const Seal = defineMessage<EmptyRequest, EmptyResponse>(MessageType.Seal, 'Seal', 'empty.request', 'empty.response');
export const Flush = defineMessage<EmptyRequest, FlushResponse>(MessageType.Flush, 'Flush', 'empty.request', 'flush.response');
