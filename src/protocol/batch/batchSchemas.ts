import type { AvroArray, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * The batches carried inside `bytes` fields: the records of an Append, the entries of a Scan
 * response (one key, not repeated) and of a subscription push. They are written and read by hand
 * (RecordBatchCodec, EntryBatchCodec) on the hot paths; these schemas define their bytes, are
 * published for other languages, and let the tests check the codecs against avsc.
 */
export const recordBatchSchema = {
  type: 'array',
  doc: 'The records of one Append, carried as bytes in AppendRequest.records. The broker walks this encoding without decoding it into objects and stores the values as they are.',
  items: {
    type: 'record',
    name: 'Record',
    namespace: 'odlog',
    fields: [
      { name: 'key', type: 'bytes', doc: '1..keyBytesMax bytes; names the stream' },
      { name: 'value', type: 'bytes', doc: '0..valueBytesMax bytes' },
    ],
  },
} as const satisfies AvroArray;

export const keyEntryBatchSchema = {
  type: 'array',
  doc: "Entries of one key (ScanResponse.entries): the key is the request's, so it is not repeated.",
  items: {
    type: 'record',
    name: 'KeyEntry',
    namespace: 'odlog',
    fields: [
      { name: 'sequence', type: 'long' },
      { name: 'value', type: 'bytes' },
    ],
  },
} as const satisfies AvroArray;

export const entryBatchSchema = {
  type: 'array',
  doc: 'Entries of several keys in global sequence order (SubscriptionBatch.entries).',
  items: {
    type: 'record',
    name: 'Entry',
    namespace: 'odlog',
    fields: [
      { name: 'key', type: 'bytes' },
      { name: 'sequence', type: 'long' },
      { name: 'value', type: 'bytes' },
    ],
  },
} as const satisfies AvroArray;

export const recordBatch = everyVersion(published('record-batch', recordBatchSchema));
export const keyEntryBatch = everyVersion(published('key-entry-batch', keyEntryBatchSchema));
export const entryBatch = everyVersion(published('entry-batch', entryBatchSchema));

export type RecordBatchValue = AvroValue<typeof recordBatchSchema>;
