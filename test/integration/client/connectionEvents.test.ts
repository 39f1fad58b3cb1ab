import { expect } from 'chai';
import type { ConnectionEventMap } from '../../../clients/index.js';
import { ConnectionError } from '../../../clients/errors.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { waitFor } from '../../support/LogFixture.js';

type Recorded = { [E in keyof ConnectionEventMap]: { event: E; payload: Parameters<ConnectionEventMap[E]>[0] } }[keyof ConnectionEventMap];

describe('client: connection events across a broker outage', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('reports disconnected, reconnecting (attempt, delay within the backoff, cause), connected and reconnected, in that order', async () => {
    const broker = await fixture.start();
    const initialDelayMs = 40;
    const maxDelayMs = 160;
    const client = await fixture.client(broker.address, { reconnect: { initialDelayMs, maxDelayMs } });
    const seen: Recorded[] = [];
    for (const event of ['connected', 'disconnected', 'reconnecting', 'reconnected', 'error', 'closed'] as const) {
      client.connection.on(event, (payload?: unknown) => seen.push({ event, payload } as Recorded));
    }
    await broker.kill();
    await waitFor(() => seen.filter((e) => e.event === 'reconnecting').length >= 5, '5 reconnect attempts', 10_000);
    await broker.restart();
    await waitFor(() => seen.some((e) => e.event === 'reconnected'), 'the reconnected event', 10_000);

    const names = seen.map((e) => e.event);
    const attempts = seen.filter((e) => e.event === 'reconnecting').length;
    expect(names).to.deep.equal(['disconnected', ...Array<string>(attempts).fill('reconnecting'), 'connected', 'reconnected']);
    const disconnected = seen[0] as Extract<Recorded, { event: 'disconnected' }>;
    expect(disconnected.payload.cause).to.be.instanceOf(ConnectionError);
    seen
      .filter((e): e is Extract<Recorded, { event: 'reconnecting' }> => e.event === 'reconnecting')
      .forEach(({ payload }, i) => {
        expect(payload.attempt).to.equal(i + 1);
        const base = Math.min(maxDelayMs, initialDelayMs * 2 ** i);
        expect(payload.delayMs).to.be.within(base / 2, base);
        expect(payload.cause).to.be.instanceOf(Error);
        // After the first failed attempt, the cause is why the broker could not be reached.
        if (i > 0) expect(payload.cause.message).to.match(/ECONNREFUSED/);
      });
    const reconnected = seen[seen.length - 1] as Extract<Recorded, { event: 'reconnected' }>;
    expect(reconnected.payload.attempts).to.equal(attempts);
    expect(reconnected.payload.downtimeMs).to.be.greaterThan(0);
    expect(await client.count('events/k')).to.equal(0);
  });
});
