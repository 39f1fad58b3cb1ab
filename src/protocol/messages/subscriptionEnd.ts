import { definePush } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * SubscriptionEnd (push, type 33): the broker ended a subscription on its own (at shutdown:
 * SHUTTING_DOWN); resume with a new Subscribe from `nextSequence`. The same in every version.
 */
export const subscriptionEndSchema = {
  type: 'record',
  name: 'SubscriptionEnd',
  namespace: 'odlog',
  doc: 'Pushed when the broker ends a subscription on its own (today: shutdown, code SHUTTING_DOWN). Resume with a new Subscribe from nextSequence.',
  fields: [
    { name: 'code', type: 'int' },
    { name: 'message', type: 'string' },
    { name: 'nextSequence', type: 'long', doc: 'Resume here' },
  ],
} as const satisfies AvroRecord;

export type SubscriptionEnd = AvroValue<typeof subscriptionEndSchema>;

export const SubscriptionEndPush = definePush(MessageType.SubscriptionEnd, 'SubscriptionEnd', everyVersion(published('subscription-end.push', subscriptionEndSchema)));
