import { OdlogClient } from '../../../clients/OdlogClient.js';
import type { Consumer } from '../../../clients/Consumer.js';
import { encodeRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import type { LoadBatch, LoadClient, LoadClientOptions } from './LoadClient.js';

/** odlog through its own client: one connection, appends as pre-encoded record batches. */
export class OdlogLoadClient implements LoadClient {
  private consumer: Consumer | undefined;

  private constructor(private readonly client: OdlogClient) {}

  static async open(options: LoadClientOptions): Promise<OdlogLoadClient> {
    return new OdlogLoadClient(await OdlogClient.connect({ broker: options.address, clientId: 'odlog-bench', reconnect: false, requestTimeoutMs: 120_000 }));
  }

  async append(batch: LoadBatch): Promise<void> {
    const records = batch.keys.map((key, i) => ({ key, value: batch.values[i] }));
    await this.client.appendEncoded(encodeRecordBatch(records), { queueTimeoutMs: 30_000 });
  }

  async tail(keyPrefix: string, _keys: readonly Buffer[], onValues: (values: Buffer[]) => void): Promise<void> {
    this.consumer = await this.client.subscribe({ prefix: keyPrefix, from: 'latest', windowRecords: 20_000, windowBytes: 16 * 1024 * 1024 });
    const consumer = this.consumer;
    void (async () => {
      const values: Buffer[] = [];
      try {
        for await (const entry of consumer) {
          values.push(entry.value);
          if (values.length >= 256) onValues(values.splice(0));
          else queueMicrotask(() => values.length > 0 && onValues(values.splice(0)));
        }
      } catch {
        // the run is ending
      }
    })();
  }

  async close(): Promise<void> {
    await this.consumer?.close().catch(() => undefined);
    await this.client.close();
  }
}
