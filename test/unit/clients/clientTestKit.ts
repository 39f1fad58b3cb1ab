import { expect } from 'chai';
import { OdlogClient, type ClientOptions } from '../../../clients/OdlogClient.js';
import { FakeBroker } from './FakeBroker.js';

/** Poll `condition` every few milliseconds until it holds; fail naming `what` after `deadlineMs`. */
export async function waitUntil(condition: () => boolean, what: string, deadlineMs = 3000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) expect.fail(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A fake broker and the clients of one test, closed after it (each test calls `kit.cleanup()` in
 * afterEach). Clients reconnect fast by default, so that tests take milliseconds.
 */
export class ClientTestKit {
  broker = new FakeBroker();
  private readonly clients: OdlogClient[] = [];

  async client(options: ClientOptions = {}): Promise<OdlogClient> {
    const client = await OdlogClient.connect({ broker: 'fake:0', transports: this.broker.transports(), reconnect: { initialDelayMs: 2, maxDelayMs: 10 }, closeTimeoutMs: 200, ...options });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    this.broker.policy = () => 'answer';
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    this.broker = new FakeBroker();
  }
}
