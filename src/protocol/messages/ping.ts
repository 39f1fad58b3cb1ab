import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Ping: liveness and round-trip time.
 *
 * Request  (type 2): PingRequest  { timeMs: long }   echoed back
 * Response (type 2, RESPONSE): PingResponse { timeMs: long, brokerTimeMs: long }
 */
export interface PingRequest {
  readonly timeMs: number;
}

export interface PingResponse {
  readonly timeMs: number;
  readonly brokerTimeMs: number;
}

export const Ping = defineMessage<PingRequest, PingResponse>(MessageType.Ping, 'Ping', 'ping.request', 'ping.response');
