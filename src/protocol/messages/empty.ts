import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * The bodies with no fields: a request that says everything by its type (Seal, Flush, Stats,
 * BackupBegin), and success with nothing to say (Credit, Unsubscribe, CommitCursor, DeleteCursor,
 * BackupEnd; Seal in version 1). Their schema docs keep their original lists: the published
 * `.avsc` files do not change when another message reuses them.
 * Both encode to zero bytes: their frames have length 8.
 */
export const emptyRequestSchema = {
  type: 'record',
  name: 'EmptyRequest',
  namespace: 'odlog',
  doc: 'A request with no fields (Seal, Flush, Stats).',
  fields: [],
} as const satisfies AvroRecord;

export const emptyResponseSchema = {
  type: 'record',
  name: 'EmptyResponse',
  namespace: 'odlog',
  doc: 'Success with nothing to say (Credit, Unsubscribe, CommitCursor, DeleteCursor; Seal in version 1).',
  fields: [],
} as const satisfies AvroRecord;

export type EmptyRequest = AvroValue<typeof emptyRequestSchema>;
export type EmptyResponse = AvroValue<typeof emptyResponseSchema>;

export const emptyRequestFile = published('empty.request', emptyRequestSchema);
export const emptyResponseFile = published('empty.response', emptyResponseSchema);

export const emptyRequest = everyVersion(emptyRequestFile);
export const emptyResponse = everyVersion(emptyResponseFile);
