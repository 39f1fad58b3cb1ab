/**
 * ApiVersions (key 18), versions 0-2: the API list a client negotiates versions from.
 *
 *   ApiVersions Request (v0-v2) => (empty body)
 *
 *   ApiVersions Response (v0) => ErrorCode [ApiKeys]
 *     ErrorCode => int16
 *     ApiKeys   => ApiKey MinVersion MaxVersion     (each int16)
 *   ApiVersions Response (v1-v2) => ErrorCode [ApiKeys] ThrottleTimeMs
 *     ThrottleTimeMs => int32
 *
 * librdkafka and the Java client open with ApiVersions v3, a flexible request (header v2 with
 * tagged fields, compact body) that odlog does not decode. As Kafka brokers do (KIP-511), the
 * answer is UNSUPPORTED_VERSION (35) with the API list in the v0 body format, and the client
 * retries at the highest ApiVersions version in that list (2): `encodeApiVersionsUnsupported`.
 * ApiVersions responses always use response header v0 (correlation id only).
 */
import { ApiKey, apiVersionsEntries, type ApiVersionRange } from '../ApiKeys.js';
import type { RequestHeader } from '../frame/RequestHeader.js';
import { KafkaErrorCode } from '../KafkaErrorCode.js';
import { array, int16, int32 } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export type ApiVersionsRequest = Record<never, never>;

export interface ApiVersionsEntry {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface ApiVersionsResponse {
  readonly errorCode: number;
  readonly apiKeys: readonly ApiVersionsEntry[];
  /** v1+. */
  readonly throttleTimeMs: number;
}

const request = struct<ApiVersionsRequest>('ApiVersionsRequest', {});

const response = struct<ApiVersionsResponse>('ApiVersionsResponse', {
  errorCode: { type: int16 },
  apiKeys: {
    type: array(
      struct<ApiVersionsEntry>('ApiVersion', {
        apiKey: { type: int16 },
        minVersion: { type: int16 },
        maxVersion: { type: int16 },
      }),
    ),
  },
  throttleTimeMs: { type: int32, versions: '1+' },
});

export const apiVersionsApi = new KafkaApi<ApiVersionsRequest, ApiVersionsResponse>(ApiKey.ApiVersions, request, response);

/** True for an ApiVersions request of a version odlog does not decode (v3+ from current clients). */
export function isUnsupportedApiVersionsRequest(header: RequestHeader): boolean {
  return header.apiKey === ApiKey.ApiVersions && !apiVersionsApi.supports(header.apiVersion);
}

/**
 * The whole response frame for an ApiVersions request of an unsupported version:
 * UNSUPPORTED_VERSION (35) and the API list, in the v0 body format, so the client retries with
 * a version it finds there.
 *
 * @example
 * if (isUnsupportedApiVersionsRequest(header)) socket.write(encodeApiVersionsUnsupported(header.correlationId));
 */
export function encodeApiVersionsUnsupported(correlationId: number, apis: readonly ApiVersionRange[] = apiVersionsEntries()): Buffer {
  return apiVersionsApi.encodeResponse(0, correlationId, { errorCode: KafkaErrorCode.UNSUPPORTED_VERSION, apiKeys: apis, throttleTimeMs: 0 });
}
