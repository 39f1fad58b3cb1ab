/**
 * Kafka API keys (the int16 at the start of every request header), named once, and the
 * versions of each that odlog's codecs implement. The ApiVersions answer is built from
 * `supportedApiVersions`; everything else imports the names from here.
 *
 * Every supported range stops below the API's first flexible version (tagged fields, compact
 * strings), which odlog does not implement; `firstFlexibleVersion` records where that starts.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  AlterReplicaLogDirs: 34,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  CreateDelegationToken: 38,
  RenewDelegationToken: 39,
  ExpireDelegationToken: 40,
  DescribeDelegationToken: 41,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  Vote: 52,
  BeginQuorumEpoch: 53,
  EndQuorumEpoch: 54,
  DescribeQuorum: 55,
  AlterPartition: 56,
  UpdateFeatures: 57,
  Envelope: 58,
  FetchSnapshot: 59,
  DescribeCluster: 60,
  DescribeProducers: 61,
  BrokerRegistration: 62,
  BrokerHeartbeat: 63,
  UnregisterBroker: 64,
  DescribeTransactions: 65,
  ListTransactions: 66,
  AllocateProducerIds: 67,
  ConsumerGroupHeartbeat: 68,
} as const;

export type ApiKeyName = keyof typeof ApiKey;
export type ApiKeyNumber = (typeof ApiKey)[ApiKeyName];

const namesByKey = new Map<number, ApiKeyName>(Object.entries(ApiKey).map(([name, key]) => [key, name as ApiKeyName]));

/** The API's name for logs ("Produce"), or "ApiKey(99)" for a key this table does not know. */
export function apiKeyName(apiKey: number): string {
  return namesByKey.get(apiKey) ?? `ApiKey(${apiKey})`;
}

export interface ApiVersionRange {
  readonly apiKey: ApiKeyNumber;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * What the codecs implement, in API-key order. The group APIs start at version 0 on purpose:
 * librdkafka 2.0 enables balanced consumer groups only when version 0 is in range.
 * CreateTopics, DeleteTopics, DeleteRecords and DescribeConfigs are optional for the broker:
 * leave them out of the ApiVersions answer (`apiVersionsEntries`) if the listener does not
 * handle them.
 */
export const supportedApiVersions: readonly ApiVersionRange[] = [
  { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 7 },
  { apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 11 },
  { apiKey: ApiKey.ListOffsets, minVersion: 1, maxVersion: 5 },
  { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 8 },
  { apiKey: ApiKey.OffsetCommit, minVersion: 0, maxVersion: 7 },
  { apiKey: ApiKey.OffsetFetch, minVersion: 1, maxVersion: 5 },
  { apiKey: ApiKey.FindCoordinator, minVersion: 0, maxVersion: 2 },
  { apiKey: ApiKey.JoinGroup, minVersion: 0, maxVersion: 5 },
  { apiKey: ApiKey.Heartbeat, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiKey.LeaveGroup, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiKey.SyncGroup, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiKey.DescribeGroups, minVersion: 0, maxVersion: 4 },
  { apiKey: ApiKey.ListGroups, minVersion: 0, maxVersion: 2 },
  { apiKey: ApiKey.SaslHandshake, minVersion: 0, maxVersion: 1 },
  { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
  { apiKey: ApiKey.CreateTopics, minVersion: 0, maxVersion: 4 },
  { apiKey: ApiKey.DeleteTopics, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiKey.DeleteRecords, minVersion: 0, maxVersion: 1 },
  { apiKey: ApiKey.InitProducerId, minVersion: 0, maxVersion: 1 },
  { apiKey: ApiKey.DescribeConfigs, minVersion: 0, maxVersion: 2 },
  { apiKey: ApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 1 },
];

/**
 * The first flexible version (header v2, tagged fields) of each supported API, from Kafka's
 * message definitions. A request at or above it cannot be decoded here.
 */
export const firstFlexibleVersion: Readonly<Partial<Record<ApiKeyNumber, number>>> = {
  [ApiKey.Produce]: 9,
  [ApiKey.Fetch]: 12,
  [ApiKey.ListOffsets]: 6,
  [ApiKey.Metadata]: 9,
  [ApiKey.OffsetCommit]: 8,
  [ApiKey.OffsetFetch]: 6,
  [ApiKey.FindCoordinator]: 3,
  [ApiKey.JoinGroup]: 6,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 4,
  [ApiKey.SyncGroup]: 4,
  [ApiKey.DescribeGroups]: 5,
  [ApiKey.ListGroups]: 3,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.CreateTopics]: 5,
  [ApiKey.DeleteTopics]: 4,
  [ApiKey.DeleteRecords]: 2,
  [ApiKey.InitProducerId]: 2,
  [ApiKey.DescribeConfigs]: 4,
  [ApiKey.SaslAuthenticate]: 2,
};

const rangesByKey = new Map<number, ApiVersionRange>(supportedApiVersions.map((r) => [r.apiKey, r]));

/** The supported range of an API, or undefined when odlog does not implement it. */
export function supportedRange(apiKey: number): ApiVersionRange | undefined {
  return rangesByKey.get(apiKey);
}

/** Whether odlog decodes requests of this API at this version. */
export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const range = rangesByKey.get(apiKey);
  return range !== undefined && apiVersion >= range.minVersion && apiVersion <= range.maxVersion;
}

/**
 * The entries of an ApiVersions answer: every supported API, or only those in `only` (for a
 * listener that leaves out the optional ones).
 *
 * @example
 * apiVersionsEntries(new Set([ApiKey.Produce, ApiKey.Fetch, ApiKey.ApiVersions]))
 */
export function apiVersionsEntries(only?: ReadonlySet<number>): ApiVersionRange[] {
  return supportedApiVersions.filter((r) => only === undefined || only.has(r.apiKey));
}
