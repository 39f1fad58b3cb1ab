import { expect } from 'chai';
import { BrokerConnection, type BrokerConnectionOptions } from '../../../clients/BrokerConnection.js';
import type { ConnectionEventMap } from '../../../clients/ConnectionEvents.js';
import { ClientClosedError, ConnectionError, ConnectionLostError, ProtocolVersionError, RequestTimeoutError, ThrottledError } from '../../../clients/errors.js';
import { encodeFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags } from '../../../src/protocol/frame/FrameHeader.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { errorBody } from '../../../src/protocol/messages/error.js';
import { Ping, type PingRequest } from '../../../src/protocol/messages/ping.js';
import type { HelloRequest } from '../../../src/protocol/messages/hello.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { FakeBroker, type ReceivedRequest } from './FakeBroker.js';
import { waitUntil } from './clientTestKit.js';

type ReconnectingEvent = Parameters<ConnectionEventMap['reconnecting']>[0];

describe('unit: BrokerConnection over an in-memory transport', () => {
  let broker: FakeBroker;
  const open: BrokerConnection[] = [];
  const connect = async (options: Partial<BrokerConnectionOptions> = {}): Promise<BrokerConnection> => {
    const connection = await BrokerConnection.open({ transports: broker.transports(), reconnect: { initialDelayMs: 2, maxDelayMs: 10 }, ...options });
    open.push(connection);
    return connection;
  };
  const ping = (connection: BrokerConnection, timeMs: number, timeoutMs?: number): Promise<number> => connection.request(Ping, { timeMs }, { timeoutMs }).then((r) => r.timeMs);

  beforeEach(() => {
    broker = new FakeBroker();
  });
  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });

  it('offers protocol version 2 in a version 1 Hello frame, and speaks what the broker answers (1 here) in every later frame', async () => {
    const connection = await connect();
    const [hello] = broker.received<HelloRequest>('Hello');
    expect(hello.body.protocolVersion).to.equal(2);
    expect(connection.protocolVersion).to.equal(1);
    await ping(connection, 5);
    expect(broker.frames.filter((f) => f.messageType === Ping.type).map((f) => f.version)).to.deep.equal([1]);
  });

  it('offers version 1 again when a broker older than version 2 refuses the offer of 2 with UNSUPPORTED_VERSION', async () => {
    broker.refusesNewerHello = true;
    const connection = await connect();
    expect(broker.received<HelloRequest>('Hello').map((r) => r.body.protocolVersion)).to.deep.equal([2, 1]);
    expect(connection.protocolVersion).to.equal(1);
    expect(await ping(connection, 7)).to.equal(7);
  });

  it('offers only the version it is told to (protocolVersion: 1)', async () => {
    const connection = await connect({ protocolVersion: 1 });
    expect(broker.received<HelloRequest>('Hello').map((r) => r.body.protocolVersion)).to.deep.equal([1]);
    expect(connection.protocolVersion).to.equal(1);
  });

  it('refuses to send a request encoded for a newer version than the connection speaks, with ProtocolVersionError, and sends nothing', async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.request(Ping, { timeMs: 1 }, { version: 2 }));
    expect(error).to.be.instanceOf(ProtocolVersionError);
    expect((error as ProtocolVersionError).spokenVersion).to.equal(1);
    expect(broker.received('Ping')).to.have.length(0);
  });

  it('matches responses that arrive in another order than the requests to the right requests', async () => {
    const connection = await connect();
    broker.policy = (r) => (r.name === 'Ping' ? 'hold' : 'answer');
    const pings = [1, 2, 3, 4].map((t) => ping(connection, t));
    await waitUntil(() => broker.held.length === 4, 'the 4 pings to arrive');
    for (const request of [...broker.held].reverse()) broker.answer(request);
    expect(await Promise.all(pings)).to.deep.equal([1, 2, 3, 4]);
  });

  it('rejects a request the broker does not answer within its deadline with RequestTimeoutError, ignores the late answer, and stays usable', async () => {
    const connection = await connect();
    broker.policy = (r) => (r.name === 'Ping' && (r.body as PingRequest).timeMs === 1 ? 'hold' : 'answer');
    const error = await rejectionOf(ping(connection, 1, 30));
    expect(error).to.be.instanceOf(RequestTimeoutError);
    expect(error.message).to.equal('Ping got no answer within 30 ms');
    broker.answer(broker.held[0]);
    expect(await ping(connection, 2)).to.equal(2);
    expect(connection.isConnected).to.equal(true);
  });

  it('counts a request waiting for a reconnect against its deadline', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 } });
    broker.stop();
    await waitUntil(() => !connection.isConnected, 'the disconnect');
    expect(await rejectionOf(ping(connection, 1, 30))).to.be.instanceOf(RequestTimeoutError);
  });

  it('refuses requests beyond maxPendingRequests with ThrottledError', async () => {
    const connection = await connect({ maxPendingRequests: 2 });
    broker.policy = () => 'hold';
    const held = [ping(connection, 1), ping(connection, 2)];
    expect(await rejectionOf(ping(connection, 3))).to.be.instanceOf(ThrottledError);
    await waitUntil(() => broker.held.length === 2, 'the two pings');
    for (const request of broker.held.splice(0)) broker.answer(request);
    expect(await Promise.all(held)).to.deep.equal([1, 2]);
  });

  it('reconnects even when maxPendingRequests requests wait for it (Hello is not counted), then sends them', async () => {
    const connection = await connect({ maxPendingRequests: 3 });
    broker.accepting = false;
    broker.dropConnections();
    await waitUntil(() => !connection.isConnected, 'the disconnect');
    const waiting = [1, 2, 3].map((t) => ping(connection, t));
    expect(await rejectionOf(ping(connection, 4))).to.be.instanceOf(ThrottledError);
    broker.accepting = true;
    expect(await Promise.all(waiting)).to.deep.equal([1, 2, 3]);
  });

  it('fails the requests in flight when the connection drops, sends those made while down once reconnected', async () => {
    const connection = await connect();
    broker.policy = (r) => (r.name === 'Ping' ? 'hold' : 'answer');
    const inFlight = ping(connection, 1);
    await waitUntil(() => broker.held.length === 1, 'the ping');
    broker.accepting = false;
    broker.dropConnections();
    const error = await rejectionOf(inFlight);
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.message).to.match(/^connection to the broker lost: connection reset by fake broker/);
    broker.policy = () => 'answer';
    const whileDown = ping(connection, 2);
    broker.accepting = true;
    expect(await whileDown).to.equal(2);
    expect(broker.connections.length).to.equal(2);
  });

  it('reconnects with exponential backoff: each delay is the doubled base (capped), jittered into its upper half', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 4, maxDelayMs: 32 } });
    const attempts: ReconnectingEvent[] = [];
    connection.on('reconnecting', (e) => attempts.push(e));
    broker.stop();
    await waitUntil(() => attempts.length >= 7, '7 attempts');
    attempts.slice(0, 7).forEach((e, i) => {
      expect(e.attempt).to.equal(i + 1);
      const base = Math.min(32, 4 * 2 ** i);
      expect(e.delayMs).to.be.within(base / 2, base);
      expect(e.cause).to.be.instanceOf(ConnectionError);
    });
    expect(attempts[0].cause.message).to.match(/connection reset by fake broker/);
    expect(attempts[1].cause.message).to.match(/ECONNREFUSED/);
    const reconnected = new Promise<Parameters<ConnectionEventMap['reconnected']>[0]>((resolve) => connection.on('reconnected', resolve));
    broker.accepting = true;
    const event = await reconnected;
    expect(event.attempts).to.equal(attempts.length);
    expect(connection.isConnected).to.equal(true);
  });

  it('gives up after maxAttempts: waiting requests and later ones reject with ConnectionLostError naming the last cause', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 }, requestTimeoutMs: 10_000 });
    const events: string[] = [];
    for (const name of ['disconnected', 'reconnecting', 'error', 'closed'] as const) connection.on(name, () => events.push(name));
    broker.stop();
    await waitUntil(() => events.includes('disconnected'), 'the disconnect');
    const waiting = ping(connection, 1);
    const error = await rejectionOf(waiting);
    expect(error).to.be.instanceOf(ConnectionLostError);
    expect(error.message).to.match(/^gave up reconnecting to the broker after 3 attempts: cannot connect to odlog broker at fake:0: connect ECONNREFUSED/);
    expect(broker.connectAttempts).to.equal(1 + 3);
    expect(events).to.deep.equal(['disconnected', 'reconnecting', 'reconnecting', 'reconnecting', 'error', 'closed']);
    expect(await rejectionOf(ping(connection, 2))).to.be.instanceOf(ConnectionLostError);
    expect(connection.isClosed).to.equal(true);
  });

  it('gives up once disconnected for giveUpAfterMs, making a last attempt at that time', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 20, maxDelayMs: 1000, giveUpAfterMs: 150 } });
    const lost = new Promise<{ error: ConnectionLostError; at: number }>((resolve) => connection.on('error', (error) => resolve({ error, at: Date.now() })));
    const attempts: ReconnectingEvent[] = [];
    connection.on('reconnecting', (e) => attempts.push(e));
    const since = Date.now();
    broker.stop();
    const { error, at } = await lost;
    expect(at - since).to.be.at.least(150);
    expect(error.message).to.match(/^gave up reconnecting to the broker after 0\.\d s disconnected \(\d+ attempts\): .*ECONNREFUSED/);
    // Without the bound, the 4th delay would be 80..160 ms; with it, the attempts stop at the bound.
    // Each delay is cut to the time left by the millisecond clock, and a Node timer may fire up to
    // 1 ms early: the sum may pass the bound by under a millisecond per attempt, never by a delay.
    const total = attempts.reduce((sum, e) => sum + e.delayMs, 0);
    expect(total).to.be.at.most(150 + attempts.length);
  });

  it('closes with ConnectionLostError at the first loss when reconnecting is off', async () => {
    const connection = await connect({ reconnect: false });
    const closed = new Promise<Parameters<ConnectionEventMap['closed']>[0]>((resolve) => connection.on('closed', resolve));
    broker.dropConnections();
    const { error } = await closed;
    expect(error).to.be.instanceOf(ConnectionLostError);
    expect(error?.message).to.equal('connection to the broker lost: connection reset by fake broker (reconnecting is off)');
    expect(broker.connectAttempts).to.equal(1);
  });

  it('keeps the process alive while waiting to reconnect (a referenced timer), and not once closed', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const connection = await connect({ reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const baseline = timers();
    const reconnecting = new Promise<void>((resolve) => connection.on('reconnecting', () => resolve()));
    broker.stop();
    await reconnecting;
    expect(timers(), 'referenced timers while backing off').to.equal(baseline + 1);
    connection.close();
    expect(timers(), 'referenced timers once closed').to.equal(baseline);
    await new Promise((resolve) => setImmediate(resolve));
    expect(broker.connectAttempts, 'no attempt after close').to.equal(1);
  });

  it('close() during a connection attempt aborts the attempt', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 1, maxDelayMs: 1 } });
    const closed = new Promise<Parameters<ConnectionEventMap['closed']>[0]>((resolve) => connection.on('closed', resolve));
    broker.hangConnects = true;
    broker.dropConnections();
    await waitUntil(() => broker.connectAttempts === 2, 'a reconnect attempt');
    connection.close();
    await waitUntil(() => broker.abortedConnects === 1, 'the attempt to be aborted');
    expect((await closed).error).to.equal(undefined);
    expect(await rejectionOf(ping(connection, 1))).to.be.instanceOf(ClientClosedError);
  });

  it('reports a connection-level error frame (correlation id 0) as the cause of the disconnect', async () => {
    const connection = await connect({ reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const disconnected = new Promise<Error>((resolve) => connection.on('disconnected', ({ cause }) => resolve(cause)));
    const conn = broker.connections[0];
    conn.toClient(
      encodeFrame({ messageType: 0, version: protocolVersion, flags: FrameFlags.Response | FrameFlags.Error, correlationId: 0 }, errorBody.at(protocolVersion), { code: 13, message: 'too many connections', retryable: true, conflictKey: null, conflictLastSequence: null }),
    );
    conn.close(undefined);
    expect((await disconnected).message).to.equal('connection to the broker lost: too many connections');
  });

  it('drops the connection and reconnects when the broker sends bytes that cannot be parsed', async () => {
    const connection = await connect();
    const causes: Error[] = [];
    connection.on('disconnected', ({ cause }) => causes.push(cause));
    // A length field shorter than a frame header.
    broker.connections[0].toClient(Buffer.from([0, 0, 0, 2, 0, 0]));
    await waitUntil(() => causes.length === 1 && connection.isConnected, 'the reconnect');
    expect(causes[0].message).to.match(/^the broker's stream could not be parsed/);
    expect(await ping(connection, 7)).to.equal(7);
    expect(broker.connections[0].isOpen).to.equal(false);
  });

  it('every request of the decoded stream was one the client sent: correlation ids are unique among pending requests', async () => {
    const connection = await connect();
    broker.policy = (r) => (r.name === 'Ping' ? 'hold' : 'answer');
    const pings = Array.from({ length: 20 }, (_, i) => ping(connection, i));
    await waitUntil(() => broker.held.length === 20, 'the pings');
    const ids = broker.held.map((r: ReceivedRequest) => r.correlationId);
    expect(new Set(ids).size).to.equal(20);
    expect(ids).to.not.include(0);
    for (const r of broker.held.splice(0)) broker.answer(r);
    expect(await Promise.all(pings)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
  });
});
