import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyResponse } from './empty.js';

/**
 * Unsubscribe (type 7): end a subscription; no push for it follows the response. Answered with
 * EmptyResponse; NOT_FOUND for an unknown subscription. The same in every version.
 */
export const unsubscribeRequestSchema = {
  type: 'record',
  name: 'UnsubscribeRequest',
  namespace: 'odlog',
  fields: [{ name: 'subscriptionId', type: 'int' }],
} as const satisfies AvroRecord;

export type UnsubscribeRequest = AvroValue<typeof unsubscribeRequestSchema>;

export const Unsubscribe = defineMessage(MessageType.Unsubscribe, 'Unsubscribe', everyVersion(published('unsubscribe.request', unsubscribeRequestSchema)), emptyResponse);
