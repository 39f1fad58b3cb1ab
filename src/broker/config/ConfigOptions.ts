import { limits } from '../../limits.js';

/** How an option's text is read. */
export type OptionKind = 'string' | 'integer' | 'bytes' | 'duration' | 'enum';

export interface OptionSpec {
  readonly key: string;
  readonly kind: OptionKind;
  readonly values?: readonly string[];
  readonly default?: string | number;
  readonly help: string;
}

/**
 * Every broker setting, once: its flag is `--kebab-case` of the key, its environment variable
 * `ODLOG_SNAKE_CASE`, its JSON field the key itself. `odlog serve --help` prints this table.
 */
export const brokerOptions: readonly OptionSpec[] = [
  { key: 'host', kind: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { key: 'port', kind: 'integer', default: 7070, help: 'TCP port (0: any free port)' },
  { key: 'dataDir', kind: 'string', default: './odlog-data', help: 'data directory' },
  { key: 'durability', kind: 'enum', values: ['sync', 'async'], default: 'sync', help: 'sync: ack once the write-ahead log holds it on disk (readers see only that); async: ack once written, sync in the background' },
  { key: 'readVisibility', kind: 'enum', values: ['committed', 'durable'], default: 'committed', help: 'what readers and subscribers see' },
  { key: 'sealIntervalMs', kind: 'duration', help: 'seal the active segment after this long (e.g. 1h)' },
  { key: 'sealBytes', kind: 'bytes', help: 'seal the active segment after this many key+value bytes (e.g. 1GiB)' },
  { key: 'retentionMs', kind: 'duration', help: 'delete sealed segments older than this (needs sealIntervalMs <= it)' },
  { key: 'retentionBytes', kind: 'bytes', help: 'delete the oldest sealed segments while the log holds more than this' },
  { key: 'retentionCheckIntervalMs', kind: 'duration', default: 60_000, help: 'how often retention runs' },
  { key: 'authToken', kind: 'string', help: 'require this token in Hello (full access); per-token permissions go in the JSON config' },
  { key: 'tlsCert', kind: 'string', help: 'PEM certificate file: serve TLS' },
  { key: 'tlsKey', kind: 'string', help: 'PEM private key file for tlsCert' },
  { key: 'metricsPort', kind: 'integer', help: 'serve Prometheus metrics on http://HOST:PORT/metrics (0: any free port; off when unset)' },
  { key: 'metricsHost', kind: 'string', help: 'address the metrics endpoint listens on [default: --host]' },
  { key: 'logLevel', kind: 'enum', values: ['error', 'warn', 'info', 'debug'], default: 'warn', help: 'stderr log level' },
  { key: 'frameBytesMax', kind: 'bytes', default: limits.frameBytesMax, help: 'largest frame accepted' },
  { key: 'connectionsMax', kind: 'integer', default: limits.connectionsMax, help: 'open connections' },
  { key: 'inFlightRequestsMax', kind: 'integer', default: limits.inFlightRequestsPerConnectionMax, help: 'requests in flight per connection' },
  { key: 'outputBufferBytesMax', kind: 'bytes', default: limits.outputBufferBytesMax, help: 'output queued per connection before it is throttled' },
  { key: 'outputStallTimeoutMs', kind: 'duration', default: limits.outputStallTimeoutMs, help: 'close a connection whose output stays over its bound this long (a client that reads nothing)' },
  { key: 'subscriptionsPerConnectionMax', kind: 'integer', default: limits.subscriptionsPerConnectionMax, help: 'subscriptions per connection' },
  { key: 'idleTimeoutMs', kind: 'duration', default: limits.idleTimeoutMs, help: 'close connections idle this long' },
  { key: 'partialFrameTimeoutMs', kind: 'duration', default: limits.partialFrameTimeoutMs, help: 'a started frame must complete within this' },
  { key: 'helloTimeoutMs', kind: 'duration', default: limits.helloTimeoutMs, help: 'Hello must arrive within this' },
  { key: 'keyBytesMax', kind: 'bytes', default: limits.keyBytesMax, help: 'longest key' },
  { key: 'valueBytesMax', kind: 'bytes', default: limits.valueBytesMax, help: 'largest value' },
  { key: 'batchRecordsMax', kind: 'integer', default: limits.batchRecordsMax, help: 'records per append' },
  { key: 'batchBytesMax', kind: 'bytes', default: limits.batchBytesMax, help: 'key+value bytes per append' },
  { key: 'writeQueueBytesMax', kind: 'bytes', default: limits.writeQueueBytesMax, help: 'bytes queued for commit before appends are throttled' },
  { key: 'memtableBytesMax', kind: 'bytes', default: limits.memtableBytesMax, help: 'unflushed commits held in memory (and replayed at most after a crash); flushes start well before' },
  { key: 'memtableKeysMax', kind: 'integer', default: limits.memtableKeysMax, help: 'distinct keys with unflushed records held in memory' },
  { key: 'kafkaPort', kind: 'integer', help: 'also serve the Kafka wire protocol on this port, same host, log, auth and TLS (0: any free port; off when unset)' },
  { key: 'kafkaAdvertisedHost', kind: 'string', help: 'host Kafka clients are told to connect to [default: the address they reached]' },
  { key: 'kafkaAdvertisedPort', kind: 'integer', help: 'port Kafka clients are told to connect to [default: the Kafka port]' },
  { key: 'kafkaTopicsListedMax', kind: 'integer', default: 10_000, help: 'topics (written keys with Kafka-legal names) an all-topics Metadata answer lists' },
];

export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export function envOf(key: string): string {
  return 'ODLOG_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}
