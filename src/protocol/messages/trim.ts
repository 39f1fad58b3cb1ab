import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Trim (type 19): remove a key's entries below a sequence (Kafka DeleteRecords, Redis XTRIM
 * MINID), durably and atomically; answered once the trim is on disk with how many entries went.
 * Offsets of what remains do not change. The same in every version. Errors: INVALID_REQUEST,
 * FORBIDDEN (the token may not append to the key).
 *
 * ```
 * 00000010 13 02 0000 0000000c | 0c 6f7264657273 | 54
 * length 16, Trim, version 2, request, #12 | key "orders" | beforeSequence 42
 * 00000009 13 02 0001 0000000c | 06
 * length 9, Trim, version 2, response, #12 | removed 3
 * ```
 */
export const trimRequestSchema = {
  type: 'record',
  name: 'TrimRequest',
  namespace: 'odlog',
  fields: [
    { name: 'key', type: 'bytes' },
    { name: 'beforeSequence', type: 'long', doc: 'Entries of the key with a sequence below this go; >= 0' },
  ],
} as const satisfies AvroRecord;

export const trimResponseSchema = {
  type: 'record',
  name: 'TrimResponse',
  namespace: 'odlog',
  fields: [{ name: 'removed', type: 'long', doc: 'How many entries went' }],
} as const satisfies AvroRecord;

export type TrimRequest = AvroValue<typeof trimRequestSchema>;
export type TrimResponse = AvroValue<typeof trimResponseSchema>;

export const Trim = defineMessage(MessageType.Trim, 'Trim', everyVersion(published('trim.request', trimRequestSchema)), everyVersion(published('trim.response', trimResponseSchema)));
