import { Kafka, logLevel, type Consumer, type ConsumerConfig, type EachMessagePayload, type KafkaConfig, type Producer, type ProducerConfig } from 'kafkajs';
import type { BrokerFixture } from '../../support/BrokerProcess.js';

/** A message as a test compares it: strings where kafkajs gives bytes. */
export interface Received {
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
  readonly headers: Record<string, string>;
}

export function received({ message }: EachMessagePayload): Received {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = value === undefined ? '' : value.toString();
  return {
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString(),
    value: message.value === null ? null : message.value.toString(),
    timestamp: Number(message.timestamp),
    headers,
  };
}

/**
 * kafkajs clients for one test file: quiet (their log lines are kept, and printed when a test
 * fails), with short group timeouts so rebalances take a second or two, and closed after each test.
 */
export class KafkajsClients {
  readonly logLines: string[] = [];

  constructor(private readonly fixture: BrokerFixture) {}

  kafka(brokers: readonly string[], config: Partial<KafkaConfig> = {}): Kafka {
    return new Kafka({
      brokers: [...brokers],
      clientId: 'odlog-test',
      connectionTimeout: 3000,
      retry: { initialRetryTime: 100, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        if (this.logLines.length < 500) this.logLines.push(`${entry.label} ${entry.log.message} ${JSON.stringify({ ...entry.log, message: undefined, timestamp: undefined })}`);
      },
      ...config,
    });
  }

  async producer(kafka: Kafka, config: ProducerConfig = {}): Promise<Producer> {
    const producer = kafka.producer({ allowAutoTopicCreation: true, ...config });
    await producer.connect();
    return this.fixture.track(producer, (p) => p.disconnect());
  }

  /** A consumer with short session, rebalance and heartbeat timings (the suite stays quick). */
  async consumer(kafka: Kafka, config: ConsumerConfig): Promise<Consumer> {
    const consumer = kafka.consumer({ sessionTimeout: 3000, rebalanceTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200, retry: { initialRetryTime: 100, retries: 8 }, ...config });
    await consumer.connect();
    return this.fixture.track(consumer, (c) => c.disconnect());
  }

  printOnFailure(test: Mocha.Test | undefined): void {
    if (test?.state === 'failed' && this.logLines.length > 0) console.error(`    kafkajs log:\n      ${this.logLines.slice(-40).join('\n      ')}`);
    this.logLines.length = 0;
  }
}
