import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * ResetCursor (type 18): move an existing named cursor (what it follows is kept), as
 * `kafka-consumer-groups --reset-offsets` does; answered once it is on disk. A consumer that
 * still commits to it moves it again. The same in every version. Errors: NOT_FOUND, FORBIDDEN,
 * INVALID_REQUEST.
 */
export const resetCursorRequestSchema = {
  type: 'record',
  name: 'ResetCursorRequest',
  namespace: 'odlog',
  fields: [
    { name: 'name', type: 'string' },
    {
      name: 'to',
      type: { type: 'enum', name: 'CursorTarget', symbols: ['EARLIEST', 'LATEST', 'SEQUENCE', 'TIME'] },
      doc: 'EARLIEST: 0 (everything still stored); LATEST: the end of the log now; SEQUENCE: the sequence field; TIME: the first entry appended at or after timeMs',
    },
    { name: 'sequence', type: 'long', default: 0, doc: 'The position when to = SEQUENCE; >= 0' },
    { name: 'timeMs', type: 'long', default: 0, doc: 'When to = TIME: ms since the epoch' },
  ],
} as const satisfies AvroRecord;

export const resetCursorResponseSchema = {
  type: 'record',
  name: 'ResetCursorResponse',
  namespace: 'odlog',
  fields: [
    { name: 'previousSequence', type: 'long', doc: 'Where it was' },
    { name: 'sequence', type: 'long', doc: 'Where it is now' },
  ],
} as const satisfies AvroRecord;

export type ResetCursorRequest = AvroValue<typeof resetCursorRequestSchema>;
export type CursorTarget = ResetCursorRequest['to'];
export type ResetCursorResponse = AvroValue<typeof resetCursorResponseSchema>;

export const ResetCursor = defineMessage(
  MessageType.ResetCursor,
  'ResetCursor',
  everyVersion(published('reset-cursor.request', resetCursorRequestSchema)),
  everyVersion(published('reset-cursor.response', resetCursorResponseSchema)),
);
