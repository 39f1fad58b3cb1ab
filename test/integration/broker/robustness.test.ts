import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import { InvalidRequestError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { socketTransports } from '../../../clients/transport/SocketTransport.js';
import type { Entry } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Subscribe, type SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { settle, waitFor } from '../../support/LogFixture.js';
import { pushedEntries } from '../../support/PushFrames.js';

/**
 * Requests a client may send that the broker must answer (with a result or an error) without
 * harm to itself or to other clients: each test ends by checking that the broker process still
 * runs and serves another connection.
 */
describe('broker: requests that must not hurt the broker or other clients', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  let client: OdlogClient;

  beforeEach(async () => {
    broker = await fixture.start();
    client = await fixture.client(broker.address);
    await client.append([
      { key: 'rb/a', value: 'a0' },
      { key: 'rb/b', value: 'b0' },
      { key: 'other', value: 'o0' },
      { key: 'rb/a', value: 'a1' },
    ]);
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  /** The broker process still runs and serves a new connection (which proves it ran on after the request). */
  async function expectBrokerStillServing(): Promise<void> {
    const other = await fixture.client(broker.address, { reconnect: false, connectTimeoutMs: 2000 });
    expect(await other.count('other')).to.equal(1);
    expect(broker.isRunning, `the broker exited: ${JSON.stringify(broker.exitStatus)}\n${broker.stderrTail(15)}`).to.equal(true);
  }

  async function rawSubscription(fields: Partial<SubscribeRequest>): Promise<{ response: Awaited<ReturnType<typeof settle>>; entries: Entry[]; conn: BrokerConnection }> {
    const conn = fixture.track(await BrokerConnection.open({ transports: socketTransports({ host: broker.host, port: broker.port }), reconnect: false }), (c) => c.close());
    const entries: Entry[] = [];
    conn.onPush(1, (frame) => {
      if (frame.messageType === MessageType.SubscriptionBatch) entries.push(...pushedEntries(frame));
    });
    const response = await settle(conn.request(Subscribe, { subscriptionId: 1, keys: [], prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 100, creditBytes: 1 << 20, ...fields }));
    return { response, entries, conn };
  }

  /** A Ping answered on `conn` after the last commit: every push decided before it has arrived. */
  async function barrier(conn: BrokerConnection): Promise<void> {
    await conn.request(Ping, { timeMs: 0 });
  }

  it('subscribes to the empty prefix as to every key (as docs/protocol.md says), delivering everything in order', async () => {
    const { response, entries, conn } = await rawSubscription({ prefix: Buffer.alloc(0) });
    expect(response.ok ? 'subscribed' : String(response.error)).to.equal('subscribed');
    await waitFor(() => entries.length >= 4 || !broker.isRunning, 'every entry');
    const live = await client.append([{ key: 'zzz', value: 'z0' }]);
    await waitFor(() => entries.length >= 5, 'the live entry');
    await barrier(conn);
    expect(entries.map((e) => [e.key.toString(), e.value.toString()])).to.deep.equal([
      ['rb/a', 'a0'],
      ['rb/b', 'b0'],
      ['other', 'o0'],
      ['rb/a', 'a1'],
      ['zzz', 'z0'],
    ]);
    expect(entries[4].sequence).to.equal(live.startSequence);
    await expectBrokerStillServing();
  });

  it('accepts a cursor following the empty prefix (every key) and refuses one naming an empty key with INVALID_REQUEST; Stats reports the lag of the accepted ones', async () => {
    await client.commitCursor('every-key', 1, { prefix: '' });
    for (const keys of [[''], ['rb/a', '']]) {
      const commit = await settle(client.commitCursor(`bad-${JSON.stringify(keys)}`, 0, { keys }));
      expect(commit.ok ? 'committed' : commit.error, JSON.stringify(keys)).to.be.instanceOf(InvalidRequestError);
      expect(await client.getCursor(`bad-${JSON.stringify(keys)}`)).to.equal(null);
    }
    await client.commitCursor('good', 1, { keys: ['rb/a'] });
    const lags = new Map((await client.stats()).cursors.map((c) => [c.name, c.lagRecords]));
    // Entries at or after sequence 1: b0, o0, a1 for every key; a1 for rb/a.
    expect(Object.fromEntries(lags)).to.deep.equal({ 'every-key': 3, good: 1 });
    await expectBrokerStillServing();
  });

  it('delivers each entry once to a subscription that names the same key twice', async () => {
    const { response, entries, conn } = await rawSubscription({ keys: [Buffer.from('rb/a'), Buffer.from('rb/a')] });
    expect(response.ok).to.equal(true);
    await waitFor(() => entries.length >= 2, 'two entries');
    await client.append([{ key: 'rb/a', value: 'a2' }]);
    await waitFor(() => entries.length >= 3, 'the live entry');
    await barrier(conn);
    expect(entries.map((e) => e.value.toString())).to.deep.equal(['a0', 'a1', 'a2']);
    await expectBrokerStillServing();
  });

  it('refuses a subscription naming both keys and a prefix, or neither, with INVALID_REQUEST', async () => {
    for (const fields of [{ keys: [Buffer.from('rb/a')], prefix: Buffer.from('rb/') }, { keys: [], prefix: null }, { keys: [Buffer.alloc(0)] }]) {
      const { response } = await rawSubscription(fields);
      expect(response.ok ? 'subscribed' : response.error, JSON.stringify(fields)).to.be.instanceOf(InvalidRequestError);
    }
    await expectBrokerStillServing();
  });

  it('refuses a second subscription with an id already in use on the connection', async () => {
    const conn = fixture.track(await BrokerConnection.open({ transports: socketTransports({ host: broker.host, port: broker.port }), reconnect: false }), (c) => c.close());
    const request: SubscribeRequest = { subscriptionId: 9, keys: [Buffer.from('rb/a')], prefix: null, from: 'LATEST', sequence: 0, cursor: null, creditRecords: 10, creditBytes: 1000, timeMs: 0 };
    await conn.request(Subscribe, request);
    const second = await settle(conn.request(Subscribe, { ...request, keys: [Buffer.from('rb/b')] }));
    expect(second.ok ? 'subscribed' : (second.error as InvalidRequestError).code).to.equal(ErrorCode.InvalidRequest);
    await expectBrokerStillServing();
  });

  it('answers a subscription from a sequence beyond the end, and delivers from that sequence once the log gets there', async () => {
    const end = (await client.stats()).committedSequence;
    const { response, entries, conn } = await rawSubscription({ keys: [Buffer.from('rb/b')], from: 'SEQUENCE', sequence: end + 3 });
    expect(response.ok).to.equal(true);
    const r = await client.append(Array.from({ length: 6 }, (_, i) => ({ key: 'rb/b', value: `late${i}` })));
    await waitFor(() => entries.length >= 3, 'the entries at and after the start');
    await barrier(conn);
    expect(entries.map((e) => e.sequence)).to.deep.equal([3, 4, 5].map((i) => r.startSequence + i));
    await expectBrokerStillServing();
  });
});
