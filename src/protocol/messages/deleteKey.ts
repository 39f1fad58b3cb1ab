import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * DeleteKey (type 20): remove every entry of a key and the key from the listings (an entity's
 * erasure; Redis DEL, Kafka DeleteTopics), durably and atomically; answered once the deletion is
 * on disk with how many entries went. A later append to the key starts a fresh stream: offsets
 * from 0 again, sequences above everything before. The same in every version. Errors:
 * INVALID_REQUEST, FORBIDDEN (the token may not append to the key).
 *
 * ```
 * 0000000f 14 02 0000 0000000d | 0c 6f7264657273
 * length 15, DeleteKey, version 2, request, #13 | key "orders"
 * 00000009 14 02 0001 0000000d | 0a
 * length 9, DeleteKey, version 2, response, #13 | removed 5
 * ```
 */
export const deleteKeyRequestSchema = {
  type: 'record',
  name: 'DeleteKeyRequest',
  namespace: 'odlog',
  fields: [{ name: 'key', type: 'bytes' }],
} as const satisfies AvroRecord;

export const deleteKeyResponseSchema = {
  type: 'record',
  name: 'DeleteKeyResponse',
  namespace: 'odlog',
  fields: [{ name: 'removed', type: 'long', doc: 'How many entries went' }],
} as const satisfies AvroRecord;

export type DeleteKeyRequest = AvroValue<typeof deleteKeyRequestSchema>;
export type DeleteKeyResponse = AvroValue<typeof deleteKeyResponseSchema>;

export const DeleteKey = defineMessage(
  MessageType.DeleteKey,
  'DeleteKey',
  everyVersion(published('delete-key.request', deleteKeyRequestSchema)),
  everyVersion(published('delete-key.response', deleteKeyResponseSchema)),
);
