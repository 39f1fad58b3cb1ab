/**
 * ListGroups (key 16), versions 0-2: the consumer groups a broker coordinates (admin tools).
 *
 *   ListGroups Request (v0-v2) => (empty body)
 *
 *   ListGroups Response (v0)    => ErrorCode (int16) [Groups]
 *     Groups => GroupId (string) ProtocolType (string)
 *   ListGroups Response (v1-v2) => ThrottleTimeMs (int32) ErrorCode [Groups]
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export type ListGroupsRequest = Record<never, never>;

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
}

export interface ListGroupsResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

const request = struct<ListGroupsRequest>('ListGroupsRequest', {});

const response = struct<ListGroupsResponse>('ListGroupsResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16 },
  groups: { type: array(struct<ListedGroup>('ListedGroup', { groupId: { type: string }, protocolType: { type: string } })) },
});

export const listGroupsApi = new KafkaApi<ListGroupsRequest, ListGroupsResponse>(ApiKey.ListGroups, request, response);
