/**
 * SaslHandshake (key 17), versions 0-1: the client names its SASL mechanism (odlog: PLAIN).
 *
 *   SaslHandshake Request (v0-v1)  => Mechanism (string)
 *   SaslHandshake Response (v0-v1) => ErrorCode (int16) [Mechanisms] (string)
 *
 * After v0 the client sends the SASL tokens as bare size-prefixed frames (no request header)
 * and reads bare size-prefixed answers; after v1 it wraps them in SaslAuthenticate requests.
 * The listener tracks which, per connection; these codecs only cover the two requests.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface SaslHandshakeRequest {
  readonly mechanism: string;
}

export interface SaslHandshakeResponse {
  readonly errorCode: number;
  /** The mechanisms the broker enables. */
  readonly mechanisms: readonly string[];
}

const request = struct<SaslHandshakeRequest>('SaslHandshakeRequest', { mechanism: { type: string } });

const response = struct<SaslHandshakeResponse>('SaslHandshakeResponse', {
  errorCode: { type: int16 },
  mechanisms: { type: array(string) },
});

export const saslHandshakeApi = new KafkaApi<SaslHandshakeRequest, SaslHandshakeResponse>(ApiKey.SaslHandshake, request, response);
