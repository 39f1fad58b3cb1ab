import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { byVersion, everyVersion, published } from '../schema/BodySchema.js';

/**
 * Scan (type 4): a page of one key's entries in [start, end), optionally long-polling for the
 * first one; `nextSequence` is a lossless resume cursor. Version 2 may start at a time
 * (`startTimeMs`), and its entries (key-entry-batch.v2.avsc) carry offset, timestamp and headers.
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

export const scanRequestV2Schema = {
  type: 'record',
  name: 'ScanRequest',
  namespace: 'odlog',
  fields: [
    ...scanRequestV1Fields,
    {
      name: 'startTimeMs',
      type: ['null', 'long'],
      default: null,
      doc: "Version 2: start at the key's first entry appended at or after this time (ms since the epoch), if that is after start; null: start as start says",
    },
  ],
} as const satisfies AvroRecord;

export const scanResponseSchema = {
  type: 'record',
  name: 'ScanResponse',
  namespace: 'odlog',
  fields: [
    { name: 'entries', type: 'bytes', doc: 'Avro encoding of key-entry-batch.avsc (version 1) or key-entry-batch.v2.avsc (version 2)' },
    { name: 'nextSequence', type: 'long', doc: 'Lossless resume cursor' },
  ],
} as const satisfies AvroRecord;

export type ScanRequest = AvroValue<typeof scanRequestV2Schema>;
export type ScanResponse = AvroValue<typeof scanResponseSchema>;

export const Scan = defineMessage(
  MessageType.Scan,
  'Scan',
  byVersion({ 1: published('scan.request', scanRequestV1Schema), 2: published('scan.request.v2', scanRequestV2Schema) }),
  everyVersion(published('scan.response', scanResponseSchema)),
);
