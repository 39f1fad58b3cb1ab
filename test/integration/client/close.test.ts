import { expect } from 'chai';
import { ClientClosedError } from '../../../clients/errors.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { settle } from '../../support/LogFixture.js';

describe('client: `await client.close()` sends what the producers hold, and never hangs', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  beforeEach(async () => {
    broker = await fixture.start();
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('sends the records a producer still holds and resolves once the broker acknowledged them', async () => {
    const client = await fixture.client(broker.address);
    // A linger far beyond the test: nothing would go out before it without close().
    const producer = client.producer({ lingerMs: 60_000 });
    const sends = Array.from({ length: 50 }, (_, i) => producer.send('close/held', `r${i}`));
    const closing = client.close();
    expect(closing).to.be.instanceOf(Promise);
    await within(closing, 10_000, () => 'close() did not resolve');
    const sequences = await Promise.all(sends);
    expect(sequences.map((s) => s - sequences[0])).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
    const observer = await fixture.client(broker.address);
    expect((await observer.scan('close/held')).entries.map((e) => e.value.toString())).to.deep.equal(Array.from({ length: 50 }, (_, i) => `r${i}`));
    // Closed means closed: the producer and the client refuse new work.
    expect((await settle(producer.send('close/held', 'late'))).ok).to.equal(false);
    expect(await settle(client.ping())).to.have.property('error').that.is.instanceOf(ClientClosedError);
  });

  it('gives up after closeTimeoutMs when the broker is unreachable, rejecting the unsent records with ClientClosedError', async () => {
    const client = await fixture.client(broker.address, { closeTimeoutMs: 300, requestTimeoutMs: 60_000 });
    const producer = client.producer({ lingerMs: 1 });
    expect(await producer.send('close/down', 'acknowledged')).to.be.a('number');
    await broker.kill();
    const sends = Array.from({ length: 10 }, (_, i) => settle(producer.send('close/down', `never ${i}`)));
    const started = Date.now();
    await within(client.close(), 5000, () => 'close() hung with the broker down');
    const outcomes = await within(Promise.all(sends), 1000, () => 'sends were left pending after close() resolved');
    for (const outcome of outcomes) expect(outcome.ok ? 'acknowledged' : outcome.error).to.be.instanceOf(ClientClosedError);
    // It waited for the bound (the broker might have come back), not more than needed.
    expect(Date.now() - started).to.be.at.least(290);
  });

  it('resolves at once and closes the connection before returning when nothing is held (callers that do not await still work)', async () => {
    const client = await fixture.client(broker.address);
    await client.ping();
    void client.close();
    expect(client.connection.isClosed).to.equal(true);
    expect(await settle(client.ping())).to.have.property('error').that.is.instanceOf(ClientClosedError);
  });

  it('producer.close({ timeoutMs }) rejects what is still unacknowledged when the bound passes', async () => {
    const client = await fixture.client(broker.address, { requestTimeoutMs: 60_000 });
    const producer = client.producer({ lingerMs: 1 });
    await producer.send('close/producer', 'first');
    await broker.kill();
    const pending = settle(producer.send('close/producer', 'second'));
    await within(producer.close({ timeoutMs: 200 }), 5000, () => 'producer.close({ timeoutMs }) hung');
    const outcome = await within(pending, 1000, () => 'the send was left pending');
    expect(outcome.ok ? 'acknowledged' : outcome.error).to.be.instanceOf(ClientClosedError);
    expect((outcome as { error: Error }).error.message).to.match(/may or may not have been appended|was not sent/);
  });
});
