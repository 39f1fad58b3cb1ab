import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * ListKeys (type 9): a page of the distinct keys with entries in a range of segments, sorted
 * bytewise; a token limited to some read prefixes sees only keys under them. The same in every
 * version.
 */
export const listKeysRequestSchema = {
  type: 'record',
  name: 'ListKeysRequest',
  namespace: 'odlog',
  fields: [
    { name: 'startSegment', type: ['null', 'long'], default: null },
    { name: 'endSegment', type: ['null', 'long'], default: null, doc: 'Exclusive' },
    { name: 'prefix', type: ['null', 'bytes'], default: null },
    { name: 'after', type: ['null', 'bytes'], default: null, doc: 'Page on: the last key of the previous page' },
    { name: 'limit', type: 'int', default: 1000 },
  ],
} as const satisfies AvroRecord;

export const listKeysResponseSchema = {
  type: 'record',
  name: 'ListKeysResponse',
  namespace: 'odlog',
  fields: [
    { name: 'keys', type: { type: 'array', items: 'bytes' } },
    { name: 'more', type: 'boolean', doc: 'True when the page was cut at its limit: ask again with after = last key' },
  ],
} as const satisfies AvroRecord;

export type ListKeysRequest = AvroValue<typeof listKeysRequestSchema>;
export type ListKeysResponse = AvroValue<typeof listKeysResponseSchema>;

export const ListKeys = defineMessage(MessageType.ListKeys, 'ListKeys', everyVersion(published('list-keys.request', listKeysRequestSchema)), everyVersion(published('list-keys.response', listKeysResponseSchema)));
