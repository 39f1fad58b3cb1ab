import { expect } from 'chai';
import { BrokerRequestError, ConnectionLostError, ForbiddenError } from '../../../clients/errors.js';
import type { Entry } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import type { CommitCursorRequest } from '../../../src/protocol/messages/commitCursor.js';
import type { CreditRequest } from '../../../src/protocol/messages/credit.js';
import type { SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import { rejectionOf, take } from '../../support/ClientHelpers.js';
import { ClientTestKit, waitUntil } from './clientTestKit.js';

const values = (entries: readonly Entry[]): string[] => entries.map((e) => e.value.toString());
const records = (n: number, from = 0): { key: string; value: string }[] => Array.from({ length: n }, (_, i) => ({ key: 'k', value: `v${from + i}` }));

describe('unit: Consumer over an in-memory transport', () => {
  const kit = new ClientTestKit();
  afterEach(() => kit.cleanup());

  it('ends a pending next() when the consumer is closed, and a for-await loop when the client is closed', async () => {
    const client = await kit.client();
    const consumer = await client.subscribe({ keys: ['k'] });
    const pending = consumer.next();
    await consumer.close();
    expect(await pending).to.deep.equal({ done: true, value: undefined });
    expect(await consumer.next()).to.deep.equal({ done: true, value: undefined });

    const second = await client.subscribe({ keys: ['k'], from: 'earliest' });
    kit.broker.store(records(2));
    const seen: string[] = [];
    const loop = (async () => {
      for await (const entry of second) seen.push(entry.value.toString());
      return 'returned';
    })();
    await waitUntil(() => seen.length === 2, 'the 2 entries');
    await client.close();
    expect(await loop).to.equal('returned');
    expect(seen).to.deep.equal(['v0', 'v1']);
  });

  it('when reconnecting gives up, yields the entries already received, then throws ConnectionLostError', async () => {
    const client = await kit.client({ reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
    kit.broker.store(records(3));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest' });
    await waitUntil(() => kit.broker.subscriptions[0]?.nextSequence === 3, 'the 3 entries to be pushed');
    // Let the push arrive before the broker goes.
    await new Promise((resolve) => setImmediate(resolve));
    kit.broker.stop();
    expect(values(await take(consumer, 3))).to.deep.equal(['v0', 'v1', 'v2']);
    const error = await rejectionOf(consumer.next());
    expect(error).to.be.instanceOf(ConnectionLostError);
    expect(error.message).to.match(/^gave up reconnecting to the broker after 2 attempts: .*ECONNREFUSED/);
  });

  it('re-subscribes after a reconnect from the next sequence not received, with credit for what is still buffered: no gap, no duplicate', async () => {
    const client = await kit.client();
    kit.broker.store(records(10));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest', windowRecords: 4 });
    const got = await take(consumer, 1);
    await waitUntil(() => kit.broker.subscriptions[0]?.nextSequence === 4, 'the first window');
    kit.broker.dropConnections();
    await waitUntil(() => kit.broker.received('Subscribe').length === 2, 'the re-subscription');
    const subscribes = kit.broker.received<SubscribeRequest>('Subscribe');
    got.push(...(await take(consumer, 9)));
    expect(got.map((e) => e.sequence)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(subscribes).to.have.length(2);
    expect(subscribes[1].body).to.include({ from: 'SEQUENCE', sequence: 4, creditRecords: 4 - 3 });
    expect(subscribes[1].body.subscriptionId).to.not.equal(subscribes[0].body.subscriptionId);
  });

  it('re-subscribes after what the first push delivered when that push arrived in the same chunk as the Subscribe response', async () => {
    const client = await kit.client();
    kit.broker.store(records(3));
    // The whole log fits the window, so the broker pushes it right behind its answer; on TCP both
    // frames usually arrive in one read. Hold the broker's bytes and deliver them as one chunk.
    const [connection] = kit.broker.connections;
    const send = connection.toClient.bind(connection);
    const chunks: Buffer[] = [];
    connection.toClient = (bytes: Buffer) => void chunks.push(bytes);
    const subscribed = client.subscribe({ keys: ['k'], from: 'earliest' });
    await waitUntil(() => chunks.length === 2, 'the Subscribe response and the first push');
    connection.toClient = send;
    send(Buffer.concat(chunks));
    const consumer = await subscribed;
    expect(values(await take(consumer, 3))).to.deep.equal(['v0', 'v1', 'v2']);
    kit.broker.dropConnections();
    await waitUntil(() => kit.broker.received('Subscribe').length === 2, 'the re-subscription');
    expect(kit.broker.received<SubscribeRequest>('Subscribe')[1].body).to.include({ from: 'SEQUENCE', sequence: 3 });
    kit.broker.store(records(1, 3));
    expect(values(await take(consumer, 1))).to.deep.equal(['v3']);
  });

  it('drops entries pushed again that it already received', async () => {
    const client = await kit.client();
    kit.broker.store(records(3));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest' });
    expect(values(await take(consumer, 3))).to.deep.equal(['v0', 'v1', 'v2']);
    const { connection, id } = kit.broker.subscriptions[0];
    kit.broker.push(connection, id, [...kit.broker.log.slice(1), { key: Buffer.from('k'), value: Buffer.from('v3'), sequence: 3 }], 4);
    expect(values(await take(consumer, 1))).to.deep.equal(['v3']);
  });

  it('grants credit back once half of the window is consumed', async () => {
    const client = await kit.client();
    kit.broker.store(records(8));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest', windowRecords: 4 });
    await take(consumer, 1);
    expect(kit.broker.received('Credit')).to.have.length(0);
    await take(consumer, 1);
    await waitUntil(() => kit.broker.received('Credit').length === 1, 'a Credit');
    expect(kit.broker.received<CreditRequest>('Credit')[0].body.records).to.equal(2);
    expect(values(await take(consumer, 6))).to.deep.equal(['v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
  });

  it('waits for the reconnect when the broker ends the subscription with SHUTTING_DOWN; throws for other codes', async () => {
    const client = await kit.client();
    kit.broker.store(records(1));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest' });
    await take(consumer, 1);
    kit.broker.end(kit.broker.subscriptions[0], ErrorCode.ShuttingDown, 'shutting down');
    await new Promise((resolve) => setImmediate(resolve));
    kit.broker.dropConnections();
    await waitUntil(() => kit.broker.subscriptions.length === 1, 'the re-subscription');
    kit.broker.store(records(1, 1));
    expect(values(await take(consumer, 1))).to.deep.equal(['v1']);

    kit.broker.end(kit.broker.subscriptions[0], ErrorCode.StorageError, 'disk on fire');
    const error = await rejectionOf(consumer.next());
    expect(error).to.be.instanceOf(BrokerRequestError);
    expect(error.message).to.equal('disk on fire');
  });

  it('retries a re-subscription refused with a retryable error; ends with the error when it is not retryable', async () => {
    const client = await kit.client();
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest' });
    let refuse: number | undefined = ErrorCode.Throttled;
    kit.broker.policy = (r) => (r.name === 'Subscribe' && refuse !== undefined ? 'hold' : 'answer');
    kit.broker.dropConnections();
    await waitUntil(() => kit.broker.held.length === 1, 'the re-subscription');
    refuse = undefined;
    kit.broker.fail(kit.broker.held.splice(0)[0], ErrorCode.Throttled, 'busy');
    await waitUntil(() => kit.broker.subscriptions.length === 1, 'the retried re-subscription', 3000);
    kit.broker.store(records(1));
    expect(values(await take(consumer, 1))).to.deep.equal(['v0']);

    refuse = ErrorCode.Forbidden;
    kit.broker.dropConnections();
    await waitUntil(() => kit.broker.held.length === 1, 'the next re-subscription');
    kit.broker.fail(kit.broker.held.splice(0)[0], ErrorCode.Forbidden, 'not yours');
    expect(await rejectionOf(consumer.next())).to.be.instanceOf(ForbiddenError);
  });

  it('auto-commits the position after the last completed entry, and once more on close', async () => {
    const client = await kit.client();
    kit.broker.store(records(5));
    const consumer = await client.subscribe({ keys: ['k'], from: 'earliest', cursor: 'c', autoCommit: { intervalMs: 5 } });
    await take(consumer, 3);
    // Entry 2 is being handled: entries 0 and 1 are complete.
    await waitUntil(() => kit.broker.cursors.get('c') === 2, 'the commit of position 2');
    await take(consumer, 1);
    await waitUntil(() => kit.broker.cursors.get('c') === 3, 'the commit of position 3');
    const commits = kit.broker.received<CommitCursorRequest>('CommitCursor').map((r) => r.body.sequence);
    expect(commits).to.deep.equal([...commits].sort((a, b) => a - b));
    expect(new Set(commits)).to.deep.equal(new Set([2, 3]));
    // Asking for the next entry completes entry 3; closing (while entry 4 is handled) commits that.
    expect((await consumer.next()).value?.sequence).to.equal(4);
    await consumer.close();
    expect(kit.broker.cursors.get('c')).to.equal(4);
    expect(await consumer.next()).to.deep.equal({ done: true, value: undefined });
  });

  it('commits nothing on close when the position did not move since the start', async () => {
    const client = await kit.client();
    kit.broker.cursors.set('c', 7);
    const consumer = await client.subscribe({ keys: ['k'], cursor: 'c', autoCommit: { intervalMs: 60_000 } });
    await consumer.close();
    expect(kit.broker.received('CommitCursor')).to.have.length(0);
  });
});
