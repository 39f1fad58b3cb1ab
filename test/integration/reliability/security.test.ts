import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { BrokerRequestError, ConnectionError, ForbiddenError, UnauthorizedError } from '../../../clients/errors.js';
import { OdlogClient } from '../../../clients/OdlogClient.js';
import { limits } from '../../../src/limits.js';
import { encodeRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { encodeRawFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags } from '../../../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../../../src/protocol/Message.js';
import { Flush } from '../../../src/protocol/messages/flush.js';
import { Seal } from '../../../src/protocol/messages/seal.js';
import { Append } from '../../../src/protocol/messages/append.js';
import { Count } from '../../../src/protocol/messages/count.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Unsubscribe } from '../../../src/protocol/messages/unsubscribe.js';
import { CommitCursor } from '../../../src/protocol/messages/commitCursor.js';
import { GetCursor } from '../../../src/protocol/messages/getCursor.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { ListKeys } from '../../../src/protocol/messages/listKeys.js';
import { ListSegments } from '../../../src/protocol/messages/listSegments.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { Stats } from '../../../src/protocol/messages/stats.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf, take, within } from '../../support/ClientHelpers.js';
import { waitFor } from '../../support/LogFixture.js';
import { runOdlog } from '../../support/OdlogRun.js';
import { errorOf, isErrorFrame, RawConnection, RawErrorResponse } from '../../support/RawConnection.js';
import { makeSelfSigned, opensslUnavailable } from '../../support/TlsCerts.js';

/** A valid request of every type but Hello (what an unauthenticated client might try). */
const requests: [MessageDefinition<unknown, unknown>, unknown][] = [
  [Ping, { timeMs: 1 }],
  [Append, { producerId: null, batchNumber: 0, awaitDurable: false, timeoutMs: 0, expect: [], records: encodeRecordBatch([{ key: Buffer.from('sec/k'), value: Buffer.from('v') }]) }],
  [Scan, { key: Buffer.from('sec/k'), start: 0, end: null, limit: 10, maxBytes: 1024, maxWaitMs: 0 }],
  [Subscribe, { subscriptionId: 1, keys: [Buffer.from('sec/k')], prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 10, creditBytes: 1024 }],
  [Credit, { subscriptionId: 1, records: 1, bytes: 1 }],
  [Unsubscribe, { subscriptionId: 1 }],
  [Count, { key: Buffer.from('sec/k'), start: 0, end: null }],
  [ListKeys, { startSegment: null, endSegment: null, prefix: null, after: null, limit: 10 }],
  [ListSegments, { start: 0, end: null }],
  [Seal, {}],
  [Flush, {}],
  [CommitCursor, { name: 'c', sequence: 0, keys: [Buffer.from('sec/k')], prefix: null }],
  [GetCursor, { name: 'c' }],
  [Stats, {}],
] as [MessageDefinition<unknown, unknown>, unknown][];

/** The error code a raw request got (0: it succeeded). */
async function codeOf(conn: RawConnection, message: MessageDefinition<unknown, unknown>, body: unknown): Promise<number> {
  try {
    await conn.request(message, body);
    return 0;
  } catch (error) {
    if (error instanceof RawErrorResponse) return error.body.code;
    throw error;
  }
}

async function codeOfCall(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (error) {
    if (error instanceof BrokerRequestError) return error.code;
    throw error;
  }
}

