import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { KafkaClient } from '../../../bench/harness/load/KafkaClient.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerStats } from '../../../src/broker/BrokerStats.js';
import { loadBrokerConfig } from '../../../src/broker/config/BrokerConfig.js';
import { KafkaListener } from '../../../src/broker/kafka/KafkaListener.js';
import { Logger } from '../../../src/broker/Logger.js';
import { ApiKey } from '../../../src/protocol/kafka/ApiKeys.js';
import { apiVersionsApi } from '../../../src/protocol/kafka/apis/apiVersions.js';
import { deleteRecordsApi } from '../../../src/protocol/kafka/apis/deleteRecords.js';
import { deleteTopicsApi } from '../../../src/protocol/kafka/apis/deleteTopics.js';
import { fetchApi, type FetchRequest } from '../../../src/protocol/kafka/apis/fetch.js';
import { listOffsetsApi, ListOffsetsTimestamp } from '../../../src/protocol/kafka/apis/listOffsets.js';
import { offsetCommitApi } from '../../../src/protocol/kafka/apis/offsetCommit.js';
import { offsetFetchApi } from '../../../src/protocol/kafka/apis/offsetFetch.js';
import { KafkaErrorCode } from '../../../src/protocol/kafka/KafkaErrorCode.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { LogFixture } from '../../support/LogFixture.js';
import { KafkajsClients, received, type Received } from './KafkajsClients.js';
import { startKafkaBroker, waitFor } from './KafkaTestBroker.js';

function fetchRequest(topic: string, fetchOffset: number, maxWaitMs = 0): FetchRequest {
  return {
    replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  };
}

function deleteRecordsRequest(topic: string, offset: number, partitionIndex = 0) {
  return { topics: [{ name: topic, partitions: [{ partitionIndex, offset }] }], timeoutMs: 5000 };
}

/** Kafka ListOffsets earliest and latest: the log start offset and the high watermark. */
async function bounds(c: KafkaClient, topic: string): Promise<{ start: number; end: number }> {
  const ask = async (timestamp: number): Promise<number> => {
    const answer = await c.request(listOffsetsApi, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] });
    expect(answer.topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
    return answer.topics[0].partitions[0].offset;
  };
  return { start: await ask(ListOffsetsTimestamp.earliest), end: await ask(ListOffsetsTimestamp.latest) };
}

/** Run a consumer of `topic` from the beginning, gathering what it receives. */
async function gather(consumer: Consumer, topic: string): Promise<Received[]> {
  const got: Received[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async (payload) => void got.push(received(payload)) });
  return got;
}

