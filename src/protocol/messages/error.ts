import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * The body of every frame flagged ERROR (RESPONSE|ERROR), whatever its message type, in every
 * version. `code` is stable (see ErrorCode); `message` is for humans.
 */
export const errorResponseSchema = {
  type: 'record',
  name: 'ErrorResponse',
  namespace: 'odlog',
  doc: 'Body of every frame with the ERROR flag, whatever its message type.',
  fields: [
    { name: 'code', type: 'int', doc: 'Stable numeric code, see docs/protocol.md' },
    { name: 'message', type: 'string', doc: 'What happened and what to do' },
    { name: 'retryable', type: 'boolean' },
    { name: 'conflictKey', type: ['null', 'bytes'], default: null, doc: 'CONFLICT only: the key whose expectation failed' },
    { name: 'conflictLastSequence', type: ['null', 'long'], default: null, doc: "CONFLICT only: that key's actual last sequence (null: none)" },
  ],
} as const satisfies AvroRecord;

export type ErrorBody = AvroValue<typeof errorResponseSchema>;

export const errorBody = everyVersion(published('error.response', errorResponseSchema));
