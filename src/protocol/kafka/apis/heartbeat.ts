/**
 * Heartbeat (key 12), versions 0-3: a group member says it is alive; the answer tells it of a rebalance.
 *
 *   Heartbeat Request (v0-v2) => GroupId (string) GenerationId (int32) MemberId (string)
 *   v3: GroupInstanceId (nullable string) last
 *
 *   Heartbeat Response (v0)    => ErrorCode (int16)
 *   Heartbeat Response (v1-v3) => ThrottleTimeMs (int32) ErrorCode (int16)
 */
import { ApiKey } from '../ApiKeys.js';
import { int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** v3+. */
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
}

const request = struct<HeartbeatRequest>('HeartbeatRequest', {
  groupId: { type: string },
  generationId: { type: int32 },
  memberId: { type: string },
  groupInstanceId: { type: nullableString, versions: '3+' },
});

const response = struct<HeartbeatResponse>('HeartbeatResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16 },
});

export const heartbeatApi = new KafkaApi<HeartbeatRequest, HeartbeatResponse>(ApiKey.Heartbeat, request, response);
