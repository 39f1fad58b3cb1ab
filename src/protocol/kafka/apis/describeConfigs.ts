/**
 * DescribeConfigs (key 32), versions 0-2: configuration of topics or brokers (admin tools).
 *
 *   DescribeConfigs Request (v0) => [Resources]
 *     Resources => ResourceType (int8) ResourceName (string) [ConfigurationKeys] (string, nullable array: null = all)
 *   v1-v2: IncludeSynonyms (bool) last
 *
 *   DescribeConfigs Response (v0) => ThrottleTimeMs (int32) [Results]
 *     Results => ErrorCode (int16) ErrorMessage (nullable string) ResourceType (int8) ResourceName (string) [Configs]
 *       Configs => Name (string) Value (nullable string) ReadOnly (bool) IsDefault (bool) IsSensitive (bool)
 *   v1-v2: Configs => Name Value ReadOnly ConfigSource (int8) IsSensitive [Synonyms]
 *     Synonyms => Name (string) Value (nullable string) Source (int8)
 *
 * Resource types: 2 topic, 4 broker. v2 only changes throttling semantics; its bytes are those of v1.
 */
import { ApiKey } from '../ApiKeys.js';
import { array, boolean, int16, int32, int8, nullableArray, nullableString, string } from '../schema/KafkaType.js';
import { struct } from '../schema/struct.js';
import { KafkaApi } from './KafkaApi.js';

export const ConfigResourceType = { topic: 2, broker: 4 } as const;

export interface DescribeConfigsResource {
  readonly resourceType: number;
  readonly resourceName: string;
  /** null = all keys. */
  readonly configurationKeys: readonly string[] | null;
}

export interface DescribeConfigsRequest {
  readonly resources: readonly DescribeConfigsResource[];
  /** v1+. */
  readonly includeSynonyms: boolean;
}

export interface DescribeConfigsSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export interface DescribeConfigsEntry {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  /** v0 only. */
  readonly isDefault: boolean;
  /** v1+; -1 when unknown. */
  readonly configSource: number;
  readonly isSensitive: boolean;
  /** v1+. */
  readonly synonyms: readonly DescribeConfigsSynonym[];
}

export interface DescribeConfigsResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  readonly throttleTimeMs: number;
  readonly results: readonly DescribeConfigsResult[];
}

const request = struct<DescribeConfigsRequest>('DescribeConfigsRequest', {
  resources: {
    type: array(
      struct<DescribeConfigsResource>('DescribeConfigsResource', {
        resourceType: { type: int8 },
        resourceName: { type: string },
        configurationKeys: { type: nullableArray(string) },
      }),
    ),
  },
  includeSynonyms: { type: boolean, versions: '1+' },
});

const response = struct<DescribeConfigsResponse>('DescribeConfigsResponse', {
  throttleTimeMs: { type: int32 },
  results: {
    type: array(
      struct<DescribeConfigsResult>('DescribeConfigsResult', {
        errorCode: { type: int16 },
        errorMessage: { type: nullableString },
        resourceType: { type: int8 },
        resourceName: { type: string },
        configs: {
          type: array(
            struct<DescribeConfigsEntry>('DescribeConfigsResourceResult', {
              name: { type: string },
              value: { type: nullableString },
              readOnly: { type: boolean },
              isDefault: { type: boolean, versions: '0' },
              configSource: { type: int8, versions: '1+', default: -1 },
              isSensitive: { type: boolean },
              synonyms: {
                type: array(struct<DescribeConfigsSynonym>('DescribeConfigsSynonym', { name: { type: string }, value: { type: nullableString }, source: { type: int8 } })),
                versions: '1+',
              },
            }),
          ),
        },
      }),
    ),
  },
});

export const describeConfigsApi = new KafkaApi<DescribeConfigsRequest, DescribeConfigsResponse>(ApiKey.DescribeConfigs, request, response);
