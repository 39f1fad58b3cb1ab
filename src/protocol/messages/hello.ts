import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Hello: the handshake, first on every connection. With auth enabled, nothing but Hello is
 * answered until a Hello carried a valid token.
 *
 * Request  (type 1): HelloRequest  { protocolVersion: int, clientId: string, authToken: null|string }
 * Response (type 1, RESPONSE): HelloResponse { protocolVersion: int, brokerVersion: string,
 *   authenticated: boolean, supportedMessages: array<int>, limits: BrokerLimits }
 */
export interface HelloRequest {
  readonly protocolVersion: number;
  readonly clientId: string;
  readonly authToken: string | null;
}

export interface BrokerLimits {
  readonly frameBytesMax: number;
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
  readonly inFlightRequestsMax: number;
  readonly subscriptionsPerConnectionMax: number;
  readonly producerWindowBatches: number;
}

export interface HelloResponse {
  readonly protocolVersion: number;
  readonly brokerVersion: string;
  readonly authenticated: boolean;
  readonly supportedMessages: number[];
  readonly limits: BrokerLimits;
}

export const Hello = defineMessage<HelloRequest, HelloResponse>(MessageType.Hello, 'Hello', 'hello.request', 'hello.response');
