import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import { ConnectionError, ShuttingDownError } from '../../../clients/errors.js';
import type { AppendResult, OdlogClient } from '../../../clients/OdlogClient.js';
import { socketTransports } from '../../../clients/transport/SocketTransport.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionEndPush } from '../../../src/protocol/messages/subscriptionEnd.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { settle, waitFor, type Outcome } from '../../support/LogFixture.js';

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
      if (frame.messageType === MessageType.SubscriptionEnd) ends.push({ ...SubscriptionEndPush.body.at(1).decode(frame.body) });
    });
    await conn.request(Subscribe, { subscriptionId: 3, keys: [Buffer.from('drain/sub')], prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 100, creditBytes: 1 << 20, timeMs: 0 });
    const polled = settle(client.scan('drain/nothing', { start: 0 }, { maxWaitMs: 30_000 }));
    // Frames of one client are served in order, and a long-poll registers as its Scan is read: once
    // a Ping sent after it is answered, the long-poll is waiting.
    await client.ping();
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
    await client.close();
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

/**
 * Whether a socket on local port `port` is still open on the broker's side (ESTABLISHED, or
 * CLOSE_WAIT: the client closed and the broker has not yet), from /proc/net/tcp{,6}. Linux only.
 */
function brokerSideOpen(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hexPort}`) && (state === '01' || state === '08')) return true;
    }
  }
  return false;
}

/** The `stopped` line a broker logged (at --log-level info), with its fields. */
function stoppedLine(stderr: string): { reason: string; committedSequence: number; durableSequence: number } | undefined {
  const m = / info stopped reason=(\S+) committedSequence=(\d+) durableSequence=(\d+)$/m.exec(stderr);
  return m === null ? undefined : { reason: m[1], committedSequence: Number(m[2]), durableSequence: Number(m[3]) };
}

describe('broker: SIGTERM and SIGINT stop the broker cleanly (drain, flush, close the log, release the lock, exit 0)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}, with --durability async: logs stopped with everything durable, removes odlog.lock, exits 0, and a restart finds every acknowledged record`, async () => {
      const broker = await fixture.start(['--durability', 'async', '--log-level', 'info']);
      const lock = join(broker.dataDir, 'odlog.lock');
      expect(existsSync(lock), 'the running broker holds odlog.lock').to.equal(true);
      const client = await fixture.client(broker.address, { reconnect: false });
      const acked: { sequence: number; value: string }[] = [];
      // Acknowledged after commit, before fsync: the last of them are not on disk when the signal comes.
      for (let batch = 0; batch < 40; batch++) {
        const values = Array.from({ length: 25 }, (_, i) => `s${batch}/${i}`);
        const r = await client.append(values.map((value) => ({ key: `stop/${batch % 3}`, value })), { awaitDurable: false });
        values.forEach((value, i) => acked.push({ sequence: r.startSequence + i, value }));
      }
      // The usual case, and the one that lost the log: the clients are gone when the signal comes.
      await client.close();
      await waitFor(() => !brokerSideOpen(broker.port), 'the broker to close its side of the client connection');
      process.kill(broker.pid, signal);
      const exit = await broker.waitForExit(30_000);
      expect(exit, broker.stderrTail()).to.deep.equal({ code: 0, signal: null });
      expect(broker.stderr, 'shutting_down logged').to.match(new RegExp(` info shutting_down reason=${signal} `));
      const stopped = stoppedLine(broker.stderr);
      expect(stopped, `no stopped line in:\n${broker.stderrTail()}`).to.deep.equal({ reason: signal, committedSequence: acked.length, durableSequence: acked.length });
      expect(existsSync(lock), 'odlog.lock left behind').to.equal(false);

      // odlog.lock was removed by the broker itself: the next start takes over nothing.
      await broker.restart();
      const reader = await fixture.client(broker.address);
      const stored: { sequence: number; value: string }[] = [];
      for (let k = 0; k < 3; k++) for await (const e of reader.scanAll(`stop/${k}`)) stored.push({ sequence: e.sequence, value: e.value.toString() });
      stored.sort((a, b) => a.sequence - b.sequence);
      expect(stored).to.deep.equal(acked);
    });
  }

  it('on SIGTERM with clients connected, a subscription and a long-poll waiting: stops within the grace period, logs stopped and removes odlog.lock', async () => {
    const broker = await fixture.start(['--log-level', 'info']);
    const client = await fixture.client(broker.address, { reconnect: false });
    await client.append([{ key: 'stop/busy', value: 'x' }]);
    const consumer = fixture.track(await client.subscribe({ keys: ['stop/busy'], from: 'earliest' }), (c) => c.close());
    expect((await consumer.next()).value?.value.toString()).to.equal('x');
    const polled = settle(client.scan('stop/nothing', { start: 0 }, { maxWaitMs: 30_000 }));
    await client.ping();
    expect(await broker.stop(20_000)).to.equal(0);
    await polled;
    expect(stoppedLine(broker.stderr)?.reason, broker.stderrTail()).to.equal('SIGTERM');
    expect(existsSync(join(broker.dataDir, 'odlog.lock'))).to.equal(false);
  });
});
