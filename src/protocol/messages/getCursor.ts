import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * GetCursor (type 14): a named cursor, or null when no cursor has that name. FORBIDDEN when the
 * token may not read what it follows. The same in every version.
 */
export const getCursorRequestSchema = {
  type: 'record',
  name: 'GetCursorRequest',
  namespace: 'odlog',
  fields: [{ name: 'name', type: 'string' }],
} as const satisfies AvroRecord;

export const getCursorResponseSchema = {
  type: 'record',
  name: 'GetCursorResponse',
  namespace: 'odlog',
  fields: [
    {
      name: 'cursor',
      type: [
        'null',
        {
          type: 'record',
          name: 'Cursor',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'sequence', type: 'long' },
            { name: 'keys', type: { type: 'array', items: 'bytes' } },
            { name: 'prefix', type: ['null', 'bytes'] },
            { name: 'updatedAtMs', type: 'long' },
          ],
        },
      ],
      default: null,
    },
  ],
} as const satisfies AvroRecord;

export type GetCursorRequest = AvroValue<typeof getCursorRequestSchema>;
export type GetCursorResponse = AvroValue<typeof getCursorResponseSchema>;
export type CursorInfo = Exclude<GetCursorResponse['cursor'], null>;

export const GetCursor = defineMessage(MessageType.GetCursor, 'GetCursor', everyVersion(published('get-cursor.request', getCursorRequestSchema)), everyVersion(published('get-cursor.response', getCursorResponseSchema)));
