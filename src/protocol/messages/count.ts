import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Count (type 8): the exact number of a key's entries with sequence in [start, end). The same in
 * every version. Errors: INVALID_REQUEST, FORBIDDEN.
 */
export const countRequestSchema = {
  type: 'record',
  name: 'CountRequest',
  namespace: 'odlog',
  fields: [
    { name: 'key', type: 'bytes' },
    { name: 'start', type: 'long', default: 0 },
    { name: 'end', type: ['null', 'long'], default: null },
  ],
} as const satisfies AvroRecord;

export const countResponseSchema = {
  type: 'record',
  name: 'CountResponse',
  namespace: 'odlog',
  fields: [{ name: 'count', type: 'long' }],
} as const satisfies AvroRecord;

export type CountRequest = AvroValue<typeof countRequestSchema>;
export type CountResponse = AvroValue<typeof countResponseSchema>;

export const Count = defineMessage(MessageType.Count, 'Count', everyVersion(published('count.request', countRequestSchema)), everyVersion(published('count.response', countResponseSchema)));
