import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyResponse } from './empty.js';

/**
 * Credit (type 6): grant a subscription more records and bytes; the broker never pushes beyond
 * what was granted. Answered with EmptyResponse; NOT_FOUND for an unknown subscription. The same
 * in every version.
 */
export const creditRequestSchema = {
  type: 'record',
  name: 'CreditRequest',
  namespace: 'odlog',
  fields: [
    { name: 'subscriptionId', type: 'int' },
    { name: 'records', type: 'int', doc: 'Records added to the credit, >= 0 (negative: INVALID_REQUEST); the credit is capped at 2^31 - 1' },
    { name: 'bytes', type: 'long', doc: 'Key + value bytes added to the credit, >= 0 (negative: INVALID_REQUEST); the credit is capped at 2^53 - 2' },
  ],
} as const satisfies AvroRecord;

export type CreditRequest = AvroValue<typeof creditRequestSchema>;

export const Credit = defineMessage(MessageType.Credit, 'Credit', everyVersion(published('credit.request', creditRequestSchema)), emptyResponse);
