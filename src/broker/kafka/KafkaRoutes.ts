import { ApiKey, apiVersionsEntries, type ApiVersionRange } from '../../protocol/kafka/ApiKeys.js';
import { createTopics, describeConfigs, describeGroups, listGroups } from './handlers/admin.js';
import { apiVersions } from './handlers/apiVersions.js';
import { deleteRecords, deleteTopics } from './handlers/deletion.js';
import { fetch } from './handlers/fetch.js';
import { findCoordinator, heartbeat, joinGroup, leaveGroup, syncGroup } from './handlers/groups.js';
import { initProducerId } from './handlers/initProducerId.js';
import { listOffsets } from './handlers/listOffsets.js';
import { metadata } from './handlers/metadata.js';
import { offsetCommit, offsetFetch } from './handlers/offsets.js';
import { produce } from './handlers/produce.js';
import { saslAuthenticate, saslHandshake } from './handlers/sasl.js';
import type { KafkaHandler } from './KafkaHandler.js';

/** Every API the Kafka listener serves (at the versions in ApiKeys.ts); any other closes the connection. */
export const kafkaRoutes: ReadonlyMap<number, KafkaHandler> = new Map<number, KafkaHandler>([
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.Metadata, metadata],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.ListGroups, listGroups],
  [ApiKey.SaslHandshake, saslHandshake],
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.DeleteRecords, deleteRecords],
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.DescribeConfigs, describeConfigs],
  [ApiKey.SaslAuthenticate, saslAuthenticate],
]);

/** The ApiVersions answer: the served APIs with their version ranges. */
export const kafkaApiVersions: readonly ApiVersionRange[] = apiVersionsEntries(new Set(kafkaRoutes.keys()));
