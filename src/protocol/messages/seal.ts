import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { byVersion, published } from '../schema/BodySchema.js';
import { emptyRequest, emptyResponseFile } from './empty.js';

/**
 * Seal (type 11): seal the active segment; the next append opens a new one. Admin only
 * (FORBIDDEN otherwise). Version 1 answers EmptyResponse; version 2 says which segment it sealed,
 * or null when there was nothing to seal (the active segment was empty or already sealed).
 */
export const sealResponseSchema = {
  type: 'record',
  name: 'SealResponse',
  namespace: 'odlog',
  aliases: ['odlog.EmptyResponse'],
  doc: 'Version 2: what the Seal did.',
  fields: [{ name: 'sealedSegment', type: ['null', 'long'], default: null, doc: 'The id of the segment sealed; null: there was nothing to seal' }],
} as const satisfies AvroRecord;

export type SealResponse = AvroValue<typeof sealResponseSchema>;

export const Seal = defineMessage(MessageType.Seal, 'Seal', emptyRequest, byVersion({ 1: emptyResponseFile, 2: published('seal.response.v2', sealResponseSchema) }));
