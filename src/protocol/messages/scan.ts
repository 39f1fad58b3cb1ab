import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Scan (type 4): a page of one key's entries in [start, end), optionally long-polling for the
 * first one; `nextSequence` is a lossless resume cursor.
 * Errors: INVALID_REQUEST, FORBIDDEN.
 */
const scanRequestV1Fields = [
  { name: 'key', type: 'bytes' },
  { name: 'start', type: 'long', default: 0 },
  { name: 'end', type: ['null', 'long'], default: null, doc: 'Exclusive; null: unbounded' },
  { name: 'limit', type: 'int', default: 1000 },
  { name: 'maxBytes', type: 'int', default: 1048576 },
  { name: 'maxWaitMs', type: 'int', default: 0, doc: 'Long-poll: if nothing is there yet, wait up to this long for an entry' },
] as const;

export const scanRequestV1Schema = {
  type: 'record',
  name: 'ScanRequest',
  namespace: 'odlog',
  fields: scanRequestV1Fields,
} as const satisfies AvroRecord;

export const scanResponseSchema = {
  type: 'record',
  name: 'ScanResponse',
  namespace: 'odlog',
  fields: [
    { name: 'entries', type: 'bytes', doc: 'Avro encoding of key-entry-batch.avsc' },
    { name: 'nextSequence', type: 'long', doc: 'Lossless resume cursor' },
  ],
} as const satisfies AvroRecord;

export type ScanRequest = AvroValue<typeof scanRequestV1Schema>;
export type ScanResponse = AvroValue<typeof scanResponseSchema>;

export const Scan = defineMessage(
  MessageType.Scan,
  'Scan',
  everyVersion(published('scan.request', scanRequestV1Schema)),
  everyVersion(published('scan.response', scanResponseSchema)),
);
