/**
 * SyncGroup (key 14), versions 0-3: the leader hands out assignments; every member gets its own.
 *
 *   SyncGroup Request (v0-v2) => GroupId (string) GenerationId (int32) MemberId (string) [Assignments]
 *     Assignments => MemberId (string) Assignment (bytes)
 *   v3: GroupInstanceId (nullable string) after MemberId
 *
 *   SyncGroup Response (v0)    => ErrorCode (int16) Assignment (bytes)
 *   SyncGroup Response (v1-v3) => ThrottleTimeMs (int32) ErrorCode (int16) Assignment (bytes)
 */
import { ApiKey } from '../ApiKeys.js';
import { array, bytes, int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface SyncGroupAssignment {
  readonly memberId: string;
  readonly assignment: Uint8Array;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** v3+. */
  readonly groupInstanceId: string | null;
  /** Sent by the leader only. */
  readonly assignments: readonly SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly assignment: Uint8Array;
}

const request = struct<SyncGroupRequest>('SyncGroupRequest', {
  groupId: { type: string },
  generationId: { type: int32 },
  memberId: { type: string },
  groupInstanceId: { type: nullableString, versions: '3+' },
  assignments: { type: array(struct<SyncGroupAssignment>('SyncGroupRequestAssignment', { memberId: { type: string }, assignment: { type: bytes } })) },
});

const response = struct<SyncGroupResponse>('SyncGroupResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16 },
  assignment: { type: bytes },
});

export const syncGroupApi = new KafkaApi<SyncGroupRequest, SyncGroupResponse>(ApiKey.SyncGroup, request, response);
