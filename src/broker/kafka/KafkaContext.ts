import type { ApiVersionRange } from '../../protocol/kafka/ApiKeys.js';
import type { LogDb } from '../../storage/index.js';
import type { Permissions } from '../auth/Permissions.js';
import type { TokenAuthenticator } from '../auth/TokenAuthenticator.js';
import type { BrokerStats } from '../BrokerStats.js';
import type { BrokerConfig } from '../config/BrokerConfig.js';
import type { Logger, LogFields } from '../Logger.js';
import type { FetchWaiters } from './FetchWaiters.js';
import type { GroupCoordinator } from './group/GroupCoordinator.js';
import type { IdempotentProducers } from './IdempotentProducers.js';

/** What the Kafka handlers share: the log, settings, and the listener's registries. */
export interface KafkaContext {
  readonly log: LogDb;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** The broker's counters (appended records and bytes count Kafka appends too). */
  readonly stats: BrokerStats;
  readonly authenticator: TokenAuthenticator;
  readonly coordinator: GroupCoordinator;
  readonly waiters: FetchWaiters;
  readonly producers: IdempotentProducers;
  /** The ApiVersions answer: the APIs this listener serves, with their versions. */
  readonly apiVersions: readonly ApiVersionRange[];
  readonly shuttingDown: boolean;
}

/** A Kafka client connection, as handlers see it. */
export interface KafkaClientConnection {
  readonly id: number;
  /** `host:port` of the client. */
  readonly remote: string;
  /** The client's address alone (DescribeGroups' client host). */
  readonly remoteHost: string;
  /** The client id of its latest request ('' when none). */
  readonly clientId: string;
  readonly principal: string;
  readonly permissions: Permissions;
  readonly authenticated: boolean;
  /** Host and port this client is told to connect to (Metadata, FindCoordinator). */
  readonly advertised: { readonly host: string; readonly port: number };
  /** The client named a SASL mechanism: version 0 sends the token next as a bare frame, 1 in SaslAuthenticate. */
  saslHandshake(version: number): void;
  /** Record a successful authentication. */
  authenticate(principal: string, permissions: Permissions): void;
  /** Log a refusal at warn level, once per connection for each `kind` (with the client id). */
  refuse(kind: string, fields: LogFields): void;
}
