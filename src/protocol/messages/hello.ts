import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/**
 * Hello (type 1): the handshake, first on every connection. It negotiates the protocol version
 * (the client offers the newest it speaks, the broker answers the one this connection speaks),
 * authenticates, and tells the client the broker's limits. With auth enabled, nothing but Hello is
 * answered until a Hello carried a valid token. The same in every version: send it in a frame of
 * version 1, which every broker reads.
 */
export const helloRequestSchema = {
  type: 'record',
  name: 'HelloRequest',
  namespace: 'odlog',
  fields: [
    { name: 'protocolVersion', type: 'int', doc: 'The newest protocol version the client speaks (>= 1); the broker answers the one this connection speaks' },
    { name: 'clientId', type: 'string', doc: 'Free text naming the client, for logs (like every string: valid UTF-8, else INVALID_REQUEST)' },
    { name: 'authToken', type: ['null', 'string'], default: null },
  ],
} as const satisfies AvroRecord;

export const helloResponseSchema = {
  type: 'record',
  name: 'HelloResponse',
  namespace: 'odlog',
  fields: [
    { name: 'protocolVersion', type: 'int', doc: 'The version this connection speaks: the newest both sides speak' },
    { name: 'brokerVersion', type: 'string' },
    {
      name: 'authenticated',
      type: 'boolean',
      doc: 'True once Hello succeeded. A broker that needs a token answers a Hello without a valid one with an UNAUTHORIZED error instead, and answers nothing but Hello until one succeeds',
    },
    { name: 'supportedMessages', type: { type: 'array', items: 'int' } },
    {
      name: 'limits',
      type: {
        type: 'record',
        name: 'BrokerLimits',
        fields: [
          { name: 'frameBytesMax', type: 'long' },
          { name: 'keyBytesMax', type: 'int' },
          { name: 'valueBytesMax', type: 'long' },
          { name: 'batchRecordsMax', type: 'int' },
          { name: 'batchBytesMax', type: 'long' },
          { name: 'inFlightRequestsMax', type: 'int' },
          { name: 'subscriptionsPerConnectionMax', type: 'int' },
          { name: 'producerWindowBatches', type: 'int' },
        ],
      },
    },
  ],
} as const satisfies AvroRecord;

export type HelloRequest = AvroValue<typeof helloRequestSchema>;
export type HelloResponse = AvroValue<typeof helloResponseSchema>;
export type BrokerLimits = HelloResponse['limits'];

export const Hello = defineMessage(MessageType.Hello, 'Hello', everyVersion(published('hello.request', helloRequestSchema)), everyVersion(published('hello.response', helloResponseSchema)));
