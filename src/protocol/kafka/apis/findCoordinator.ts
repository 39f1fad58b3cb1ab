/**
 * FindCoordinator (key 10), versions 0-2: which broker coordinates a group (or a transaction).
 *
 *   FindCoordinator Request (v0)    => Key (string)
 *   FindCoordinator Request (v1-v2) => Key (string) KeyType (int8)   0 group, 1 transaction
 *
 *   FindCoordinator Response (v0)    => ErrorCode (int16) NodeId (int32) Host (string) Port (int32)
 *   FindCoordinator Response (v1-v2) => ThrottleTimeMs (int32) ErrorCode (int16)
 *                                       ErrorMessage (nullable string) NodeId Host Port
 */
import { ApiKey } from '../ApiKeys.js';
import { int16, int32, int8, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export const CoordinatorKeyType = { group: 0, transaction: 1 } as const;

export interface FindCoordinatorRequest {
  readonly key: string;
  /** v1+; 0 (group) before. */
  readonly keyType: number;
}

export interface FindCoordinatorResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  /** v1+. */
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

const request = struct<FindCoordinatorRequest>('FindCoordinatorRequest', {
  key: { type: string },
  keyType: { type: int8, versions: '1+' },
});

const response = struct<FindCoordinatorResponse>('FindCoordinatorResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  errorCode: { type: int16 },
  errorMessage: { type: nullableString, versions: '1+' },
  nodeId: { type: int32 },
  host: { type: string },
  port: { type: int32 },
});

export const findCoordinatorApi = new KafkaApi<FindCoordinatorRequest, FindCoordinatorResponse>(ApiKey.FindCoordinator, request, response);
