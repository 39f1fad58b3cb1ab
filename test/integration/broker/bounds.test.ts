import { expect } from 'chai';
import { ConnectionError, ThrottledError, UnauthorizedError } from '../../../clients/errors.js';
import { OdlogClient } from '../../../clients/OdlogClient.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { lines, runCli } from '../../support/Cli.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { sleep, waitFor } from '../../support/LogFixture.js';
import { errorOf, RawErrorResponse } from '../../support/RawConnection.js';

describe('broker: bounds and authentication', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  async function rawError(promise: Promise<unknown>): Promise<number> {
    const error = await rejectionOf(promise);
    expect(error).to.be.instanceOf(RawErrorResponse);
    return (error as RawErrorResponse).body.code;
  }

  describe('--connections-max', () => {
    it('answers a connection beyond the bound with LIMIT_EXCEEDED and closes it, while the others are served', async () => {
      const broker = await fixture.start(['--connections-max', '3']);
      const held = [await fixture.raw(broker), await fixture.raw(broker), await fixture.raw(broker)];
      for (const c of held) await c.request(Ping, { timeMs: 1 });
      const refused = await fixture.raw(broker);
      await refused.waitUntil(() => refused.isClosed, 'the broker to close the connection beyond the bound');
      expect(refused.frames).to.have.length(1);
      const error = errorOf(refused.frames[0]);
      expect(error.code).to.equal(ErrorCode.LimitExceeded);
      expect(error.retryable).to.equal(true);
      expect(error.message).to.contain('connectionsMax');
      for (const c of held) expect((await c.request(Ping, { timeMs: 2 })).timeMs).to.equal(2);
    });

    it('makes OdlogClient.connect fail with the reason, and accepts a connection again once one closes', async () => {
      const broker = await fixture.start(['--connections-max', '2']);
      const held = [await fixture.raw(broker), await fixture.raw(broker)];
      for (const c of held) await c.request(Ping, { timeMs: 1 });
      const error = await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false }));
      expect(error).to.be.instanceOf(ConnectionError);
      expect(error.message).to.contain('connectionsMax');
      held[0].destroy();
      await held[0].whenClosed;
      await waitFor(async () => {
        try {
          await (await OdlogClient.connect({ broker: broker.address, reconnect: false })).close();
          return true;
        } catch {
          return false;
        }
      }, 'a connection to be accepted again');
    });

    it('leaves nothing behind when OdlogClient.connect is refused: no connection is opened in the background later', async () => {
      const broker = await fixture.start(['--connections-max', '2']);
      const held = [await fixture.raw(broker), await fixture.raw(broker)];
      for (const c of held) await c.request(Ping, { timeMs: 1 });
      // The caller sees a failed connect and has no client to close.
      await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } }));
      held[0].destroy();
      await held[0].whenClosed;
      await sleep(1000);
      // The freed slot is still free for the next client.
      const next = await fixture.client(broker.address, { reconnect: false });
      expect((await next.stats()).connections).to.equal(2);
    });
  });

  describe('--subscriptions-per-connection-max', () => {
    it('refuses a subscription beyond the bound with LIMIT_EXCEEDED, on that connection only', async () => {
      const broker = await fixture.start(['--subscriptions-per-connection-max', '2']);
      const client = await fixture.client(broker.address);
      const first = await client.subscribe({ keys: ['bound/a'] });
      await client.subscribe({ keys: ['bound/b'] });
      const error = await rejectionOf(client.subscribe({ prefix: 'bound/' }));
      expect(error).to.be.instanceOf(ThrottledError);
      expect((error as ThrottledError).code).to.equal(ErrorCode.LimitExceeded);
      expect(error.message).to.contain('2 subscriptions');
      // Another connection has its own allowance.
      const other = await fixture.client(broker.address);
      const elsewhere = await other.subscribe({ keys: ['bound/a'], from: 'latest' });
      // Unsubscribing frees a place.
      await first.close();
      const third = await client.subscribe({ keys: ['bound/c'], from: 'latest' });
      await client.append([{ key: 'bound/c', value: 'x' }, { key: 'bound/a', value: 'y' }]);
      expect((await third.next()).value?.value.toString()).to.equal('x');
      expect((await elsewhere.next()).value?.value.toString()).to.equal('y');
      expect((await client.stats()).subscriptions).to.equal(3);
    });
  });

  describe('--in-flight-requests-max', () => {
    it('answers a request beyond the requests in flight on a connection with THROTTLED, and serves it again once they finish', async () => {
      const broker = await fixture.start(['--in-flight-requests-max', '3']);
      const conn = await fixture.raw(broker);
      const polls = [0, 1, 2].map((i) => conn.send(Scan, { key: Buffer.from(`flight/${i}`), start: 0, end: null, limit: 10, maxBytes: 1000, maxWaitMs: 800, startTimeMs: null }));
      const ids = await Promise.all(polls);
      const code = await rawError(conn.request(Ping, { timeMs: 1 }));
      expect(code).to.equal(ErrorCode.Throttled);
      for (const id of ids) await conn.response(id, 5000);
      expect((await conn.request(Ping, { timeMs: 3 })).timeMs).to.equal(3);
    });
  });

  describe('--idle-timeout-ms', () => {
    it('closes a connection with nothing going on, but not one with a subscription or a request in flight', async () => {
      const broker = await fixture.start(['--idle-timeout-ms', '600']);
      const idle = await fixture.raw(broker);
      const subscribed = await fixture.raw(broker);
      const polling = await fixture.raw(broker);
      await idle.request(Ping, { timeMs: 1 });
      await subscribed.request(Subscribe, { subscriptionId: 1, keys: [Buffer.from('idle/k')], prefix: null, from: 'LATEST', sequence: 0, cursor: null, creditRecords: 10, creditBytes: 1000, timeMs: 0 });
      const poll = await polling.send(Scan, { key: Buffer.from('idle/p'), start: 0, end: null, limit: 1, maxBytes: 1000, maxWaitMs: 2000, startTimeMs: null });
      await idle.waitUntil(() => idle.isClosed, 'the idle connection to be closed', 5000);
      expect(subscribed.isEnded).to.equal(false);
      expect(polling.isEnded).to.equal(false);
      await polling.response(poll, 5000);
      expect((await subscribed.request(Ping, { timeMs: 2 })).timeMs).to.equal(2);
    });
  });

  describe('--auth-token', () => {
    const token = 's3cret-token-for-tests';
    let broker: BrokerProcess;
    beforeEach(async () => {
      broker = await fixture.start(['--auth-token', token, '--hello-timeout-ms', '1500']);
    });

    it('answers requests before a Hello with UNAUTHORIZED', async () => {
      const conn = await fixture.raw(broker);
      expect(await rawError(conn.request(Ping, { timeMs: 1 }))).to.equal(ErrorCode.Unauthorized);
      const hello = await conn.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: token });
      expect(hello.authenticated).to.equal(true);
      expect((await conn.request(Ping, { timeMs: 2 })).timeMs).to.equal(2);
    });

    it('refuses a Hello with a wrong or missing token with UNAUTHORIZED, and the connection stays unauthenticated', async () => {
      const conn = await fixture.raw(broker);
      expect(await rawError(conn.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: 'wrong' }))).to.equal(ErrorCode.Unauthorized);
      expect(await rawError(conn.request(Ping, { timeMs: 1 }))).to.equal(ErrorCode.Unauthorized);
      expect(await rawError(conn.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: null }))).to.equal(ErrorCode.Unauthorized);
      expect(await rawError(conn.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: `${token}x` }))).to.equal(ErrorCode.Unauthorized);
      expect(await rawError(conn.request(Ping, { timeMs: 1 }))).to.equal(ErrorCode.Unauthorized);
    });

    it('makes OdlogClient.connect fail with UnauthorizedError for a wrong or missing token, and succeed with the right one', async () => {
      expect(await rejectionOf(OdlogClient.connect({ broker: broker.address, token: 'not-the-token', reconnect: false }))).to.be.instanceOf(UnauthorizedError);
      expect(await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false }))).to.be.instanceOf(UnauthorizedError);
      const client = await fixture.client(broker.address, { token });
      await client.append([{ key: 'auth/k', value: 'v' }]);
      expect(await client.count('auth/k')).to.equal(1);
    });

    it('counts failed Hellos in Stats authFailuresTotal', async () => {
      const client = await fixture.client(broker.address, { token });
      expect((await client.stats()).authFailuresTotal).to.equal(0);
      await rejectionOf(OdlogClient.connect({ broker: broker.address, token: 'wrong-1', reconnect: false }));
      await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false }));
      const conn = await fixture.raw(broker);
      await rejectionOf(conn.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: 'wrong-2' }));
      // A request before Hello is refused but is not a failed Hello.
      await rejectionOf(conn.request(Ping, { timeMs: 1 }));
      expect((await client.stats()).authFailuresTotal).to.equal(3);
    });

    it('closes a connection that sends no valid Hello within --hello-timeout-ms, and keeps one that did', async () => {
      const [silent, authenticated] = [await fixture.raw(broker), await fixture.raw(broker)];
      await authenticated.request(Hello, { protocolVersion: 1, clientId: 'raw', authToken: token });
      expect(await rawError(silent.request(Ping, { timeMs: 1 }))).to.equal(ErrorCode.Unauthorized);
      await silent.waitUntil(() => silent.isClosed, 'the broker to close the connection', 10_000);
      await sleep(300);
      expect(authenticated.isEnded).to.equal(false);
      expect((await authenticated.request(Ping, { timeMs: 5 })).timeMs).to.equal(5);
    });

    it('lets the command line in with --token, and refuses it without', async () => {
      const withToken = await runCli(['produce', 'auth/cli', '--value', 'v', '--broker', broker.address, '--token', token]);
      expect(withToken.code, withToken.stderr).to.equal(0);
      const without = await runCli(['count', 'auth/cli', '--broker', broker.address]);
      expect(without.code).to.equal(1);
      expect(lines(without.stderr)).to.have.length(1);
      expect(without.stderr).to.contain('token');
    });
  });
});
