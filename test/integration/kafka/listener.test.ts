import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { KafkaClient, KafkaClientError } from '../../../bench/harness/load/KafkaClient.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerStats } from '../../../src/broker/BrokerStats.js';
import { loadBrokerConfig } from '../../../src/broker/config/BrokerConfig.js';
import { KafkaListener } from '../../../src/broker/kafka/KafkaListener.js';
import { Logger } from '../../../src/broker/Logger.js';
import type { LogDb, LogDbOptions, WalFiles } from '../../../src/storage/index.js';
import { nodeWalFiles } from '../../../src/storage/wal/WalFiles.js';
import { listOffsetsApi } from '../../../src/protocol/kafka/apis/listOffsets.js';
import { ApiKey } from '../../../src/protocol/kafka/ApiKeys.js';
import { apiVersionsApi } from '../../../src/protocol/kafka/apis/apiVersions.js';
import { createTopicsApi } from '../../../src/protocol/kafka/apis/createTopics.js';
import { fetchApi, type FetchRequest } from '../../../src/protocol/kafka/apis/fetch.js';
import { initProducerIdApi } from '../../../src/protocol/kafka/apis/initProducerId.js';
import { joinGroupApi } from '../../../src/protocol/kafka/apis/joinGroup.js';
import { metadataApi } from '../../../src/protocol/kafka/apis/metadata.js';
import { offsetCommitApi } from '../../../src/protocol/kafka/apis/offsetCommit.js';
import { offsetFetchApi } from '../../../src/protocol/kafka/apis/offsetFetch.js';
import { produceApi } from '../../../src/protocol/kafka/apis/produce.js';
import { KafkaFrameDecoder } from '../../../src/protocol/kafka/frame/KafkaFrameDecoder.js';
import { decodeResponseHeader } from '../../../src/protocol/kafka/frame/ResponseFrame.js';
import { KafkaErrorCode } from '../../../src/protocol/kafka/KafkaErrorCode.js';
import { crc32c } from '../../../src/protocol/kafka/crc32c.js';
import { decodeRecordBatches } from '../../../src/protocol/kafka/records/decodeRecordBatches.js';
import { encodeRecordBatch, type RecordToEncode } from '../../../src/protocol/kafka/records/encodeRecordBatch.js';
import { RecordBatchField } from '../../../src/protocol/kafka/records/RecordBatch.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { LogFixture } from '../../support/LogFixture.js';
import { makeSelfSigned, opensslUnavailable } from '../../support/TlsCerts.js';
import { kafkaAddressOf, restartKafkaBroker, startKafkaBroker, waitFor } from './KafkaTestBroker.js';

function batch(records: readonly Partial<RecordToEncode>[], options: { producerId?: number; baseSequence?: number } = {}): Buffer {
  return encodeRecordBatch({
    baseOffset: 0,
    timestampType: 'CreateTime',
    producerId: options.producerId,
    producerEpoch: options.producerId === undefined ? undefined : 0,
    baseSequence: options.baseSequence,
    records: records.map((r) => ({ timestamp: Date.now(), key: null, value: Buffer.from('v'), ...r })),
  });
}

function produce(topic: string, records: Buffer, acks = -1) {
  return { transactionalId: null, acks, timeoutMs: 10_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, records }] }] };
}

function fetchRequest(topic: string, fetchOffset: number, maxWaitMs = 0): FetchRequest {
  return {
    replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  };
}

/** A raw socket to the Kafka listener, gathering answer frames (size prefix removed). */
async function rawSocket(address: string): Promise<{ socket: Socket; frames: Buffer[]; closed: Promise<void> }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const frames: Buffer[] = [];
  const decoder = new KafkaFrameDecoder(1 << 24);
  socket.on('data', (chunk) => decoder.push(chunk, { frame: (f) => frames.push(Buffer.from(f)), error: () => socket.destroy() }));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, frames, closed };
}

