/**
 * LeaveGroup (key 13), versions 0-3: members leave a group (one in v0-v2, a batch in v3).
 *
 *   LeaveGroup Request (v0-v2) => GroupId (string) MemberId (string)
 *   LeaveGroup Request (v3)    => GroupId (string) [Members]
 *     Members => MemberId (string) GroupInstanceId (nullable string)
 *
 *   LeaveGroup Response (v0)    => ErrorCode (int16)
 *   LeaveGroup Response (v1-v2) => ThrottleTimeMs (int32) ErrorCode (int16)
 *   LeaveGroup Response (v3)    => ThrottleTimeMs ErrorCode [Members]
 *     Members => MemberId (string) GroupInstanceId (nullable string) ErrorCode (int16)
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface LeaveGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  readonly groupId: string;
  /** v0-v2; '' in v3 (see members). */
  readonly memberId: string;
  /** v3+; empty before (see memberId). */
  readonly members: readonly LeaveGroupMember[];
}

export interface LeaveGroupMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

export interface LeaveGroupResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  /** v3+. */
  readonly members: readonly LeaveGroupMemberResponse[];
}

const request = struct<LeaveGroupRequest>('LeaveGroupRequest', {
  groupId: { type: string },
  memberId: { type: string, versions: '0-2' },
  members: {
    type: array(struct<LeaveGroupMember>('MemberIdentity', { memberId: { type: string }, groupInstanceId: { type: nullableString } })),
    versions: '3+',
  },
});

const response = struct<LeaveGroupResponse>('LeaveGroupResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16 },
  members: {
    type: array(
      struct<LeaveGroupMemberResponse>('MemberResponse', {
        memberId: { type: string },
        groupInstanceId: { type: nullableString },
        errorCode: { type: int16 },
      }),
    ),
    versions: '3+',
  },
});

export const leaveGroupApi = new KafkaApi<LeaveGroupRequest, LeaveGroupResponse>(ApiKey.LeaveGroup, request, response);
