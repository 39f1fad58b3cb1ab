import type { LogDb } from '../storage/index.js';
import type { BackupSessions } from './backup/BackupSessions.js';
import type { TokenAuthenticator } from './auth/TokenAuthenticator.js';
import type { BrokerStats } from './BrokerStats.js';
import type { BrokerConfig } from './config/BrokerConfig.js';
import type { Logger } from './Logger.js';
import type { LongPollRegistry } from './LongPollRegistry.js';
import type { SubscriptionRegistry } from './subscriptions/SubscriptionRegistry.js';

/** What request handlers share: the log, the registries, settings and counters. */
export interface BrokerContext {
  readonly log: LogDb;
  readonly config: BrokerConfig;
  readonly stats: BrokerStats;
  readonly subscriptions: SubscriptionRegistry;
  readonly longPolls: LongPollRegistry;
  /** Copies of the log being streamed to clients (BackupBegin/Read/End). */
  readonly backups: BackupSessions;
  readonly logger: Logger;
  readonly authenticator: TokenAuthenticator;
  readonly brokerVersion: string;
  /** Request types served, for Hello. */
  readonly supportedMessages: readonly number[];
  readonly shuttingDown: boolean;
  connectionCount(): number;
}
