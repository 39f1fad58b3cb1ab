/**
 * DeleteTopics (key 20), versions 0-3: delete topics by name.
 *
 *   DeleteTopics Request (v0-v3) => [TopicNames] (string) TimeoutMs (int32)
 *
 *   DeleteTopics Response (v0)    => [Responses]
 *     Responses => Name (string) ErrorCode (int16)
 *   v1-v3: ThrottleTimeMs (int32) first
 *
 * v2 only changes throttling semantics and v3 adds the TOPIC_DELETION_DISABLED error code; their
 * bytes are those of v1. v4 is flexible (not served); v6 names topics by id as well.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, int16, int32, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export interface DeleteTopicsRequest {
  readonly topicNames: readonly string[];
  readonly timeoutMs: number;
}

export interface DeletableTopicResult {
  readonly name: string;
  readonly errorCode: number;
}

export interface DeleteTopicsResponse {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly responses: readonly DeletableTopicResult[];
}

const request = struct<DeleteTopicsRequest>('DeleteTopicsRequest', {
  topicNames: { type: array(string) },
  timeoutMs: { type: int32 },
});

const response = struct<DeleteTopicsResponse>('DeleteTopicsResponse', {
  throttleTimeMs: { type: int32, versions: '1+' },
  responses: { type: array(struct<DeletableTopicResult>('DeletableTopicResult', { name: { type: string }, errorCode: { type: int16 } })) },
});

export const deleteTopicsApi = new KafkaApi<DeleteTopicsRequest, DeleteTopicsResponse>(ApiKey.DeleteTopics, request, response);
