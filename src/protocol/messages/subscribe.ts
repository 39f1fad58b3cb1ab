import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { byVersion, everyVersion, published } from '../schema/BodySchema.js';

/**
 * Subscribe (type 5): follow keys (or a prefix) from a point; the broker pushes SubscriptionBatch
 * frames (correlation id = subscription id) in global sequence order, never beyond the credit
 * granted. Version 2 may start at a time (`from = TIME`, `timeMs`), and its pushes carry entries
 * with offset, timestamp and headers. Errors: INVALID_REQUEST, FORBIDDEN, LIMIT_EXCEEDED.
 */
const subscribeHead = [
  {
    name: 'subscriptionId',
    type: 'int',
    doc: 'Chosen by the client, 1..2^31-1 (0 and negative: INVALID_REQUEST), unique on its connection: tags this subscription\'s pushes (their correlation id), so the client can route pushes that follow the response at once',
  },
  { name: 'keys', type: { type: 'array', items: 'bytes' }, default: [], doc: 'Follow these keys (or give prefix)' },
  { name: 'prefix', type: ['null', 'bytes'], default: null, doc: 'Follow every key starting with this' },
] as const;

const subscribeTail = [
  { name: 'sequence', type: 'long', default: 0, doc: 'Start here when from = SEQUENCE' },
  { name: 'cursor', type: ['null', 'string'], default: null, doc: 'Start at this named cursor if it exists (else as from says)' },
  { name: 'creditRecords', type: 'int', default: 0, doc: 'Initial record credit, >= 0 (negative: INVALID_REQUEST)' },
  { name: 'creditBytes', type: 'long', default: 0, doc: 'Initial byte credit (key + value bytes), >= 0 (negative: INVALID_REQUEST); capped at 2^53 - 2' },
] as const;

export const subscribeRequestV1Schema = {
  type: 'record',
  name: 'SubscribeRequest',
  namespace: 'odlog',
  fields: [...subscribeHead, { name: 'from', type: { type: 'enum', name: 'StartFrom', symbols: ['EARLIEST', 'LATEST', 'SEQUENCE'] }, default: 'LATEST' }, ...subscribeTail],
} as const satisfies AvroRecord;

export const subscribeRequestV2Schema = {
  type: 'record',
  name: 'SubscribeRequest',
  namespace: 'odlog',
  fields: [
    ...subscribeHead,
    { name: 'from', type: { type: 'enum', name: 'StartFrom', symbols: ['EARLIEST', 'LATEST', 'SEQUENCE', 'TIME'] }, default: 'LATEST', doc: 'Version 2 adds TIME' },
    ...subscribeTail,
    { name: 'timeMs', type: 'long', default: 0, doc: 'Version 2: when from = TIME, start at the first entry of the log appended at or after this time (ms since the epoch)' },
  ],
} as const satisfies AvroRecord;

export const subscribeResponseSchema = {
  type: 'record',
  name: 'SubscribeResponse',
  namespace: 'odlog',
  fields: [
    { name: 'subscriptionId', type: 'int', doc: "Echo of the request's subscriptionId" },
    { name: 'startSequence', type: 'long' },
  ],
} as const satisfies AvroRecord;

export type SubscribeRequest = AvroValue<typeof subscribeRequestV2Schema>;
export type StartFrom = SubscribeRequest['from'];
export type SubscribeResponse = AvroValue<typeof subscribeResponseSchema>;

export const Subscribe = defineMessage(
  MessageType.Subscribe,
  'Subscribe',
  byVersion({ 1: published('subscribe.request', subscribeRequestV1Schema), 2: published('subscribe.request.v2', subscribeRequestV2Schema) }),
  everyVersion(published('subscribe.response', subscribeResponseSchema)),
);
