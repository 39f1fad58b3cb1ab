import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Ping (type 2): liveness and round-trip time. `timeMs` is echoed back; `brokerTimeMs` is the
 * broker's clock. The same in every version.
 */
export const pingRequestSchema = {
  type: 'record',
  name: 'PingRequest',
  namespace: 'odlog',
  fields: [{ name: 'timeMs', type: 'long', doc: 'Echoed back' }],
} as const satisfies AvroRecord;

export const pingResponseSchema = {
  type: 'record',
  name: 'PingResponse',
  namespace: 'odlog',
  fields: [
    { name: 'timeMs', type: 'long' },
    { name: 'brokerTimeMs', type: 'long' },
  ],
} as const satisfies AvroRecord;

export type PingRequest = AvroValue<typeof pingRequestSchema>;
export type PingResponse = AvroValue<typeof pingResponseSchema>;

export const Ping = defineMessage(MessageType.Ping, 'Ping', everyVersion(published('ping.request', pingRequestSchema)), everyVersion(published('ping.response', pingResponseSchema)));
