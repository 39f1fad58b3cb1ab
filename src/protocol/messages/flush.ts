import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyRequest } from './empty.js';

/**
 * Flush (type 12): wait until every append made before it has settled and everything committed is
 * on disk; `durableSequence` is the exclusive end of the durable log. The same in every version.
 */
export const flushResponseSchema = {
  type: 'record',
  name: 'FlushResponse',
  namespace: 'odlog',
  fields: [{ name: 'durableSequence', type: 'long' }],
} as const satisfies AvroRecord;

export type FlushResponse = AvroValue<typeof flushResponseSchema>;

export const Flush = defineMessage(MessageType.Flush, 'Flush', emptyRequest, everyVersion(published('flush.response', flushResponseSchema)));
