import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { KafkaClient } from '../../../bench/harness/load/KafkaClient.js';
import { ApiKey } from '../../../src/protocol/kafka/ApiKeys.js';
import { fetchApi } from '../../../src/protocol/kafka/apis/fetch.js';
import { metadataApi } from '../../../src/protocol/kafka/apis/metadata.js';
import { produceApi } from '../../../src/protocol/kafka/apis/produce.js';
import { KafkaErrorCode } from '../../../src/protocol/kafka/KafkaErrorCode.js';
import { encodeRecordBatch } from '../../../src/protocol/kafka/records/encodeRecordBatch.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { startKafkaBroker, waitFor } from './KafkaTestBroker.js';

interface Family {
  readonly type: string;
  readonly samples: { readonly labels: string; readonly value: number }[];
}

/**
 * The families of Prometheus text: each sample under the HELP and TYPE lines of its family
 * (checked), with its label text as written (`{type="Produce"}`, or '' for none).
 */
function parseFamilies(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: string | undefined;
  let helped: string | undefined;
  for (const line of text.split('\n').filter((l) => l.length > 0)) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP (\S+) .+$/.exec(line)) !== null) {
      helped = m[1];
    } else if ((m = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line)) !== null) {
      expect(helped, `TYPE ${m[1]} without its HELP line`).to.equal(m[1]);
      expect(families.has(m[1]), `${m[1]} declared twice`).to.equal(false);
      families.set(m[1], { type: m[2], samples: [] });
      current = m[1];
    } else {
      m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
      expect(m, `not a sample line: ${line}`).to.not.equal(null);
      const [, name, labels, value] = m as RegExpExecArray;
      expect(name.startsWith(current ?? '\0'), `sample ${name} outside its family (${current})`).to.equal(true);
      families.get(current as string)?.samples.push({ labels: name.slice((current as string).length) + (labels ?? ''), value: Number(value) });
    }
  }
  return families;
}

/** One sample's value (0 when absent: a counter not yet counted). */
function value(families: Map<string, Family>, name: string, labels = ''): number {
  return families.get(name)?.samples.find((s) => s.labels === labels)?.value ?? 0;
}

function metricsUrl(broker: BrokerProcess): string {
  const m = /[(,] metrics (http:\/\/\S+?\/metrics)[,)]/m.exec(broker.stdout);
  if (m === null) throw new Error(`no metrics address in the readiness line:\n${broker.stdout}`);
  return m[1];
}

async function scrape(broker: BrokerProcess): Promise<Map<string, Family>> {
  const response = await fetch(metricsUrl(broker));
  expect(response.status).to.equal(200);
  return parseFamilies(await response.text());
}

async function rawKafkaSocket(address: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const colon = address.lastIndexOf(':');
  const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, closed };
}

const produceRequest = (topic: string) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 10_000,
  topics: [{ name: topic, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ baseOffset: 0, timestampType: 'CreateTime', records: [{ timestamp: Date.now(), key: null, value: Buffer.from('m') }] }) }] }],
});

describe('Kafka listener metrics on GET /metrics', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('counts Kafka requests by API in odlog_kafka_requests_total and open Kafka connections in odlog_kafka_connections, apart from the native figures', async () => {
    const { broker, kafka } = await startKafkaBroker(fixture, ['--metrics-port', '0']);
    const before = await scrape(broker);
    expect(before.get('odlog_kafka_connections')).to.deep.equal({ type: 'gauge', samples: [{ labels: '', value: 0 }] });
    expect(before.has('odlog_kafka_requests_total'), 'no Kafka request yet').to.equal(false);

    const c = fixture.track(await KafkaClient.connect(kafka, { clientId: 'metrics-test' }), (x) => x.close()); // ApiVersions v0
    for (let i = 0; i < 2; i++) expect((await c.request(produceApi, produceRequest('metrics-topic'))).responses[0].partitions[0].errorCode).to.equal(KafkaErrorCode.NONE);
    await c.request(metadataApi, { topics: [{ name: 'metrics-topic' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.request(fetchApi, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'metrics-topic', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    // A request the listener does not serve is counted too (under its API's name), then the connection is closed.
    const refused = await rawKafkaSocket(kafka);
    const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 4);
    frame.writeInt32BE(frame.length - 4, 0);
    frame.writeInt16BE(ApiKey.DeleteGroups, 4);
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(1, 8);
    frame.writeInt16BE(-1, 12); // null client id; then DeleteGroups v0's empty [groups]
    refused.socket.write(frame);
    await refused.closed;

    let after = await scrape(broker);
    await waitFor(async () => value((after = await scrape(broker)), 'odlog_kafka_connections') === 1, () => `odlog_kafka_connections is ${value(after, 'odlog_kafka_connections')}, not 1`);
    expect(after.get('odlog_kafka_requests_total')?.type).to.equal('counter');
    expect(after.get('odlog_kafka_requests_total')?.samples).to.deep.equal([
      { labels: '{type="Produce"}', value: 2 },
      { labels: '{type="Fetch"}', value: 1 },
      { labels: '{type="Metadata"}', value: 1 },
      { labels: '{type="ApiVersions"}', value: 1 },
      { labels: '{type="DeleteGroups"}', value: 1 },
    ]);
    // The native listener's figures keep their names and labels, and count no Kafka request or connection.
    expect(value(after, 'odlog_requests_total', '{type="Append"}')).to.equal(0);
    expect(value(after, 'odlog_connections')).to.equal(0);
    expect(value(after, 'odlog_appended_records_total')).to.equal(2);

    c.close();
    await waitFor(async () => value((after = await scrape(broker)), 'odlog_kafka_connections') === 0, () => `odlog_kafka_connections is ${value(after, 'odlog_kafka_connections')} after the client closed`);
  });

  it('counts a Kafka connection refused at --connections-max in odlog_connections_refused_total', async () => {
    const { broker, kafka } = await startKafkaBroker(fixture, ['--metrics-port', '0', '--connections-max', '1']);
    const first = await rawKafkaSocket(kafka);
    fixture.track(first.socket, (s) => s.destroy());
    await waitFor(async () => value(await scrape(broker), 'odlog_kafka_connections') === 1, () => 'the first Kafka connection is not counted');
    const second = await rawKafkaSocket(kafka);
    await second.closed;
    const families = await scrape(broker);
    expect(value(families, 'odlog_connections_refused_total')).to.equal(1);
    expect(value(families, 'odlog_kafka_connections')).to.equal(1);
  });

  it('has no Kafka families when the Kafka listener is off', async () => {
    const broker = await fixture.start(['--metrics-port', '0']);
    const families = await scrape(broker);
    expect([...families.keys()].filter((name) => name.startsWith('odlog_kafka_'))).to.deep.equal([]);
  });
});
