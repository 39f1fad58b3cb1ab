import { expect } from 'chai';
import { CompressionTypes, type Consumer } from 'kafkajs';
import { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { TcpProxy } from '../../support/TcpProxy.js';
import { KafkajsClients, received, type Received } from './KafkajsClients.js';
import { restartKafkaBroker, startKafkaBroker, waitFor } from './KafkaTestBroker.js';

/** Run a consumer, gathering what it receives. */
async function gather(consumer: Consumer, topic: string, fromBeginning: boolean): Promise<Received[]> {
  const got: Received[] = [];
  await consumer.subscribe({ topic, fromBeginning });
  await consumer.run({ eachMessage: async (payload) => void got.push(received(payload)) });
  return got;
}

/** Resolve once the consumer completed a fetch. */
function fetched(consumer: Consumer): Promise<void> {
  return new Promise((resolve) => {
    const stop = consumer.on(consumer.events.FETCH, () => {
      stop();
      resolve();
    });
  });
}

describe('Kafka listener with kafkajs', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  const clients = new KafkajsClients(fixture);
  let broker: BrokerProcess;
  let kafka: string;
  let native: OdlogClient;

  before(async () => {
    ({ broker, kafka } = await startKafkaBroker(fixture));
    native = await fixture.client(broker.address, {}, 'file');
  });
  afterEach(function () {
    clients.printOnFailure(this.currentTest);
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('sends with acks -1, 1 and 0 and gzip, and a consumer from the beginning gets back each key, value and header at offsets 0, 1, 2...', async () => {
    const topic = 'kjs-acks';
    const client = clients.kafka([kafka]);
    const producer = await clients.producer(client);
    const first = await producer.send({ topic, acks: -1, messages: [{ key: 'k0', value: 'v0', headers: { trace: 't0' } }, { key: null, value: 'v1' }] });
    expect(first.map((r) => [r.baseOffset, r.errorCode])).to.deep.equal([['0', 0]]);
    const second = await producer.send({ topic, acks: 1, messages: [{ key: 'k2', value: 'v2' }] });
    expect(second[0].baseOffset).to.equal('2');
    expect(Number(second[0].logAppendTime)).to.be.closeTo(Date.now(), 60_000);
    await producer.send({ topic, acks: 0, messages: [{ key: 'k3', value: 'v3' }] });
    const zipped = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: 'k4', value: 'v4'.repeat(100) }, { key: 'k5', value: null }] });
    expect(zipped[0].baseOffset).to.equal('4');

    const consumer = await clients.consumer(client, { groupId: 'kjs-acks-group' });
    const got = await gather(consumer, topic, true);
    await waitFor(() => got.length >= 6, () => `${got.length} of 6 messages arrived`);
    expect(got.map((m) => [m.offset, m.key, m.value])).to.deep.equal([
      [0, 'k0', 'v0'],
      [1, null, 'v1'],
      [2, 'k2', 'v2'],
      [3, 'k3', 'v3'],
      [4, 'k4', 'v4'.repeat(100)],
      [5, 'k5', null],
    ]);
    // The produced headers, then the record's odlog sequence (matching the native reader's).
    expect(got[0].headers.trace).to.equal('t0');
    expect(Object.keys(got[0].headers)).to.deep.equal(['trace', 'odlog.sequence']);
    const page = await native.scan(topic);
    expect(page.entries.map((e) => e.value.toString())).to.deep.equal(['v0', 'v1', 'v2', 'v3', 'v4'.repeat(100), '']);
    expect(got.map((m) => Number(m.headers['odlog.sequence']))).to.deep.equal(page.entries.map((e) => e.sequence));
    // Append timestamps (LogAppendTime), never decreasing.
    for (let i = 1; i < got.length; i++) expect(got[i].timestamp).to.be.at.least(got[i - 1].timestamp);
    expect(got[0].timestamp).to.equal(Number(first[0].logAppendTime));
  });

  it('an idempotent producer whose answer was lost retries, and the batch is stored once and answered with its original offset', async () => {
    const topic = 'kjs-idempotent';
    // Clients reach the broker only through the proxy: Metadata advertises the proxy's port.
    const proxy = fixture.track(await TcpProxy.start({ host: '127.0.0.1', port: 1 }), (p) => p.close());
    const own = await startKafkaBroker(fixture, ['--kafka-advertised-host', '127.0.0.1', '--kafka-advertised-port', String(proxy.port)]);
    const port = Number(/:(\d+)$/.exec(own.kafka)?.[1]);
    proxy.retarget({ host: '127.0.0.1', port });
    const ownNative = await fixture.client(own.broker.address);
    const producer = await clients.producer(clients.kafka([proxy.address], { retry: { initialRetryTime: 100, retries: 20 } }), { idempotent: true, maxInFlightRequests: 1 });
    const sent = await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'first' }] });
    expect(sent[0].baseOffset).to.equal('0');

    proxy.dropResponses = true;
    const retried = producer.send({ topic, acks: -1, messages: [{ key: 'b', value: 'second' }, { key: 'c', value: 'third' }] });
    await waitFor(async () => (await ownNative.count(topic)) === 3, () => 'the second batch was not appended');
    await waitFor(() => proxy.droppedBytes > 0, () => 'its answer was not dropped');
    proxy.dropResponses = false;
    proxy.cutAll(); // the producer sees its connection fail with the batch unanswered, and sends it again
    const answer = await retried;
    expect(answer[0].baseOffset).to.equal('1');
    expect(proxy.accepted).to.be.greaterThan(1);
    const page = await ownNative.scan(topic);
    expect(page.entries.map((e) => e.value.toString())).to.deep.equal(['first', 'second', 'third']);
    const later = await producer.send({ topic, acks: -1, messages: [{ key: 'd', value: 'fourth' }] });
    expect(later[0].baseOffset).to.equal('3');
  });

  it('a group consumer starts at the end with fromBeginning false and at the start with true', async () => {
    const topic = 'kjs-from';
    const client = clients.kafka([kafka]);
    const producer = await clients.producer(client);
    await producer.send({ topic, messages: [{ value: 'old-0' }, { value: 'old-1' }] });

    const latest = await clients.consumer(client, { groupId: 'kjs-from-latest' });
    // Its position is the end once it fetched (kafkajs resolves positions before its first fetch).
    const latestFetched = fetched(latest);
    const fromEnd = await gather(latest, topic, false);
    await latestFetched;
    const earliest = await clients.consumer(client, { groupId: 'kjs-from-earliest' });
    const fromStart = await gather(earliest, topic, true);
    await waitFor(() => fromStart.length >= 2, () => `${fromStart.length} of the 2 old messages arrived`);
    await producer.send({ topic, messages: [{ value: 'new-2' }] });
    await waitFor(() => fromEnd.length >= 1 && fromStart.length >= 3, () => `latest got ${fromEnd.length}, earliest ${fromStart.length}`);
    expect(fromEnd.map((m) => [m.offset, m.value])).to.deep.equal([[2, 'new-2']]);
    expect(fromStart.map((m) => [m.offset, m.value])).to.deep.equal([[0, 'old-0'], [1, 'old-1'], [2, 'new-2']]);
  });

  it('two consumers in one group rebalance: one owns the partition, each message is consumed once, and the other takes over when it leaves', async () => {
    const topic = 'kjs-pair';
    const groupId = 'kjs-pair-group';
    const client = clients.kafka([kafka]);
    const producer = await clients.producer(client);
    const got: { consumer: string; message: Received }[] = [];
    const run = async (name: string): Promise<Consumer> => {
      const consumer = await clients.consumer(client, { groupId });
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async (payload) => void got.push({ consumer: name, message: received(payload) }) });
      return consumer;
    };
    const a = await run('a');
    await producer.send({ topic, messages: [{ value: 'm0' }, { value: 'm1' }] });
    await waitFor(() => got.length >= 2, () => `${got.length} of 2 messages before the second consumer`);
    const b = await run('b');
    const admin = client.admin();
    await admin.connect();
    fixture.track(admin, (x) => x.disconnect());
    let owners: string[] = [];
    await waitFor(async () => {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      owners = group.members.filter((m) => m.memberAssignment.length > 0 && m.memberAssignment.includes(Buffer.from(topic))).map((m) => m.memberId);
      return group.state === 'Stable' && group.members.length === 2;
    }, () => 'the group did not settle with both members', 30_000, 100);
    expect(owners).to.have.length(1);

    await producer.send({ topic, messages: [{ value: 'm2' }, { value: 'm3' }] });
    await waitFor(() => got.length >= 4, () => `${got.length} of 4 messages with both consumers`);
    const ownerName = got[got.length - 1].consumer;
    await (ownerName === 'a' ? a : b).disconnect();
    await producer.send({ topic, messages: [{ value: 'm4' }] });
    await waitFor(() => got.length >= 5, () => `${got.length} of 5 messages after the owner left`);
    expect(got.map((g) => g.message.value)).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got[4].consumer).to.not.equal(ownerName);
    expect(new Set(got.slice(2, 4).map((g) => g.consumer)).size).to.equal(1);
  });

  it('commits, and after a broker restart the group resumes after its last commit with no duplicate; fetchOffsets and lag agree', async () => {
    const topic = 'kjs-restart';
    const groupId = 'kjs-restart-group';
    const own = await startKafkaBroker(fixture);
    let client = clients.kafka([own.kafka]);
    const producer = await clients.producer(client);
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
    const first = await clients.consumer(client, { groupId });
    const before = await gather(first, topic, true);
    await waitFor(() => before.length >= 5, () => `${before.length} of 5 messages before the restart`);
    await first.disconnect(); // commits what it consumed, and leaves
    await producer.disconnect();

    let admin = client.admin();
    await admin.connect();
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).to.deep.equal([{ topic, partitions: [{ partition: 0, offset: '5', metadata: null }] }]);
    await admin.disconnect();

    const address = await restartKafkaBroker(own.broker);
    client = clients.kafka([address]);
    const producerAfter = await clients.producer(client);
    await producerAfter.send({ topic, messages: ['f', 'g'].map((value) => ({ value })) });
    const second = await clients.consumer(client, { groupId });
    const after = await gather(second, topic, true);
    await waitFor(() => after.length >= 2, () => `${after.length} of 2 messages after the restart`);
    expect(before.map((m) => m.value)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(after.map((m) => [m.offset, m.value])).to.deep.equal([[5, 'f'], [6, 'g']]);

    // Lag = high watermark - committed offset: 0 once the consumer caught up and committed.
    admin = client.admin();
    await admin.connect();
    fixture.track(admin, (x) => x.disconnect());
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const [end] = await admin.fetchTopicOffsets(topic);
      return Number(end.high) - Number(committed.partitions[0].offset) === 0;
    }, () => 'the lag did not reach 0', 20_000, 200);
    const [end] = await admin.fetchTopicOffsets(topic);
    expect([end.low, end.high]).to.deep.equal(['0', '7']);
  });
});
