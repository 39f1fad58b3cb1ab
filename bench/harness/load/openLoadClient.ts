import type { LoadClient, LoadClientOptions } from './LoadClient.js';

/** Open a client for the target (imported lazily so a worker loads only what it drives). */
export async function openLoadClient(options: LoadClientOptions): Promise<LoadClient> {
  switch (options.target) {
    case 'odlog':
    case 'discard': {
      const { OdlogLoadClient } = await import('./OdlogLoadClient.js');
      return OdlogLoadClient.open(options);
    }
    case 'redis': {
      const { RedisLoadClient } = await import('./RedisLoadClient.js');
      return RedisLoadClient.open(options);
    }
    case 'nats': {
      const { NatsLoadClient } = await import('./NatsLoadClient.js');
      return NatsLoadClient.open(options);
    }
    case 'kafka': {
      const { KafkaLoadClient } = await import('./KafkaLoadClient.js');
      return KafkaLoadClient.open(options);
    }
    default: {
      const unknown: never = options.target;
      throw new Error(`no load client for ${String(unknown)}`);
    }
  }
}
