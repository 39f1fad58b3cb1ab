import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyResponse } from './empty.js';

/**
 * CommitCursor (type 13): store a named consumer position durably in the broker (answered once it
 * is on disk). Committing again overwrites it. The same in every version. Errors: INVALID_REQUEST,
 * FORBIDDEN.
 */
export const commitCursorRequestSchema = {
  type: 'record',
  name: 'CommitCursorRequest',
  namespace: 'odlog',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'sequence', type: 'long', doc: 'Everything followed below it is processed' },
    { name: 'keys', type: { type: 'array', items: 'bytes' }, default: [] },
    { name: 'prefix', type: ['null', 'bytes'], default: null },
  ],
} as const satisfies AvroRecord;

export type CommitCursorRequest = AvroValue<typeof commitCursorRequestSchema>;

export const CommitCursor = defineMessage(MessageType.CommitCursor, 'CommitCursor', everyVersion(published('commit-cursor.request', commitCursorRequestSchema)), emptyResponse);
