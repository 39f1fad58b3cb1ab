import { expect } from 'chai';
import { ConnectionLostError } from '../../../clients/errors.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { rejectionOf, take, within } from '../../support/ClientHelpers.js';

describe('client: giving up reconnecting to a broker that does not come back', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('rejects the requests waiting for the broker and later ones with ConnectionLostError, and makes the consumer throw it', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address, { reconnect: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 800 }, requestTimeoutMs: 20_000 });
    await client.append([{ key: 'lost/k', value: 'one' }]);
    const consumer = await client.subscribe({ keys: ['lost/k'], from: 'earliest' });
    expect((await take(consumer, 1)).map((e) => e.value.toString())).to.deep.equal(['one']);
    const gaveUp = new Promise<ConnectionLostError>((resolve) => client.connection.on('error', resolve));
    const disconnected = new Promise<void>((resolve) => client.connection.on('disconnected', () => resolve()));
    const pendingNext = consumer.next();
    await broker.kill();
    await within(disconnected, 5000, () => 'the client did not see the broker go');
    // Made while reconnecting: it waits for the broker, until giving up.
    const waiting = client.count('lost/k');

    const error = await within(gaveUp, 10_000, () => 'the client did not give up reconnecting');
    expect(error).to.be.instanceOf(ConnectionLostError);
    expect(error.message).to.match(/^gave up reconnecting to the broker after \d\.\d s disconnected \(\d+ attempts\): .*ECONNREFUSED/);
    expect(await rejectionOf(waiting)).to.be.instanceOf(ConnectionLostError);
    expect(await rejectionOf(pendingNext)).to.be.instanceOf(ConnectionLostError);
    expect(await rejectionOf(client.ping())).to.be.instanceOf(ConnectionLostError);
    expect(client.connection.isClosed).to.equal(true);
  });
});
