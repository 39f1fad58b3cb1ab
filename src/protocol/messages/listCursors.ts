import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * ListCursors (type 16): a page of named cursors, sorted by name (bytewise), each with its
 * position and lag. A token sees the cursors it may read every key of; an admin token sees all.
 * The same in every version. Errors: INVALID_REQUEST.
 */
export const listCursorsRequestSchema = {
  type: 'record',
  name: 'ListCursorsRequest',
  namespace: 'odlog',
  fields: [
    { name: 'prefix', type: ['null', 'string'], default: null, doc: 'Only cursors whose name starts with this' },
    { name: 'after', type: ['null', 'string'], default: null, doc: 'Page on: only names after this one (the last name of the previous page)' },
    { name: 'limit', type: 'int', default: 100, doc: 'Most cursors in the page; clamped to 1..1000' },
  ],
} as const satisfies AvroRecord;

export const listCursorsResponseSchema = {
  type: 'record',
  name: 'ListCursorsResponse',
  namespace: 'odlog',
  fields: [
    {
      name: 'cursors',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'CursorState',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'sequence', type: 'long', doc: 'Everything it follows below it is processed' },
            { name: 'keys', type: { type: 'array', items: 'bytes' }, doc: 'The keys it follows (empty when it follows a prefix)' },
            { name: 'prefix', type: ['null', 'bytes'], doc: 'The prefix it follows (null when it follows keys)' },
            { name: 'updatedAtMs', type: 'long', doc: 'When it was last committed (ms since the epoch)' },
            { name: 'lagRecords', type: 'long', doc: 'Entries it follows at or after its sequence' },
            { name: 'lagIsLowerBound', type: 'boolean', doc: 'True when counting stopped at a bound (a prefix over very many keys)' },
          ],
        },
      },
    },
    { name: 'more', type: 'boolean', doc: 'True when the page was cut: ask again with after = the last name' },
  ],
} as const satisfies AvroRecord;

export type ListCursorsRequest = AvroValue<typeof listCursorsRequestSchema>;
export type ListCursorsResponse = AvroValue<typeof listCursorsResponseSchema>;
export type CursorState = ListCursorsResponse['cursors'][number];

export const ListCursors = defineMessage(
  MessageType.ListCursors,
  'ListCursors',
  everyVersion(published('list-cursors.request', listCursorsRequestSchema)),
  everyVersion(published('list-cursors.response', listCursorsResponseSchema)),
);