describe('reliability: security', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  describe('--auth-token', () => {
    const token = 'tok-3f9a1c77e2b54d8a';
    const wrongTokens = ['tok-3f9a1c77e2b54d8b', 'wrong-secret-9c1e', '', token.toUpperCase()];

    it('answers nothing but Hello before a valid token, refuses wrong and missing tokens, counts and logs each failure without the token text', async () => {
      const broker = await fixture.start(['--auth-token', token, '--log-level', 'info']);
      const conn = await fixture.raw(broker);
      const before: string[] = [];
      for (const [message, body] of requests) before.push(`${message.name}:${await codeOf(conn, message, body)}`);
      expect(before, 'requests before Hello').to.deep.equal(requests.map(([m]) => `${m.name}:${ErrorCode.Unauthorized}`));

      let failures = 0;
      for (const authToken of [null, ...wrongTokens]) {
        expect(await codeOf(conn, Hello as MessageDefinition<unknown, unknown>, { protocolVersion: 1, clientId: 'sec-test', authToken }), `Hello with ${JSON.stringify(authToken)}`).to.equal(ErrorCode.Unauthorized);
        failures++;
      }
      const after: string[] = [];
      for (const [message, body] of requests) after.push(`${message.name}:${await codeOf(conn, message, body)}`);
      expect(after, 'requests after failed Hellos').to.deep.equal(requests.map(([m]) => `${m.name}:${ErrorCode.Unauthorized}`));

      const refused = await rejectionOf(OdlogClient.connect({ broker: broker.address, token: wrongTokens[1], reconnect: false }));
      expect(refused).to.be.instanceOf(UnauthorizedError);
      failures++;

      const hello = await conn.request(Hello, { protocolVersion: 1, clientId: 'sec-test', authToken: token });
      expect(hello.authenticated).to.equal(true);
      for (const [message, body] of requests) expect(await codeOf(conn, message, body), `${message.name} after a valid Hello`).to.not.equal(ErrorCode.Unauthorized);

      const admin = await fixture.client(broker.address, { token });
      expect((await admin.stats()).authFailuresTotal).to.equal(failures);
      // The log line is written after the refusal is answered: wait for the last of them.
      const authFailedLines = (): string[] => broker.stderr.split('\n').filter((line) => /auth_failed/.test(line));
      await waitFor(() => authFailedLines().length >= failures, `${failures} auth_failed lines on stderr`);
      const logged = authFailedLines();
      expect(logged, `auth_failed lines in:\n${broker.stderr}`).to.have.length(failures);
      for (const secret of [token, ...wrongTokens.filter((t) => t.length > 0)]) {
        expect(broker.stderr.includes(secret), `the broker logged a token (${secret})`).to.equal(false);
        expect(broker.stdout.includes(secret), `the broker printed a token (${secret})`).to.equal(false);
      }
    });

    it('logs no token text even at --log-level debug', async () => {
      const broker = await fixture.start(['--auth-token', token, '--log-level', 'debug']);
      await rejectionOf(OdlogClient.connect({ broker: broker.address, token: wrongTokens[0], reconnect: false }));
      const client = await fixture.client(broker.address, { token });
      await client.append([{ key: 'sec/k', value: 'v' }]);
      const raw = await fixture.raw(broker);
      // A malformed Hello carrying a token (a byte trails its body): its error must not echo the token.
      const body = Buffer.concat([Hello.request.at(1).type.toBuffer({ protocolVersion: 1, clientId: 'x', authToken: wrongTokens[1] }), Buffer.from([0x00])]);
      const error = errorOf(await raw.response(await raw.write(encodeRawFrame({ messageType: Hello.type, version: 1, flags: 0, correlationId: 5 }, body)).then(() => 5)));
      expect(error.code).to.equal(ErrorCode.InvalidRequest);
      expect(error.message.includes(wrongTokens[1]), 'the error echoes the token').to.equal(false);
      // Everything this test made the broker log is on stderr once the raw connection's close is logged (the last event).
      const closedLines = (): number => broker.stderr.split('\n').filter((line) => /connection_closed/.test(line)).length;
      const closedBefore = closedLines();
      raw.destroy();
      await waitFor(() => closedLines() > closedBefore, 'the raw connection logged as closed');
      for (const secret of [token, wrongTokens[0], wrongTokens[1]]) expect(broker.stderr.includes(secret), `the broker logged a token at debug level (${secret})`).to.equal(false);
    });

    it('takes the token from ODLOG_AUTH_TOKEN too', async () => {
      const envToken = 'env-token-77c1d2e0';
      const broker = await fixture.start(['--log-level', 'info'], { env: { ODLOG_AUTH_TOKEN: envToken } });
      expect(await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false, token: 'nope-nope' }))).to.be.instanceOf(UnauthorizedError);
      expect(await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false }))).to.be.instanceOf(UnauthorizedError);
      const client = await fixture.client(broker.address, { token: envToken });
      await client.append([{ key: 'sec/k', value: 'v' }]);
      expect((await client.stats()).authFailuresTotal).to.equal(2);
      expect(broker.stderr.includes(envToken)).to.equal(false);
    });

    it('closes a connection that sends no valid Hello within --hello-timeout-ms', async () => {
      const broker = await fixture.start(['--auth-token', token, '--hello-timeout-ms', '1000']);
      const idle = await fixture.raw(broker);
      const failing = await fixture.raw(broker);
      expect(await codeOf(failing, Hello as MessageDefinition<unknown, unknown>, { protocolVersion: 1, clientId: 'x', authToken: 'bad-token' })).to.equal(ErrorCode.Unauthorized);
      await within(Promise.all([idle.whenClosed, failing.whenClosed]), 10_000, () => 'connections without a valid Hello were kept open');
    });
  });

  describe('per-token permissions (--config tokens)', () => {
    const tokens = { a: 'tenant-a-token-1b2c3d', b: 'tenant-b-token-4e5f6a', admin: 'admin-token-7b8c9d0e' };
    let broker: BrokerProcess;
    let admin: OdlogClient;
    let tenantA: OdlogClient;
    /** Keys the admin wrote: tenant-a sees exactly the first three. */
    const keysOfA = ['tenant-a:1', 'tenant-a:2', 'tenant-a:z'];
    const foreign = ['tenant-a', 'tenant-ab:x', 'tenant-b:1', 'tenant-b:secret', 'other', 'a-before-all', 'zz-after-all'];

    beforeEach(async () => {
      broker = await fixture.startWithConfig({
        tokens: [
          { name: 'tenant-a', token: tokens.a, append: ['tenant-a:'], read: ['tenant-a:'] },
          { name: 'tenant-b', token: tokens.b, append: ['tenant-b:'], read: ['tenant-b:'] },
          { name: 'admin', token: tokens.admin, admin: true },
        ],
      });
      admin = await fixture.client(broker.address, { token: tokens.admin });
      for (const key of [...keysOfA, ...foreign]) await admin.append([{ key, value: `${key} v1` }, { key, value: `${key} v2` }]);
      tenantA = await fixture.client(broker.address, { token: tokens.a });
    });

    it('lets a tenant append under its prefix only: a batch with one foreign key is refused with FORBIDDEN and none of it is written', async () => {
      expect((await tenantA.append([{ key: 'tenant-a:new', value: 'ok' }])).count).to.equal(1);
      for (const key of ['tenant-b:1', 'tenant-a', 'tenant-ab:x', 'other']) {
        expect(await rejectionOf(tenantA.append([{ key: 'tenant-a:mixed', value: 'x' }, { key, value: 'x' }])), key).to.be.instanceOf(ForbiddenError);
      }
      expect(await admin.count('tenant-a:mixed')).to.equal(0);
      for (const key of foreign) expect(await admin.count(key), key).to.equal(2);
    });

    it('lets a tenant read under its prefix only: Scan, Count, Subscribe (keys and prefixes) and GetCursor of foreign keys are FORBIDDEN', async () => {
      await admin.commitCursor('billing-b', 3, { keys: ['tenant-b:1'] });
      const raw = await fixture.raw(broker);
      await raw.request(Hello, { protocolVersion: 1, clientId: 'tenant-a-raw', authToken: tokens.a });
      const sub = (keys: string[], prefix: string | null): unknown => ({ subscriptionId: 9, keys: keys.map((k) => Buffer.from(k)), prefix: prefix === null ? null : Buffer.from(prefix), from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 100, creditBytes: 1 << 20 });
      const cases: [string, MessageDefinition<unknown, unknown>, unknown][] = [
        ['Scan tenant-b:1', Scan as MessageDefinition<unknown, unknown>, { key: Buffer.from('tenant-b:1'), start: 0, end: null, limit: 10, maxBytes: 1024, maxWaitMs: 0 }],
        ['Scan tenant-a (no colon)', Scan as MessageDefinition<unknown, unknown>, { key: Buffer.from('tenant-a'), start: 0, end: null, limit: 10, maxBytes: 1024, maxWaitMs: 0 }],
        ['Count tenant-b:secret', Count as MessageDefinition<unknown, unknown>, { key: Buffer.from('tenant-b:secret'), start: 0, end: null }],
        ['Subscribe keys [tenant-b:1]', Subscribe as MessageDefinition<unknown, unknown>, sub(['tenant-b:1'], null)],
        ['Subscribe keys [tenant-a:1, tenant-b:1]', Subscribe as MessageDefinition<unknown, unknown>, sub(['tenant-a:1', 'tenant-b:1'], null)],
        ['Subscribe prefix tenant-', Subscribe as MessageDefinition<unknown, unknown>, sub([], 'tenant-')],
        ['Subscribe prefix tenant-a', Subscribe as MessageDefinition<unknown, unknown>, sub([], 'tenant-a')],
        ['Subscribe prefix (empty)', Subscribe as MessageDefinition<unknown, unknown>, sub([], '')],
        ['GetCursor billing-b', GetCursor as MessageDefinition<unknown, unknown>, { name: 'billing-b' }],
        ['CommitCursor following tenant-b:1', CommitCursor as MessageDefinition<unknown, unknown>, { name: 'mine', sequence: 0, keys: [Buffer.from('tenant-b:1')], prefix: null }],
        ['CommitCursor following prefix tenant-', CommitCursor as MessageDefinition<unknown, unknown>, { name: 'mine', sequence: 0, keys: [], prefix: Buffer.from('tenant-') }],
      ];
      const got: string[] = [];
      for (const [label, message, body] of cases) got.push(`${label}: ${await codeOf(raw, message, body)}`);
      expect(got).to.deep.equal(cases.map(([label]) => `${label}: ${ErrorCode.Forbidden}`));
      expect(raw.frames.filter((f) => (f.flags & FrameFlags.Push) !== 0), 'pushes to refused subscriptions').to.have.length(0);

      // Within its prefix everything works, and a prefix subscription sees nothing else.
      expect((await tenantA.scan('tenant-a:1')).entries).to.have.length(2);
      const consumer = await tenantA.subscribe({ prefix: 'tenant-a:', from: 'earliest' });
      const entries = await take(consumer, 6);
      expect(entries.map((e) => e.key.toString()).sort()).to.deep.equal(['tenant-a:1', 'tenant-a:1', 'tenant-a:2', 'tenant-a:2', 'tenant-a:z', 'tenant-a:z']);
      await admin.append([{ key: 'tenant-b:later', value: 'x' }, { key: 'tenant-a:later', value: 'y' }]);
      const [next] = await take(consumer, 1);
      expect(next.key.toString()).to.equal('tenant-a:later');
    });

    it('never reveals a key outside the tenant prefix in ListKeys: no prefix, a broader prefix, a foreign prefix, paging with after', async () => {
      const all = async (options: { prefix?: string; limit?: number; after?: string }): Promise<{ keys: string[]; mores: boolean[] }> => {
        const keys: string[] = [];
        const mores: boolean[] = [];
        let after = options.after;
        for (;;) {
          const page = await tenantA.listKeys({ prefix: options.prefix, after, limit: options.limit ?? 1000 });
          keys.push(...page.keys.map((k) => k.toString()));
          mores.push(page.more);
          if (!page.more || page.keys.length === 0) return { keys, mores };
          after = page.keys[page.keys.length - 1].toString();
        }
      };
      expect((await all({})).keys, 'no prefix').to.deep.equal(keysOfA);
      expect((await all({ prefix: 'tenant' })).keys, 'prefix tenant').to.deep.equal(keysOfA);
      expect((await all({ prefix: 't' })).keys, 'prefix t').to.deep.equal(keysOfA);
      expect((await all({ prefix: 'tenant-a' })).keys, 'prefix tenant-a (no colon)').to.deep.equal(keysOfA);
      expect((await all({ prefix: 'tenant-b:' })).keys, 'foreign prefix').to.deep.equal([]);
      expect((await all({ prefix: 'o' })).keys, 'prefix o').to.deep.equal([]);
      expect((await all({ limit: 1 })).keys, 'paging one key at a time').to.deep.equal(keysOfA);
      expect((await all({ after: 'a' })).keys, 'after a').to.deep.equal(keysOfA);
      expect((await all({ after: 'tenant-a:2' })).keys, 'after tenant-a:2').to.deep.equal(['tenant-a:z']);
      // `more` says nothing about foreign keys: a page holding all readable keys is the last.
      const exact = await tenantA.listKeys({ limit: keysOfA.length });
      expect(exact.more, 'more=true although only foreign keys follow').to.equal(false);
    });

    it('refuses a conditional append whose expectation names a foreign key with FORBIDDEN (not CONFLICT), and writes nothing', async () => {
      const error = await rejectionOf(tenantA.append([{ key: 'tenant-a:cond', value: 'x' }], { expect: [{ key: 'tenant-b:secret', lastSequence: null }] }));
      expect(error, String(error)).to.be.instanceOf(ForbiddenError);
      expect(await admin.count('tenant-a:cond')).to.equal(0);
    });

    it('refuses admin-only requests (Seal, Stats) to tenant tokens and serves them to the admin', async () => {
      expect(await codeOfCall(tenantA.seal())).to.equal(ErrorCode.Forbidden);
      expect(await codeOfCall(tenantA.stats())).to.equal(ErrorCode.Forbidden);
      const segments = (await admin.listSegments()).length;
      await admin.seal();
      await admin.append([{ key: 'tenant-a:after-seal', value: 'x' }]);
      expect((await admin.listSegments()).length).to.equal(segments + 1);
      expect((await admin.stats()).authFailuresTotal).to.equal(0);
    });

    it('does not let a tenant overwrite a cursor that follows keys it may not read', async () => {
      await admin.commitCursor('billing-b', 3, { keys: ['tenant-b:1'] });
      const code = await codeOfCall(tenantA.commitCursor('billing-b', 0, { keys: ['tenant-a:1'] }));
      const cursor = await admin.getCursor('billing-b');
      expect({ code, sequence: cursor?.sequence, follows: cursor?.keys.map((k) => k.toString()) }, 'tenant-a replaced tenant-b\'s cursor').to.deep.equal({
        code: ErrorCode.Forbidden,
        sequence: 3,
        follows: ['tenant-b:1'],
      });
    });

    it('does not reveal the position of a foreign cursor through Subscribe', async () => {
      await admin.commitCursor('billing-b', 3, { keys: ['tenant-b:1'] });
      const raw = await fixture.raw(broker);
      await raw.request(Hello, { protocolVersion: 1, clientId: 'tenant-a-raw', authToken: tokens.a });
      const end = (await admin.stats()).committedSequence;
      const id = await raw.send(Subscribe, { subscriptionId: 4, keys: [Buffer.from('tenant-a:1')], prefix: null, from: 'LATEST', sequence: 0, cursor: 'billing-b', creditRecords: 10, creditBytes: 1 << 20, timeMs: 0 });
      const frame = await raw.response(id);
      if (isErrorFrame(frame)) expect(errorOf(frame).code).to.equal(ErrorCode.Forbidden);
      else {
        const response = Subscribe.response.at(1).decode(frame.body);
        expect(response.startSequence, 'Subscribe started at the foreign cursor\'s position (3), revealing it').to.equal(end);
      }
    });
  });

  describe('TLS', () => {
    it('serves a client that trusts its certificate, and no client that does not (other CA, default CAs, plaintext)', async function () {
      const missing = opensslUnavailable();
      if (missing !== undefined) {
        console.log(`skipped: ${missing}`);
        this.skip();
      }
      const dir = fixture.dir('odlog-tls');
      const cert = makeSelfSigned(dir, 'broker');
      const other = makeSelfSigned(dir, 'other-ca');
      const broker = await fixture.start(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
      expect(broker.stdout).to.match(/, tls\)/);

      const client = await fixture.client(broker.address, { tls: { ca: cert.certPem } });
      const consumer = await client.subscribe({ keys: ['tls/k'], from: 'earliest' });
      const out = await client.append([{ key: 'tls/k', value: 'over tls' }]);
      expect((await client.scan('tls/k')).entries.map((e) => e.value.toString())).to.deep.equal(['over tls']);
      expect((await take(consumer, 1))[0].sequence).to.equal(out.startSequence);

      for (const [label, tls] of [
        ['a client trusting another CA', { ca: other.certPem }],
        ['a client with the default CAs', {}],
      ] as const) {
        const error = await rejectionOf(OdlogClient.connect({ broker: broker.address, tls, reconnect: false, connectTimeoutMs: 5000 }));
        expect(error, label).to.be.instanceOf(ConnectionError);
        expect(error.message, label).to.match(/self[- ]signed|certificate|verify/i);
      }

      const plain = await rejectionOf(OdlogClient.connect({ broker: broker.address, reconnect: false, connectTimeoutMs: 3000 }));
      expect(plain, 'a plaintext client').to.be.instanceOf(Error);
      const raw = await fixture.raw(broker);
      await raw.write(raw.encode(Hello, { protocolVersion: 1, clientId: 'plain', authToken: null }, { correlationId: 1 })).catch(() => undefined);
      await within(raw.whenClosed, 10_000, () => 'the TLS broker kept a plaintext connection open').catch(() => undefined);
      expect(raw.frames.filter((f) => (f.flags & FrameFlags.Response) !== 0), 'odlog answers on a plaintext connection').to.have.length(0);
      expect(raw.isClosed).to.equal(true);
    });
  });

  describe('safe defaults', () => {
    it('listens on 127.0.0.1 only when no --host is given', async () => {
      const broker = await fixture.start();
      expect(broker.stdout).to.match(/odlog listening on 127\.0\.0\.1:\d+ /);
      expect(broker.host).to.equal('127.0.0.1');
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((a): a is NonNullable<typeof a> => a !== undefined && a.family === 'IPv4' && !a.internal)
        .map((a) => a.address);
      if (others.length === 0) console.log('      (no non-loopback IPv4 interface here: only the listening line was checked)');
      for (const address of others) {
        const error = await rejectionOf(OdlogClient.connect({ broker: `${address}:${broker.port}`, reconnect: false, connectTimeoutMs: 3000 }));
        expect(error.message, `connecting to ${address}:${broker.port}`).to.match(/ECONNREFUSED|cannot connect/);
      }
    });

    it('reports finite limits equal to the documented defaults in Hello, and every bound has a default', async () => {
      const broker = await fixture.start();
      const client = await fixture.client(broker.address);
      const reported = { ...client.connection.hello.limits };
      expect(reported).to.deep.equal({
        frameBytesMax: limits.frameBytesMax,
        keyBytesMax: limits.keyBytesMax,
        valueBytesMax: limits.valueBytesMax,
        batchRecordsMax: limits.batchRecordsMax,
        batchBytesMax: limits.batchBytesMax,
        inFlightRequestsMax: limits.inFlightRequestsPerConnectionMax,
        subscriptionsPerConnectionMax: limits.subscriptionsPerConnectionMax,
        producerWindowBatches: limits.producerWindowBatches,
      });
      for (const [name, value] of Object.entries(reported)) expect(Number.isSafeInteger(value) && value > 0, name).to.equal(true);
      const help = await runOdlog(['serve', '--help']);
      const defaults = new Map([...help.stdout.matchAll(/^ {2}--([a-z-]+) .*\[default ([^\]]+)\]$/gm)].map((m) => [m[1], m[2]]));
      const bounds: [string, number][] = [
        ['frame-bytes-max', limits.frameBytesMax],
        ['connections-max', limits.connectionsMax],
        ['in-flight-requests-max', limits.inFlightRequestsPerConnectionMax],
        ['output-buffer-bytes-max', limits.outputBufferBytesMax],
        ['subscriptions-per-connection-max', limits.subscriptionsPerConnectionMax],
        ['idle-timeout-ms', limits.idleTimeoutMs],
        ['partial-frame-timeout-ms', limits.partialFrameTimeoutMs],
        ['hello-timeout-ms', limits.helloTimeoutMs],
        ['write-queue-bytes-max', limits.writeQueueBytesMax],
      ];
      for (const [flag, value] of bounds) expect(defaults.get(flag), `--${flag} default`).to.equal(String(value));
    });
  });
});
