import type { AvroArray, AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { compileBody, published } from '../schema/BodySchema.js';

/**
 * The batches carried inside `bytes` fields: the records of an Append, the entries of a Scan
 * response (one key, not repeated) and of a subscription push, in each protocol version. They are
 * written and read by hand (RecordBatchCodec, EntryBatchCodec) on the hot paths; these schemas
 * define their bytes, are published for other languages, and let the tests check the codecs
 * against avsc.
 */

/** A record's header (version 2): a name and bytes, or null (as Kafka allows). */
const headerSchema = {
  type: 'record',
  name: 'Header',
  fields: [
    { name: 'name', type: 'string', doc: '1..256 UTF-8 bytes; names starting with "odlog." are reserved (INVALID_REQUEST on Append)' },
    { name: 'value', type: ['null', 'bytes'] },
  ],
} as const satisfies AvroRecord;

const headersField = { name: 'headers', type: { type: 'array', items: headerSchema }, doc: 'In order; empty when the record has none (one byte, 00)' } as const;

export const recordBatchV1Schema = {
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

export const recordBatchV2Schema = {
  type: 'array',
  doc: 'Version 2: the records of one Append, with their headers, carried as bytes in AppendRequest.records.',
  items: {
    type: 'record',
    name: 'Record',
    namespace: 'odlog',
    fields: [...recordBatchV1Schema.items.fields, headersField],
  },
} as const satisfies AvroArray;

export const keyEntryBatchV1Schema = {
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

const offsetField = { name: 'offset', type: 'long', doc: "The entry's ordinal within its key: 0 for the key's first entry ever, then 1, 2, ..." } as const;
const timestampField = { name: 'timestamp', type: 'long', doc: 'Append time, ms since the epoch; never decreases along the sequence' } as const;

export const keyEntryBatchV2Schema = {
  type: 'array',
  doc: "Version 2: entries of one key (ScanResponse.entries), with offset, append time and headers; the key is the request's, so it is not repeated.",
  items: {
    type: 'record',
    name: 'KeyEntry',
    namespace: 'odlog',
    fields: [{ name: 'sequence', type: 'long' }, offsetField, timestampField, { name: 'value', type: 'bytes' }, headersField],
  },
} as const satisfies AvroArray;

export const entryBatchV1Schema = {
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

export const entryBatchV2Schema = {
  type: 'array',
  doc: 'Version 2: entries of several keys in global sequence order (SubscriptionBatch.entries), with offset, append time and headers.',
  items: {
    type: 'record',
    name: 'Entry',
    namespace: 'odlog',
    fields: [{ name: 'key', type: 'bytes' }, { name: 'sequence', type: 'long' }, offsetField, timestampField, { name: 'value', type: 'bytes' }, headersField],
  },
} as const satisfies AvroArray;

export const recordBatchFiles = { 1: published('record-batch', recordBatchV1Schema), 2: published('record-batch.v2', recordBatchV2Schema) } as const;
export const keyEntryBatchFiles = { 1: published('key-entry-batch', keyEntryBatchV1Schema), 2: published('key-entry-batch.v2', keyEntryBatchV2Schema) } as const;
export const entryBatchFiles = { 1: published('entry-batch', entryBatchV1Schema), 2: published('entry-batch.v2', entryBatchV2Schema) } as const;

export type RecordV1 = AvroValue<typeof recordBatchV1Schema>[number];
export type RecordV2 = AvroValue<typeof recordBatchV2Schema>[number];
export type KeyEntryV1 = AvroValue<typeof keyEntryBatchV1Schema>[number];
export type KeyEntryV2 = AvroValue<typeof keyEntryBatchV2Schema>[number];
export type EntryV1 = AvroValue<typeof entryBatchV1Schema>[number];
export type EntryV2 = AvroValue<typeof entryBatchV2Schema>[number];

/** The batch schemas compiled by avsc, for tests and benchmarks (the hot paths use the hand-written codecs). */
export const batchSchemas = {
  record: { 1: compileBody<RecordV1[]>(recordBatchFiles[1]), 2: compileBody<RecordV2[]>(recordBatchFiles[2]) },
  keyEntry: { 1: compileBody<KeyEntryV1[]>(keyEntryBatchFiles[1]), 2: compileBody<KeyEntryV2[]>(keyEntryBatchFiles[2]) },
  entry: { 1: compileBody<EntryV1[]>(entryBatchFiles[1]), 2: compileBody<EntryV2[]>(entryBatchFiles[2]) },
} as const;
