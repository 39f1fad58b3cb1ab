/**
 * SaslAuthenticate (key 36), versions 0-1: one SASL exchange (for PLAIN: "\0user\0password").
 *
 *   SaslAuthenticate Request (v0-v1)  => AuthBytes (bytes)
 *   SaslAuthenticate Response (v0)    => ErrorCode (int16) ErrorMessage (nullable string) AuthBytes (bytes)
 *   SaslAuthenticate Response (v1)    => ErrorCode ErrorMessage AuthBytes SessionLifetimeMs (int64)
 */
import { ApiKey } from '../ApiKeys.js';
import { bytes, int16, int64, nullableString } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface SaslAuthenticateRequest {
  /** A view of the request: holds a password for PLAIN, so never log it. */
  readonly authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Uint8Array;
  /** v1+; 0 = no re-authentication required. */
  readonly sessionLifetimeMs: number;
}

const request = struct<SaslAuthenticateRequest>('SaslAuthenticateRequest', { authBytes: { type: bytes } });

const response = struct<SaslAuthenticateResponse>('SaslAuthenticateResponse', {
  errorCode: { type: int16 },
  errorMessage: { type: nullableString },
  authBytes: { type: bytes },
  sessionLifetimeMs: { type: int64, versions: '1+' },
});

export const saslAuthenticateApi = new KafkaApi<SaslAuthenticateRequest, SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, request, response);
