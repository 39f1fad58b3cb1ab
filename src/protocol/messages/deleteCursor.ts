import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyResponse } from './empty.js';

/**
 * DeleteCursor (type 17): forget a named cursor (answered once that is on disk). A consumer that
 * still commits to the name creates it again. The same in every version. Errors: NOT_FOUND (no
 * cursor of that name), FORBIDDEN (the token may not read what it follows and is not admin).
 */
export const deleteCursorRequestSchema = {
  type: 'record',
  name: 'DeleteCursorRequest',
  namespace: 'odlog',
  fields: [{ name: 'name', type: 'string' }],
} as const satisfies AvroRecord;

export type DeleteCursorRequest = AvroValue<typeof deleteCursorRequestSchema>;

export const DeleteCursor = defineMessage(MessageType.DeleteCursor, 'DeleteCursor', everyVersion(published('delete-cursor.request', deleteCursorRequestSchema)), emptyResponse);
