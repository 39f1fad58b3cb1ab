import { definePush } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * SubscriptionBatch (push, type 32, flag PUSH, correlation id = subscription id): entries of a
 * subscription in global sequence order, never beyond its credit. The same in every version;
 * `entries` holds entry-batch.avsc (version 1) or entry-batch.v2.avsc (version 2), in the version
 * of the Subscribe that started the subscription.
 */
export const subscriptionBatchSchema = {
  type: 'record',
  name: 'SubscriptionBatch',
  namespace: 'odlog',
  doc: 'Pushed (flag PUSH, correlation id = subscription id). Never exceeds the granted credit.',
  fields: [
    { name: 'entries', type: 'bytes', doc: 'Avro encoding of entry-batch.avsc (version 1) or entry-batch.v2.avsc (version 2)' },
    { name: 'nextSequence', type: 'long', doc: 'Everything this subscription follows below it has been sent' },
  ],
} as const satisfies AvroRecord;

export type SubscriptionBatch = AvroValue<typeof subscriptionBatchSchema>;

export const SubscriptionBatchPush = definePush(MessageType.SubscriptionBatch, 'SubscriptionBatch', everyVersion(published('subscription-batch.push', subscriptionBatchSchema)));
