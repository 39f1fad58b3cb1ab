/**
 * DescribeGroups (key 15), versions 0-4: state, protocol and members of consumer groups (admin tools).
 *
 *   DescribeGroups Request (v0-v2) => [Groups] (string)
 *   DescribeGroups Request (v3-v4) => [Groups] IncludeAuthorizedOperations (bool)
 *
 *   DescribeGroups Response (v0) => [Groups]
 *     Groups  => ErrorCode (int16) GroupId (string) GroupState (string) ProtocolType (string)
 *                ProtocolData (string) [Members]
 *       Members => MemberId (string) ClientId (string) ClientHost (string)
 *                  MemberMetadata (bytes) MemberAssignment (bytes)
 *   v1-v2: ThrottleTimeMs (int32) first
 *   v3:    Groups gain AuthorizedOperations (int32) last
 *   v4:    Members => MemberId GroupInstanceId (nullable string) ClientId ClientHost MemberMetadata MemberAssignment
 */
import { ApiKey } from '../ApiKeys.js';
import { array, boolean, bytes, int16, int32, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';
import { authorizedOperationsOmitted } from './metadata.js';

export interface DescribeGroupsRequest {
  readonly groups: readonly string[];
  /** v3+. */
  readonly includeAuthorizedOperations: boolean;
}

export interface DescribedGroupMember {
  readonly memberId: string;
  /** v4+. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly memberMetadata: Uint8Array;
  readonly memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  /** "Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead". */
  readonly groupState: string;
  readonly protocolType: string;
  /** The chosen protocol (assignor) name, filled when Stable. */
  readonly protocolData: string;
  readonly members: readonly DescribedGroupMember[];
  /** v3+. */
  readonly authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly groups: readonly DescribedGroup[];
}

const request = struct<DescribeGroupsRequest>('DescribeGroupsRequest', {
  groups: { type: array(string) },
  includeAuthorizedOperations: { type: boolean, versions: '3+' },
});

const response = struct<DescribeGroupsResponse>('DescribeGroupsResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  groups: {
    type: array(
      struct<DescribedGroup>('DescribedGroup', {
        errorCode: { type: int16 },
        groupId: { type: string },
        groupState: { type: string },
        protocolType: { type: string },
        protocolData: { type: string },
        members: {
          type: array(
            struct<DescribedGroupMember>('DescribedGroupMember', {
              memberId: { type: string },
              groupInstanceId: { type: nullableString, versions: '4+' },
              clientId: { type: string },
              clientHost: { type: string },
              memberMetadata: { type: bytes },
              memberAssignment: { type: bytes },
            }),
          ),
        },
        authorizedOperations: { type: int32, versions: '3+', default: authorizedOperationsOmitted },
      }),
    ),
  },
});

export const describeGroupsApi = new KafkaApi<DescribeGroupsRequest, DescribeGroupsResponse>(ApiKey.DescribeGroups, request, response);
