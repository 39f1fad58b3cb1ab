import { ApiKey, apiKeyName } from '../../protocol/kafka/ApiKeys.js';

/** One count per API key Kafka defines (the ApiKey table); a request with any other key is counted apart. */
const countedApiKeys = Math.max(...Object.values(ApiKey)) + 1;

/**
 * The Kafka listener's counters for GET /metrics: requests by API, and connections open. Fixed
 * memory whatever the traffic: a Float64Array indexed by API key, the last slot for keys outside
 * Kafka's table (a client that sends one is refused and closed).
 * @example
 * stats.kafka.request(header.apiKey);
 * stats.kafka.requestCounts(); // [{ api: 'Produce', count: 12 }, ...]
 */
export class KafkaListenerStats {
  /** Kafka client connections open now. */
  connections = 0;
  private readonly requestsByApiKey = new Float64Array(countedApiKeys + 1);

  /** A request frame whose header decoded, served or refused. */
  request(apiKey: number): void {
    this.requestsByApiKey[apiKey >= 0 && apiKey < countedApiKeys ? apiKey : countedApiKeys]++;
  }

  /** The non-zero counts, in API-key order; keys outside Kafka's table are the API `unknown`. */
  requestCounts(): { api: string; count: number }[] {
    const out: { api: string; count: number }[] = [];
    this.requestsByApiKey.forEach((count, index) => {
      if (count > 0) out.push({ api: index < countedApiKeys ? apiKeyName(index) : 'unknown', count });
    });
    return out;
  }
}
