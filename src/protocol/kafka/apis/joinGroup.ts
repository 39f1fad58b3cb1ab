/**
 * JoinGroup (key 11), versions 0-5: a member joins a consumer group's rebalance.
 *
 *   JoinGroup Request (v0) => GroupId (string) SessionTimeoutMs (int32) MemberId (string)
 *                             ProtocolType (string) [Protocols]
 *     Protocols => Name (string) Metadata (bytes)
 *   v1-v4: RebalanceTimeoutMs (int32) after SessionTimeoutMs
 *   v5:    GroupInstanceId (nullable string) after MemberId
 *
 *   JoinGroup Response (v0-v1) => ErrorCode (int16) GenerationId (int32) ProtocolName (string)
 *                                 Leader (string) MemberId (string) [Members]
 *     Members => MemberId (string) Metadata (bytes)
 *   v2-v4: ThrottleTimeMs (int32) first
 *   v5:    Members => MemberId GroupInstanceId (nullable string) Metadata
 *
 * v4 only adds MEMBER_ID_REQUIRED (the first join of a member without an id is answered with
 * that error and an assigned member id, and the client joins again with it).
 */
import { ApiKey } from '../ApiKeys.js';
import { array, bytes, int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface JoinGroupProtocol {
  readonly name: string;
  readonly metadata: Uint8Array;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** v1+; -1 in v0 (use sessionTimeoutMs). */
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  /** v5+; null = dynamic membership. */
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly JoinGroupProtocol[];
}

export interface JoinGroupMember {
  readonly memberId: string;
  /** v5+. */
  readonly groupInstanceId: string | null;
  readonly metadata: Uint8Array;
}

export interface JoinGroupResponse {
  /** v2+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly memberId: string;
  /** Filled for the leader only; empty for the other members. */
  readonly members: readonly JoinGroupMember[];
}

const request = struct<JoinGroupRequest>('JoinGroupRequest', {
  groupId: { type: string },
  sessionTimeoutMs: { type: int32 },
  rebalanceTimeoutMs: { type: int32, versions: '1+', default: -1 },
  memberId: { type: string },
  groupInstanceId: { type: nullableString, versions: '5+' },
  protocolType: { type: string },
  protocols: { type: array(struct<JoinGroupProtocol>('JoinGroupRequestProtocol', { name: { type: string }, metadata: { type: bytes } })) },
});

const response = struct<JoinGroupResponse>('JoinGroupResponse', {
  throttleTimeMs: { type: int32, versions: '2+' },
  errorCode: { type: int16 },
  generationId: { type: int32 },
  protocolName: { type: string },
  leader: { type: string },
  memberId: { type: string },
  members: {
    type: array(
      struct<JoinGroupMember>('JoinGroupResponseMember', {
        memberId: { type: string },
        groupInstanceId: { type: nullableString, versions: '5+' },
        metadata: { type: bytes },
      }),
    ),
  },
});

export const joinGroupApi = new KafkaApi<JoinGroupRequest, JoinGroupResponse>(ApiKey.JoinGroup, request, response);
