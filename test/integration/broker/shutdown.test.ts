import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import { ConnectionError, ShuttingDownError } from '../../../clients/errors.js';
import type { AppendResult, OdlogClient } from '../../../clients/OdlogClient.js';
import { socketTransports } from '../../../clients/transport/SocketTransport.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Subscribe, SubscriptionEndPush } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { settle, sleep, waitFor, type Outcome } from '../../support/LogFixture.js';

describe('broker: SIGTERM with appends in flight', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  const outcomes = new Map<number, { records: number; outcome: Outcome<AppendResult> }>();
  let exitCode: number | null;
  let appendersSettled: Outcome<unknown>;
  const stored = new Map<string, number>();

  // Twelve appenders on three connections append until the broker goes away; SIGTERM arrives
  // once 50 appends were answered. Then the broker is started again on its data directory.
  before(async () => {
    broker = await fixture.start();
    const clients = await Promise.all([0, 1, 2].map(() => fixture.client(broker.address, { reconnect: false, requestTimeoutMs: 30_000 }, 'file')));
    let nextBatch = 0;
    const appender = async (client: OdlogClient): Promise<void> => {
      // A client without reconnect never sends a request made after its connection is gone.
      while (client.connection.isConnected) {
        const batch = nextBatch++;
        const records = 1 + (batch % 5);
        const outcome = await settle(client.append(Array.from({ length: records }, (_, i) => ({ key: `drain/${batch % 7}`, value: `b${batch}/r${i}` }))));
        outcomes.set(batch, { records, outcome });
        if (!outcome.ok) return;
      }
    };
    const appenders = clients.flatMap((c) => [appender(c), appender(c), appender(c), appender(c)]);
    await waitFor(() => outcomes.size >= 50, '50 answered appends');
    exitCode = await broker.stop();
    // Every request must settle well before its 30 s timeout.
    appendersSettled = await settle(within(Promise.all(appenders), 10_000, () => 'some appends never settled'));
    await broker.restart();
    const reader = await fixture.client(broker.address, {}, 'file');
    for (let k = 0; k < 7; k++) for await (const e of reader.scanAll(`drain/${k}`)) stored.set(e.value.toString(), e.sequence);
  });
  after(() => fixture.cleanup());
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });

  it('exits with code 0', () => {
    expect(exitCode, broker.stderrTail()).to.equal(0);
  });

  it('answers every append in flight, or fails it with SHUTTING_DOWN or a connection error: none is left hanging', () => {
    expect(appendersSettled.ok ? 'settled' : String(appendersSettled.error)).to.equal('settled');
    const failures = [...outcomes.values()].filter((o) => !o.outcome.ok).map((o) => (o.outcome as { error: unknown }).error);
    for (const error of failures) expect(error, String(error)).to.satisfy((e: unknown) => e instanceof ShuttingDownError || e instanceof ConnectionError);
  });

  it('keeps every acknowledged append, at the sequences it was acknowledged with, after a restart', () => {
    let acknowledged = 0;
    for (const [batch, { records, outcome }] of outcomes) {
      if (!outcome.ok) continue;
      acknowledged++;
      const present = Array.from({ length: records }, (_, i) => stored.get(`b${batch}/r${i}`));
      expect(present, `acknowledged batch ${batch}`).to.deep.equal(Array.from({ length: records }, (_, i) => outcome.value.startSequence + i));
    }
    expect(acknowledged).to.be.at.least(50);
  });

  it('writes no append it refused with SHUTTING_DOWN, and no part of an append whose answer was lost', () => {
    for (const [batch, { records, outcome }] of outcomes) {
      if (outcome.ok) continue;
      const present = Array.from({ length: records }, (_, i) => stored.get(`b${batch}/r${i}`));
      if (outcome.error instanceof ShuttingDownError) expect(present.every((s) => s === undefined), `batch ${batch} refused with SHUTTING_DOWN`).to.equal(true);
      else expect(present.every((s) => s === undefined) || present.every((s) => s !== undefined), `batch ${batch} is whole or absent`).to.equal(true);
    }
  });
});

describe('broker: SIGTERM drains cleanly', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;

  beforeEach(async () => {
    broker = await fixture.start();
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('answers a long-poll scan in flight and ends subscriptions with SHUTTING_DOWN before closing', async () => {
    const conn = fixture.track(await BrokerConnection.open({ transports: socketTransports({ host: broker.host, port: broker.port }), reconnect: false }), (c) => c.close());
    const client = await fixture.client(broker.address, { reconnect: false });
    await client.append([{ key: 'drain/sub', value: 'x' }]);
    const ends: { code: number; nextSequence: number }[] = [];
    conn.onPush(3, (frame) => {
      if (frame.messageType === MessageType.SubscriptionEnd) ends.push({ ...SubscriptionEndPush.body.decode(frame.body) });
    });
    await conn.request(Subscribe, { subscriptionId: 3, keys: [Buffer.from('drain/sub')], prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 100, creditBytes: 1 << 20 });
    const polled = settle(client.scan('drain/nothing', { start: 0 }, { maxWaitMs: 30_000 }));
    await sleep(200);
    expect(await broker.stop()).to.equal(0);
    const poll = await within(polled, 5000, () => 'the long-poll was never answered');
    // The long-poll is answered (empty), not cut off.
    expect(poll.ok ? poll.value.entries : poll.error).to.deep.equal([]);
    expect(ends).to.have.length(1);
    expect(ends[0].code).to.equal(ErrorCode.ShuttingDown);
    expect(ends[0].nextSequence).to.equal(1);
  });

  it('exits 0 on SIGTERM when idle, and a second start on the same data directory sees everything', async () => {
    const client = await fixture.client(broker.address, { reconnect: false });
    const r = await client.append([{ key: 'drain/idle', value: 'kept' }], { awaitDurable: false });
    client.close();
    expect(await broker.stop()).to.equal(0);
    expect(broker.exitStatus).to.deep.equal({ code: 0, signal: null });
    await broker.restart();
    const reader = await fixture.client(broker.address);
    expect((await reader.scan('drain/idle')).entries.map((e) => [e.sequence, e.value.toString()])).to.deep.equal([[r.startSequence, 'kept']]);
  });

  it('a client without reconnect fails a request made after the broker went away at once, not after its timeout', async () => {
    const client = await fixture.client(broker.address, { reconnect: false, requestTimeoutMs: 20_000 });
    await client.ping();
    expect(await broker.stop()).to.equal(0);
    await waitFor(() => !client.connection.isConnected, 'the client to see the connection close');
    const outcome = await within(settle(client.ping()), 3000, () => 'a request on a connection that will never come back waited for its 20 s timeout');
    expect(outcome.ok ? 'answered' : outcome.error).to.be.instanceOf(ConnectionError);
  });
});