describe('Kafka listener: DeleteRecords and DeleteTopics', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  const clients = new KafkajsClients(fixture);
  const logs = new LogFixture();
  let broker: BrokerProcess;
  let kafka: string;
  let native: OdlogClient;
  const client = async (address = kafka, options: { sasl?: { username: string; password: string } } = {}): Promise<KafkaClient> =>
    fixture.track(await KafkaClient.connect(address, { clientId: 'deletion-test', ...options }), (c) => c.close());
  const values = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}` }));

  before(async () => {
    ({ broker, kafka } = await startKafkaBroker(fixture, ['--log-level', 'info']));
    native = await fixture.client(broker.address, {}, 'file');
  });
  afterEach(async function () {
    clients.printOnFailure(this.currentTest);
    await fixture.releaseTracked(this.currentTest);
    await logs.cleanup();
  });
  after(() => fixture.cleanup());

  it('advertises DeleteTopics 0-3 and DeleteRecords 0-1 in ApiVersions', async () => {
    const c = await client();
    const { apiKeys } = await c.request(apiVersionsApi, {});
    expect(apiKeys.find((a) => a.apiKey === ApiKey.DeleteTopics)).to.deep.equal({ apiKey: ApiKey.DeleteTopics, minVersion: 0, maxVersion: 3 });
    expect(apiKeys.find((a) => a.apiKey === ApiKey.DeleteRecords)).to.deep.equal({ apiKey: ApiKey.DeleteRecords, minVersion: 0, maxVersion: 1 });
  });

  it('admin.deleteTopicRecords removes the records below the offset: consumers start at it, earliest moves, the native reader sees the rest', async () => {
    const topic = 'del-records-kjs';
    const kjs = clients.kafka([kafka]);
    const producer = await clients.producer(kjs);
    await producer.send({ topic, acks: -1, messages: values(10, 'v') });
    const admin = fixture.track(kjs.admin(), (a) => a.disconnect());
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs finds the partition's leader in its metadata cache

    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    expect(await admin.fetchTopicOffsets(topic)).to.deep.equal([{ partition: 0, offset: '10', high: '10', low: '4' }]);
    const page = await native.scan(topic);
    expect(page.entries.map((e) => e.value.toString())).to.deep.equal(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);

    const consumer = await clients.consumer(kjs, { groupId: 'del-records-kjs-group' });
    const got = await gather(consumer, topic);
    await waitFor(() => got.length >= 6, () => `${got.length} of the 6 remaining messages arrived`);
    expect(got.map((m) => [m.offset, m.key, m.value])).to.deep.equal([4, 5, 6, 7, 8, 9].map((i) => [i, `k${i}`, `v${i}`]));

    // -1: up to the high watermark, everything.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] });
    expect(await admin.fetchTopicOffsets(topic)).to.deep.equal([{ partition: 0, offset: '10', high: '10', low: '10' }]);
    expect(await native.count(topic)).to.equal(0);
    // Offsets go on from the high watermark: the next record is offset 10, and the consumer gets it.
    const [next] = await producer.send({ topic, acks: -1, messages: [{ key: 'k10', value: 'v10' }] });
    expect(next.baseOffset).to.equal('10');
    await waitFor(() => got.length >= 7, () => `${got.length} of 7 messages: the one produced after the deletion did not arrive`);
    expect(got[6]).to.include({ offset: 10, value: 'v10' });
  });

  it('answers each partition of a raw DeleteRecords: the new low watermark, OFFSET_OUT_OF_RANGE above the high watermark, nothing below the log start', async () => {
    const topic = 'del-records-raw';
    const c = await client();
    await native.append(values(5, 'r').map((r) => ({ key: topic, value: r.value })));
    const partition = async (offset: number, partitionIndex = 0) => (await c.request(deleteRecordsApi, deleteRecordsRequest(topic, offset, partitionIndex))).topics[0].partitions[0];

    expect(await partition(6)).to.deep.equal({ partitionIndex: 0, lowWatermark: -1, errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE });
    expect(await partition(0, 1)).to.deep.equal({ partitionIndex: 1, lowWatermark: -1, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(await native.count(topic)).to.equal(5);
    expect(await bounds(c, topic)).to.deep.equal({ start: 0, end: 5 });

    expect(await partition(2)).to.deep.equal({ partitionIndex: 0, lowWatermark: 2, errorCode: KafkaErrorCode.NONE });
    expect(await bounds(c, topic)).to.deep.equal({ start: 2, end: 5 });
    // At or below the log start: nothing more goes, and the answer is the log start.
    expect(await partition(1)).to.deep.equal({ partitionIndex: 0, lowWatermark: 2, errorCode: KafkaErrorCode.NONE });
    expect(await native.count(topic)).to.equal(3);

    // A fetch below the new log start is out of range, and names the bounds; at it, records come from there.
    const below = (await c.request(fetchApi, fetchRequest(topic, 1))).responses[0].partitions[0];
    expect(below).to.include({ errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset: 2, highWatermark: 5 });
    const at = (await c.request(fetchApi, fetchRequest(topic, 2))).responses[0].partitions[0];
    expect(at).to.include({ errorCode: KafkaErrorCode.NONE, logStartOffset: 2 });

    expect(await partition(5)).to.deep.equal({ partitionIndex: 0, lowWatermark: 5, errorCode: KafkaErrorCode.NONE });
    expect(await bounds(c, topic)).to.deep.equal({ start: 5, end: 5 });
    await waitFor(() => /kafka_records_deleted .*topic=del-records-raw .*removed=3/.test(broker.stderr), () => broker.stderrTail());
  });

  it('admin.deleteTopics deletes the topic: it leaves the topic list, its next produce starts at offset 0, and a group that had committed starts over', async () => {
    const topic = 'del-topic-kjs';
    const groupId = 'del-topic-kjs-group';
    const kjs = clients.kafka([kafka]);
    const producer = await clients.producer(kjs);
    await producer.send({ topic, acks: -1, messages: values(3, 'old') });
    const first = await clients.consumer(kjs, { groupId });
    const before = await gather(first, topic);
    await waitFor(() => before.length >= 3, () => `${before.length} of 3 messages before the deletion`);
    await first.disconnect(); // commits offset 3, and leaves
    const admin = fixture.track(kjs.admin(), (a) => a.disconnect());
    await admin.connect();
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).to.deep.equal([{ topic, partitions: [{ partition: 0, offset: '3', metadata: null }] }]);
    expect(await admin.listTopics()).to.include(topic);

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).to.not.include(topic);
    expect(await native.count(topic)).to.equal(0);
    expect(await admin.fetchTopicOffsets(topic)).to.deep.equal([{ partition: 0, offset: '0', high: '0', low: '0' }]);
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).to.deep.equal([{ topic, partitions: [{ partition: 0, offset: '-1', metadata: null }] }]);

    const [again] = await producer.send({ topic, acks: -1, messages: [{ key: 'n0', value: 'new0' }, { key: 'n1', value: 'new1' }] });
    expect(again.baseOffset).to.equal('0');
    const second = await clients.consumer(kjs, { groupId });
    const after = await gather(second, topic);
    await waitFor(() => after.length >= 2, () => `${after.length} of the 2 new messages arrived`);
    expect(after.map((m) => [m.offset, m.value])).to.deep.equal([[0, 'new0'], [1, 'new1']]);
    await waitFor(() => /kafka_topic_deleted .*topic=del-topic-kjs .*removed=3 groupOffsetsReset=1/.test(broker.stderr), () => broker.stderrTail());
  });

  it('DeleteTopics answers NONE for a topic that holds nothing and UNKNOWN_TOPIC_OR_PARTITION for an illegal name', async () => {
    const c = await client();
    const answer = await c.request(deleteTopicsApi, { topicNames: ['del-never-written', 'bad:name'], timeoutMs: 5000 });
    expect(answer.responses).to.deep.equal([
      { name: 'del-never-written', errorCode: KafkaErrorCode.NONE },
      { name: 'bad:name', errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
  });

  it('a Fetch waiting on a topic is answered at once when the topic is deleted, with OFFSET_OUT_OF_RANGE', async () => {
    const log = await logs.open();
    const listener = await KafkaListener.start({ log, config: loadBrokerConfig(['--kafka-port', '0']), logger: new Logger('error'), stats: new BrokerStats() });
    fixture.track(listener, (l) => l.shutdown(0));
    const address = `127.0.0.1:${listener.address.port}`;
    await log.append([{ key: 'del-waited', value: 'a' }, { key: 'del-waited', value: 'b' }]);
    const fetcher = await client(address);
    const waiting = fetcher.request(fetchApi, fetchRequest('del-waited', 2, 60_000), { extraTimeoutMs: 60_000 });
    let settled = false;
    void waiting.finally(() => (settled = true));
    await waitFor(() => listener.waitingFetches === 1, () => 'the fetch is not waiting');
    const deleter = await client(address);
    expect((await deleter.request(deleteTopicsApi, { topicNames: ['del-waited'], timeoutMs: 5000 })).responses[0].errorCode).to.equal(KafkaErrorCode.NONE);
    // Well before its 60 s MaxWaitMs: the deletion woke it.
    await waitFor(() => settled, () => 'the waiting fetch was not answered after the deletion', 10_000);
    expect((await waiting).responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset: 0, highWatermark: 0 });
    expect(listener.waitingFetches).to.equal(0);
  });

  describe('with tokens', () => {
    let secured: { broker: BrokerProcess; kafka: string };
    const admin = { username: 'admin', password: 'admin-token-1' };
    const reader = { username: 'reader', password: 'reader-token-1' };

    before(async () => {
      const dir = fixture.dir('odlog-kafka-deletion');
      // The reader may read every topic, and append only under "reader.".
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ tokens: [{ name: 'admin', token: admin.password }, { name: 'reader', token: reader.password, append: ['reader.'] }] }));
      secured = await startKafkaBroker(fixture, ['--config', join(dir, 'config.json')]);
    });

    it('a token without append permission on the topic gets TOPIC_AUTHORIZATION_FAILED from both, and nothing is removed', async () => {
      const topic = 'shared.orders';
      const owner = await client(secured.kafka, { sasl: admin });
      const limited = await client(secured.kafka, { sasl: reader });
      const kjs = clients.kafka([secured.kafka], { sasl: { mechanism: 'plain', ...admin } });
      const producer = await clients.producer(kjs);
      await producer.send({ topic, acks: -1, messages: values(4, 's') });

      const records = await limited.request(deleteRecordsApi, deleteRecordsRequest(topic, 2));
      expect(records.topics[0].partitions[0]).to.deep.equal({ partitionIndex: 0, lowWatermark: -1, errorCode: KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED });
      const topics = await limited.request(deleteTopicsApi, { topicNames: [topic], timeoutMs: 5000 });
      expect(topics.responses).to.deep.equal([{ name: topic, errorCode: KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED }]);
      expect(await bounds(owner, topic)).to.deep.equal({ start: 0, end: 4 });

      const limitedAdmin = fixture.track(clients.kafka([secured.kafka], { sasl: { mechanism: 'plain', ...reader } }).admin(), (a) => a.disconnect());
      await limitedAdmin.connect();
      const refused = await limitedAdmin.deleteTopics({ topics: [topic] }).then(
        () => undefined,
        (error: { type?: string }) => error,
      );
      expect(refused?.type).to.equal('TOPIC_AUTHORIZATION_FAILED');
      expect(await bounds(owner, topic)).to.deep.equal({ start: 0, end: 4 });

      // Where the token may append, it may delete.
      await producer.send({ topic: 'reader.own', acks: -1, messages: values(2, 'o') });
      const own = await limited.request(deleteRecordsApi, deleteRecordsRequest('reader.own', 1));
      expect(own.topics[0].partitions[0]).to.deep.equal({ partitionIndex: 0, lowWatermark: 1, errorCode: KafkaErrorCode.NONE });
      expect((await limited.request(deleteTopicsApi, { topicNames: ['reader.own'], timeoutMs: 5000 })).responses[0].errorCode).to.equal(KafkaErrorCode.NONE);
      expect(await bounds(owner, 'reader.own')).to.deep.equal({ start: 0, end: 0 });
    });
  });

  it('keeps a group\'s offsets of other topics when a topic is deleted', async () => {
    const c = await client();
    const commit = (name: string, committedOffset: number) =>
      c.request(offsetCommitApi, { groupId: 'del-keep', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] });
    await commit('del-keep-a', 7);
    await commit('del-keep-b', 9);
    await c.request(deleteTopicsApi, { topicNames: ['del-keep-a'], timeoutMs: 5000 });
    const fetched = await c.request(offsetFetchApi, { groupId: 'del-keep', topics: [{ name: 'del-keep-a', partitionIndexes: [0] }, { name: 'del-keep-b', partitionIndexes: [0] }] });
    expect(fetched.topics.map((t) => [t.name, t.partitions[0].committedOffset])).to.deep.equal([
      ['del-keep-a', -1],
      ['del-keep-b', 9],
    ]);
  });
});