describe('Kafka listener', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  let kafka: string;
  let native: OdlogClient;
  const client = async (address = kafka, clientId = 'listener-test'): Promise<KafkaClient> => fixture.track(await KafkaClient.connect(address, { clientId }), (c) => c.close());

  const logs = new LogFixture();
  /** A Kafka listener in this process, on a log of its own: its waiting fetches can be counted. */
  const inProcess = async (options: Partial<LogDbOptions> = {}): Promise<{ log: LogDb; listener: KafkaListener; address: string }> => {
    const log = await logs.open(options);
    const listener = await KafkaListener.start({ log, config: loadBrokerConfig(['--kafka-port', '0']), logger: new Logger('error'), stats: new BrokerStats() });
    fixture.track(listener, (l) => l.shutdown(0));
    return { log, listener, address: `127.0.0.1:${listener.address.port}` };
  };

  before(async () => {
    ({ broker, kafka } = await startKafkaBroker(fixture, ['--log-level', 'info']));
    native = await fixture.client(broker.address, {}, 'file');
  });
  afterEach(async function () {
    await fixture.releaseTracked(this.currentTest);
    await logs.cleanup();
  });
  after(() => fixture.cleanup());

  describe('settings', () => {
    it('is off by default, and on with --kafka-port, ODLOG_KAFKA_PORT or JSON kafkaPort', async () => {
      const plain = await fixture.start();
      expect(plain.stdout).to.not.match(/kafka/);
      const byEnv = await fixture.start([], { env: { ODLOG_KAFKA_PORT: '0' } });
      const dir = fixture.dir('odlog-kafka-config');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ kafkaPort: 0 }));
      const byJson = await fixture.start(['--config', join(dir, 'config.json')]);
      for (const b of [byEnv, byJson]) {
        const c = await client(kafkaAddressOf(b));
        const meta = await c.request(metadataApi, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        expect(meta.brokers).to.deep.equal([{ nodeId: 0, host: '127.0.0.1', port: Number(kafkaAddressOf(b).split(':')[1]), rack: null }]);
      }
    });

    it('does not start when the Kafka port is taken, and says so in one line naming --kafka-port', async () => {
      const taken = Number(/:(\d+)$/.exec(kafka)?.[1]);
      const error = await expectRejected(fixture.start(['--kafka-port', String(taken)]));
      expect(error.message).to.include(`odlog: the Kafka listener cannot listen on 127.0.0.1:${taken}: the port is in use by another process (EADDRINUSE); stop that process or choose another --kafka-port`);
    });

    it('listening on every address, advertises the address the client reached, not 0.0.0.0', async () => {
      const wide = await fixture.start(['--host', '0.0.0.0', '--kafka-port', '0']);
      const port = Number(/:(\d+)$/.exec(kafkaAddressOf(wide))?.[1]);
      const c = await client(`127.0.0.1:${port}`);
      const meta = await c.request(metadataApi, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      expect(meta.brokers).to.deep.equal([{ nodeId: 0, host: '127.0.0.1', port, rack: null }]);
    });

    it('serves TLS with the broker\'s certificate when it has one', async function () {
      const why = opensslUnavailable();
      if (why !== undefined) {
        console.log(`skipped: ${why}`);
        this.skip();
      }
      const cert = makeSelfSigned(fixture.dir('odlog-kafka-tls'), 'kafka');
      const secured = await startKafkaBroker(fixture, ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
      const c = fixture.track(await KafkaClient.connect(secured.kafka, { tls: { ca: cert.certPem } }), (x) => x.close());
      const answer = await c.request(produceApi, produce('tls-topic', batch([{ value: Buffer.from('over tls') }])));
      expect(answer.responses[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
      await expectRejected(KafkaClient.connect(secured.kafka, { connectTimeoutMs: 3000, requestTimeoutMs: 3000 }));
    });
  });

  describe('protocol', () => {
    it('answers ApiVersions v3 with UNSUPPORTED_VERSION and its API list in the v0 layout, then serves v2 on the same connection', async () => {
      const { socket, frames } = await rawSocket(kafka);
      // ApiVersions v3 (flexible): header v2 = key, version, correlation id, client id, empty tagged fields; body = compact strings + tags.
      const clientId = Buffer.from('flexible-client');
      const header = Buffer.alloc(10 + clientId.length + 1);
      header.writeInt16BE(ApiKey.ApiVersions, 0);
      header.writeInt16BE(3, 2);
      header.writeInt32BE(7, 4);
      header.writeInt16BE(clientId.length, 8);
      clientId.copy(header, 10);
      const body = Buffer.from([4, 0x6a, 0x61, 0x76, 0x1, 0]); // compact "jav", compact "", no tags
      const payload = Buffer.concat([header, body]);
      const size = Buffer.alloc(4);
      size.writeInt32BE(payload.length);
      socket.write(Buffer.concat([size, payload]));
      socket.write(apiVersionsApi.encodeRequest(2, { correlationId: 8, clientId: 'then-v2' }, {}));
      await waitFor(() => frames.length === 2, () => `${frames.length} of 2 answers`);
      const first = decodeResponseHeader(frames[0]);
      expect(first.correlationId).to.equal(7);
      const unsupported = apiVersionsApi.decodeResponse(0, frames[0], first.bodyOffset);
      expect(unsupported.errorCode).to.equal(KafkaErrorCode.UNSUPPORTED_VERSION);
      expect(unsupported.apiKeys.find((a) => a.apiKey === ApiKey.ApiVersions)).to.deep.equal({ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 });
      expect(unsupported.apiKeys.find((a) => a.apiKey === ApiKey.JoinGroup)).to.deep.equal({ apiKey: ApiKey.JoinGroup, minVersion: 0, maxVersion: 5 });
      const second = decodeResponseHeader(frames[1]);
      expect(second.correlationId).to.equal(8);
      expect(apiVersionsApi.decodeResponse(2, frames[1], second.bodyOffset).errorCode).to.equal(KafkaErrorCode.NONE);
      socket.destroy();
    });

    it('closes the connection on an API or a version it does not serve, after answering what came before, and logs the refusal once with the client id', async () => {
      const { socket, frames, closed } = await rawSocket(kafka);
      socket.write(apiVersionsApi.encodeRequest(2, { correlationId: 1, clientId: 'deleter' }, {}));
      // DeleteTopics v0 (key 20): [topics] timeout
      const deleteTopics = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]);
      const header = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 7);
      header.writeInt32BE(header.length - 4 + deleteTopics.length, 0);
      header.writeInt16BE(ApiKey.DeleteTopics, 4);
      header.writeInt16BE(0, 6);
      header.writeInt32BE(2, 8);
      header.writeInt16BE(7, 12);
      header.write('deleter', 14);
      socket.write(Buffer.concat([header, deleteTopics]));
      await closed;
      expect(frames.map((f) => decodeResponseHeader(f).correlationId)).to.deep.equal([1]);
      await waitFor(() => /kafka_refused kind=unsupported:20:0 .*client=deleter .*api=DeleteTopics/.test(broker.stderr), () => broker.stderrTail());

      const old = await rawSocket(kafka);
      old.socket.write(produceApi.encodeRequest(3, { correlationId: 1, clientId: 'old-producer' }, produce('x', batch([{}]))).fill(0, 6, 8)); // version 0
      await old.closed;
      expect(old.frames).to.deep.equal([]);
      await waitFor(() => /kafka_refused kind=unsupported:0:0 .*client=old-producer .*api=Produce version=0/.test(broker.stderr), () => broker.stderrTail());
    });

    it('refuses a batch whose CRC-32C does not match (CORRUPT_MESSAGE), one with a reserved header (INVALID_RECORD) and zstd, appending none of them', async () => {
      const c = await client();
      const good = batch([{ value: Buffer.from('intact') }]);
      const corrupt = Buffer.from(good);
      corrupt[corrupt.length - 2] ^= 0xff;
      const reserved = batch([{ value: Buffer.from('x'), headers: [{ key: 'odlog.kafka.key', value: Buffer.from('forged') }] }]);
      const zstd = Buffer.from(good);
      zstd.writeInt16BE(zstd.readInt16BE(RecordBatchField.attributes) | 4, RecordBatchField.attributes);
      zstd.writeUInt32BE(crc32c(zstd, RecordBatchField.attributes, zstd.length), RecordBatchField.crc);
      const codes = [];
      for (const records of [corrupt, reserved, zstd]) codes.push((await c.request(produceApi, produce('refused-batches', records))).responses[0].partitions[0].errorCode);
      expect(codes).to.deep.equal([KafkaErrorCode.CORRUPT_MESSAGE, KafkaErrorCode.INVALID_RECORD, KafkaErrorCode.UNSUPPORTED_COMPRESSION_TYPE]);
      expect(await native.count('refused-batches')).to.equal(0);
      const answer = await c.request(produceApi, produce('refused-batches', good));
      expect(answer.responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.NONE, baseOffset: 0 });
    });

    it('a Produce with acks 0 gets no answer, and one that fails closes the connection', async () => {
      const c = await client();
      c.post(produceApi, produce('acks-zero', batch([{ value: Buffer.from('quiet') }]), 0));
      await waitFor(async () => (await native.count('acks-zero')) === 1, () => 'the acks 0 record was not appended');
      const corrupt = batch([{ value: Buffer.from('broken') }]);
      corrupt[corrupt.length - 1] ^= 0xff;
      c.post(produceApi, produce('acks-zero', corrupt, 0));
      const error = await expectRejected(c.request(metadataApi, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
      expect((error as KafkaClientError).code).to.equal('Closed');
      expect(await native.count('acks-zero')).to.equal(1);
    });

    it('reports every legal topic name as existing with partition 0 on broker 0, and an illegal one as INVALID_TOPIC_EXCEPTION', async () => {
      const c = await client();
      const meta = await c.request(metadataApi, { topics: [{ name: 'never-written' }, { name: 'bad:name' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      expect(meta.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch])])).to.deep.equal([
        ['never-written', KafkaErrorCode.NONE, [[0, 0, -1]]],
        ['bad:name', KafkaErrorCode.INVALID_TOPIC_EXCEPTION, []],
      ]);
    });

    it('CreateTopics accepts one partition and replication factor 1 only, and says when a topic already holds records', async () => {
      const c = await client();
      await native.append([{ key: 'create-written', value: 'x' }]);
      const topic = (name: string, numPartitions: number, replicationFactor: number) => ({ name, numPartitions, replicationFactor, assignments: [], configs: [] });
      const answer = await c.request(createTopicsApi, { topics: [topic('create-ok', 1, 1), topic('create-many', 3, 1), topic('create-rf', 1, 3), topic('create-written', 1, 1), topic('create:bad', 1, 1)], timeoutMs: 1000, validateOnly: false });
      expect(answer.topics.map((t) => [t.name, t.errorCode])).to.deep.equal([
        ['create-ok', KafkaErrorCode.NONE],
        ['create-many', KafkaErrorCode.INVALID_PARTITIONS],
        ['create-rf', KafkaErrorCode.INVALID_REPLICATION_FACTOR],
        ['create-written', KafkaErrorCode.TOPIC_ALREADY_EXISTS],
        ['create:bad', KafkaErrorCode.INVALID_TOPIC_EXCEPTION],
      ]);
    });

    it('answers a Fetch outside [log start, high watermark] with OFFSET_OUT_OF_RANGE and the bounds', async () => {
      const c = await client();
      await native.append([{ key: 'range-topic', value: 'a' }, { key: 'range-topic', value: 'b' }]);
      const answer = await c.request(fetchApi, fetchRequest('range-topic', 3));
      expect(answer.responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: 2, logStartOffset: 0 });
      const atEnd = await c.request(fetchApi, fetchRequest('range-topic', 2));
      expect(atEnd.responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.NONE, highWatermark: 2, lastStableOffset: 2 });
      expect(atEnd.responses[0].partitions[0].records).to.deep.equal(Buffer.alloc(0));
    });

    it('a Fetch waiting at the end is answered with the record an append commits, and requests pipelined behind it are answered after it', async () => {
      const { log, listener, address } = await inProcess();
      const c = await client(address);
      await log.append([{ key: 'wake-topic', value: 'first' }]);
      const order: string[] = [];
      const waiting = c.request(fetchApi, fetchRequest('wake-topic', 1, 20_000), { extraTimeoutMs: 20_000 }).then((answer) => {
        order.push('fetch');
        return answer;
      });
      const behind = c.request(metadataApi, { topics: [{ name: 'wake-topic' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }).then(() => order.push('metadata'));
      await waitFor(() => listener.waitingFetches === 1, () => 'the fetch is not waiting');
      await log.append([{ key: 'other-topic', value: 'elsewhere' }]);
      expect(listener.waitingFetches).to.equal(1); // a commit to another key does not wake it
      await log.append([{ key: 'wake-topic', value: 'second' }]);
      const answer = await waiting;
      await behind;
      const p = answer.responses[0].partitions[0];
      const records = decodeRecordBatches(p.records as Uint8Array).flatMap((b) => b.records.map((r) => [b.baseOffset + r.offsetDelta, Buffer.from(r.value as Uint8Array).toString(), b.timestampType]));
      expect(records).to.deep.equal([[1, 'second', 'LogAppendTime']]);
      expect(order).to.deep.equal(['fetch', 'metadata']);
    });

    it('hands out producer ids that never repeat, even across a restart, and refuses a transactional id', async () => {
      const own = await startKafkaBroker(fixture);
      let c = await client(own.kafka);
      const init = (transactionalId: string | null) => c.request(initProducerIdApi, { transactionalId, transactionTimeoutMs: 60_000 });
      const a = await init(null);
      const b = await init(null);
      expect([a.errorCode, b.errorCode, a.producerEpoch]).to.deep.equal([0, 0, 0]);
      expect(b.producerId).to.be.greaterThan(a.producerId);
      expect((await init('a-transaction')).errorCode).to.equal(KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      c.close();
      c = await client(await restartKafkaBroker(own.broker));
      expect((await init(null)).producerId).to.be.greaterThan(b.producerId);
    });

    it('answers an idempotent batch sent again with its original offset, and a batch after a gap with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
      const c = await client();
      const { producerId } = await c.request(initProducerIdApi, { transactionalId: null, transactionTimeoutMs: 60_000 });
      const send = async (baseSequence: number, values: string[]) => (await c.request(produceApi, produce('idem-raw', batch(values.map((v) => ({ value: Buffer.from(v) })), { producerId, baseSequence })))).responses[0].partitions[0];
      expect(await send(0, ['a', 'b'])).to.include({ errorCode: 0, baseOffset: 0 });
      expect(await send(2, ['c'])).to.include({ errorCode: 0, baseOffset: 2 });
      expect(await send(2, ['c'])).to.include({ errorCode: 0, baseOffset: 2 });
      expect((await send(9, ['z'])).errorCode).to.equal(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await send(3, ['d'])).to.include({ errorCode: 0, baseOffset: 3 });
      expect((await native.scan('idem-raw')).entries.map((e) => e.value.toString())).to.deep.equal(['a', 'b', 'c', 'd']);
      // The log's window holds the producer's last 64 batches, whatever their base sequences: a
      // 100-record batch retried after a later one is still in it, answered with its offset ...
      const hundred = Array.from({ length: 100 }, (_, i) => `e${i}`);
      expect(await send(4, hundred)).to.include({ errorCode: 0, baseOffset: 4 });
      expect(await send(104, ['f'])).to.include({ errorCode: 0, baseOffset: 104 });
      expect(await send(4, hundred)).to.include({ errorCode: 0, baseOffset: 4 });
      // ... and once 64 later batches pushed it out, a retry of it is a known duplicate, answered as Kafka does.
      for (let s = 105; s < 105 + 64; s++) expect(await send(s, [`g${s}`])).to.include({ errorCode: 0 });
      expect((await send(4, hundred)).errorCode).to.equal(KafkaErrorCode.DUPLICATE_SEQUENCE_NUMBER);
      expect(await native.count('idem-raw')).to.equal(105 + 64);
    });
  });

  describe('idempotence across a restart', () => {
    it('answers a retried batch with its original offset after a restart, and one older than the log\'s window with DUPLICATE_SEQUENCE_NUMBER', async () => {
      const own = await startKafkaBroker(fixture);
      let c = await client(own.kafka);
      const { producerId } = await c.request(initProducerIdApi, { transactionalId: null, transactionTimeoutMs: 60_000 });
      const send = async (baseSequence: number, values: string[]) => (await c.request(produceApi, produce('idem-restart', batch(values.map((v) => ({ value: Buffer.from(v) })), { producerId, baseSequence })))).responses[0].partitions[0];
      const hundred = Array.from({ length: 100 }, (_, i) => `a${i}`);
      expect(await send(0, hundred)).to.include({ errorCode: 0, baseOffset: 0 });
      for (let s = 100; s < 100 + 64; s++) expect(await send(s, [`b${s}`])).to.include({ errorCode: 0, baseOffset: s });
      c.close();
      c = await client(await restartKafkaBroker(own.broker));
      // The broker read the producer's next sequence back from the log's window: a gap is still refused.
      expect((await send(170, ['late'])).errorCode).to.equal(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      // A batch still in the window is answered with its original offset; one pushed out of it is a known duplicate.
      expect(await send(163, ['b163'])).to.include({ errorCode: 0, baseOffset: 163 });
      expect((await send(0, hundred)).errorCode).to.equal(KafkaErrorCode.DUPLICATE_SEQUENCE_NUMBER);
      expect(await send(164, ['c'])).to.include({ errorCode: 0, baseOffset: 164 });
      const ownNative = await fixture.client(own.broker.address);
      expect(await ownNative.count('idem-restart')).to.equal(165);
    });
  });

  describe('durability', () => {
    it('serves only durable records: with async durability, a written record reaches Kafka consumers once it is synced', async () => {
      // A WAL whose syncs wait while `held` is set: written commits stay not durable meanwhile.
      let held = false;
      let release: () => void = () => undefined;
      const gate = (): Promise<void> => (held ? new Promise((resolve) => (release = resolve)) : Promise.resolve());
      const walFiles: WalFiles = {
        ...nodeWalFiles,
        open(path, durable) {
          const handle = nodeWalFiles.open(path, durable);
          return { write: (data, position) => handle.write(data, position), sync: async () => { await gate(); await handle.sync(); }, close: () => handle.close() };
        },
      };
      const { log, listener, address } = await inProcess({ durability: 'async', walFiles });
      fixture.track(undefined, () => {
        held = false; // a failed test must not leave the log unable to close
        release();
      });
      const c = await client(address);
      const latest = async (): Promise<number> => (await c.request(listOffsetsApi, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'async-topic', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })).topics[0].partitions[0].offset;
      held = true;
      const produced = await c.request(produceApi, produce('async-topic', batch([{ value: Buffer.from('written') }])));
      expect(produced.responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.NONE, baseOffset: 0 });
      expect(log.durableSequence).to.be.below(log.visibleSequence);
      expect(await latest()).to.equal(0);
      const waiting = c.request(fetchApi, fetchRequest('async-topic', 0, 20_000), { extraTimeoutMs: 20_000 });
      await waitFor(() => listener.waitingFetches === 1, () => 'the fetch is not waiting');
      held = false;
      release();
      const answer = await waiting;
      const values = decodeRecordBatches(answer.responses[0].partitions[0].records as Uint8Array).flatMap((b) => b.records.map((r) => Buffer.from(r.value as Uint8Array).toString()));
      expect(values).to.deep.equal(['written']);
      expect(await latest()).to.equal(1);
    });
  });

  describe('shutdown', () => {
    it('answers a waiting Fetch, then closes its connection, and shuts down with nothing left waiting', async () => {
      const { listener, address } = await inProcess();
      const c = await client(address);
      await c.request(produceApi, produce('stopping', batch([{ value: Buffer.from('x') }])));
      const waiting = c.request(fetchApi, fetchRequest('stopping', 1, 55_000), { extraTimeoutMs: 55_000 });
      await waitFor(() => listener.waitingFetches === 1, () => 'the fetch is not waiting');
      await listener.shutdown();
      const answer = await waiting;
      expect(answer.responses[0].partitions[0]).to.include({ errorCode: KafkaErrorCode.NONE, highWatermark: 1 });
      expect(listener.waitingFetches).to.equal(0);
      expect(listener.connectionCount).to.equal(0);
      const error = await expectRejected(c.request(apiVersionsApi, {}));
      expect((error as KafkaClientError).code).to.equal('Closed');
    });
  });

  describe('groups and offsets', () => {
    it('stores a commit from outside a group (generation -1), which OffsetFetch returns with its metadata', async () => {
      const c = await client();
      const commit = await c.request(offsetCommitApi, { groupId: 'outside', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders-x', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'note' }] }] });
      expect(commit.topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
      const fetched = await c.request(offsetFetchApi, { groupId: 'outside', topics: null });
      expect(fetched.topics).to.deep.equal([{ name: 'orders-x', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, metadata: 'note', errorCode: 0 }] }]);
      const member = await c.request(offsetCommitApi, { groupId: 'outside', generationId: 3, memberId: 'nobody', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'orders-x', partitions: [{ partitionIndex: 0, committedOffset: 43, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] });
      expect(member.topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.ILLEGAL_GENERATION);
    });

    it('lets a token use a group only when it may read every topic the group has offsets for', async () => {
      const dir = fixture.dir('odlog-kafka-groups');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ tokens: [{ name: 'admin', token: 'admin-token-1' }, { name: 'tenant-a', token: 'tenant-a-token', read: ['a.'], append: ['a.'] }] }));
      const secured = await startKafkaBroker(fixture, ['--config', join(dir, 'config.json')]);
      const adminClient = fixture.track(await KafkaClient.connect(secured.kafka, { sasl: { username: 'admin', password: 'admin-token-1' } }), (x) => x.close());
      const tenant = fixture.track(await KafkaClient.connect(secured.kafka, { sasl: { username: 'tenant-a', password: 'tenant-a-token' } }), (x) => x.close());
      const commit = (c: KafkaClient, groupId: string, topic: string) => c.request(offsetCommitApi, { groupId, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] });
      expect((await commit(adminClient, 'mixed', 'b.topic')).topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
      expect((await commit(tenant, 'mixed', 'a.topic')).topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.GROUP_AUTHORIZATION_FAILED);
      expect((await tenant.request(offsetFetchApi, { groupId: 'mixed', topics: null })).errorCode).to.equal(KafkaErrorCode.GROUP_AUTHORIZATION_FAILED);
      const joined = await tenant.request(joinGroupApi, { groupId: 'mixed', sessionTimeoutMs: 5000, rebalanceTimeoutMs: 5000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
      expect(joined.errorCode).to.equal(KafkaErrorCode.GROUP_AUTHORIZATION_FAILED);
      expect((await commit(tenant, 'own', 'a.topic')).topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
      expect((await commit(tenant, 'own2', 'b.topic')).topics[0].partitions[0].errorCode).to.equal(KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED);
    });
  });
});

async function expectRejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
