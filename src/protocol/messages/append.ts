import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Append (type 3): one batch, atomically: all records get contiguous sequences, or none is
 * written. The request and response are the same in every version; what changes is the record
 * batch inside `records` (record-batch.avsc in version 1, record-batch.v2.avsc with headers in
 * version 2; see batch/batchSchemas.ts).
 * Errors: INVALID_REQUEST, CONFLICT (with conflictKey/conflictLastSequence), THROTTLED, TIMEOUT,
 * STORAGE_ERROR, FORBIDDEN, SHUTTING_DOWN.
 */
export const appendRequestSchema = {
  type: 'record',
  name: 'AppendRequest',
  namespace: 'odlog',
  fields: [
    { name: 'producerId', type: ['null', 'string'], default: null, doc: 'With batchNumber: makes retries idempotent' },
    { name: 'batchNumber', type: 'long', default: 0, doc: 'Per producer, increasing; a retry reuses it' },
    {
      name: 'awaitDurable',
      type: 'boolean',
      default: false,
      doc: 'Answer only once the batch is on disk, even when the broker runs with async durability (with sync durability every answer is after the fsync anyway)',
    },
    {
      name: 'timeoutMs',
      type: 'int',
      default: 0,
      doc: "Wait this long for room in the broker's write queue (0: answer THROTTLED at once when it is full; negative: INVALID_REQUEST)",
    },
    {
      name: 'expect',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Expectation',
          fields: [
            { name: 'key', type: 'bytes' },
            { name: 'lastSequence', type: ['null', 'long'], doc: 'null: the key must have no entries' },
          ],
        },
      },
      default: [],
    },
    { name: 'records', type: 'bytes', doc: 'Avro encoding of record-batch.avsc (version 1) or record-batch.v2.avsc (version 2)' },
  ],
} as const satisfies AvroRecord;

export const appendResponseSchema = {
  type: 'record',
  name: 'AppendResponse',
  namespace: 'odlog',
  fields: [
    { name: 'startSequence', type: 'long' },
    { name: 'count', type: 'int' },
    { name: 'duplicate', type: 'boolean', doc: 'True when this was a retry answered with the original result' },
  ],
} as const satisfies AvroRecord;

export type AppendRequest = AvroValue<typeof appendRequestSchema>;
export type Expectation = AppendRequest['expect'][number];
export type AppendResponse = AvroValue<typeof appendResponseSchema>;

export const Append = defineMessage(MessageType.Append, 'Append', everyVersion(published('append.request', appendRequestSchema)), everyVersion(published('append.response', appendResponseSchema)));
