/**
 * kafkajs as an independent oracle for field order and version differences: requests encoded
 * by kafkajs decode here (and re-encode to the same bytes); responses encoded here decode in
 * kafkajs with every value where kafkajs expects it. kafkajs covers most supported versions
 * (Metadata to v6, ListOffsets to v3, OffsetCommit to v5, OffsetFetch to v4, DescribeGroups to
 * v2, CreateTopics to v3, DeleteTopics and DeleteRecords to v1); the versions it lacks are covered by the round-trip tests and the
 * layouts checked against Kafka's message definitions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { fetchApi } from '../../../../src/protocol/kafka/apis/fetch.js';
import { produceApi } from '../../../../src/protocol/kafka/apis/produce.js';
import { decodeRecordBatches } from '../../../../src/protocol/kafka/records/decodeRecordBatches.js';
import { checkProducedBatch } from '../../../../src/protocol/kafka/records/checkProducedBatch.js';
import { encodeFetchRecordBatches } from '../../../../src/protocol/kafka/records/encodeRecordBatch.js';
import { apiSamples, type ApiSample } from './kafkaSamples.js';
import { expectDistinctiveLeavesIn, kafkajsRequestBody, kafkajsResponse } from './kafkaTestKit.js';

const require = createRequire(import.meta.url);
const kafkajsRoot = require.resolve('kafkajs/package.json').replace(/package\.json$/, '');

function kafkajsDir(sample: ApiSample): string {
  return sample.name[0].toLowerCase() + sample.name.slice(1);
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

function kafkajsHas(api: string, version: number, side: 'request' | 'response'): boolean {
  return existsSync(`${kafkajsRoot}src/protocol/requests/${api}/v${version}/${side}.js`);
}

const ab = (...values: number[]): Buffer => Buffer.from([0xab, ...values]);

/** kafkajs request arguments per API, with distinctive values (see kafkaTestKit.isDistinctive). */
const kafkajsRequestArgs: Record<string, unknown> = {
  fetch: {
    replicaId: -1,
    maxWaitTime: 101,
    minBytes: 102,
    maxBytes: 103,
    isolationLevel: 1,
    sessionId: 104,
    sessionEpoch: 105,
    topics: [{ topic: 'x-t', partitions: [{ partition: 106, currentLeaderEpoch: 107, fetchOffset: '108', logStartOffset: '109', maxBytes: 110 }] }],
    forgottenTopics: [{ topic: 'x-f', partitions: [111] }],
    rackId: 'x-rack',
  },
  listOffsets: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'x-t', partitions: [{ partition: 101, timestamp: 1_700_000_000_000 }] }] },
  metadata: { topics: ['x-a', 'x-b'], allowAutoTopicCreation: false },
  offsetCommit: {
    groupId: 'x-g',
    groupGenerationId: 101,
    memberId: 'x-m',
    retentionTime: 102,
    topics: [{ topic: 'x-t', partitions: [{ partition: 103, offset: '104', timestamp: 105, metadata: 'x-md' }] }],
  },
  offsetFetch: { groupId: 'x-g', topics: [{ topic: 'x-t', partitions: [{ partition: 101 }, { partition: 102 }] }] },
  findCoordinator: { groupId: 'x-g', coordinatorKey: 'x-g', coordinatorType: 1 },
  joinGroup: {
    groupId: 'x-g',
    sessionTimeout: 10_000,
    rebalanceTimeout: 20_000,
    memberId: 'x-m',
    groupInstanceId: 'x-i',
    protocolType: 'x-consumer',
    groupProtocols: [{ name: 'x-range', metadata: ab(1) }],
  },
  syncGroup: { groupId: 'x-g', generationId: 101, memberId: 'x-m', groupInstanceId: 'x-i', groupAssignment: [{ memberId: 'x-m', memberAssignment: ab(2) }] },
  heartbeat: { groupId: 'x-g', groupGenerationId: 101, memberId: 'x-m', groupInstanceId: 'x-i' },
  leaveGroup: { groupId: 'x-g', memberId: 'x-m', members: [{ memberId: 'x-m1', groupInstanceId: 'x-i' }] },
  describeGroups: { groupIds: ['x-g1', 'x-g2'] },
  listGroups: {},
  saslHandshake: { mechanism: 'x-PLAIN' },
  apiVersions: {},
  createTopics: {
    topics: [{ topic: 'x-t', numPartitions: 101, replicationFactor: 102, replicaAssignment: [{ partition: 103, replicas: [104] }], configEntries: [{ name: 'x-k', value: 'x-v' }] }],
    timeout: 105,
    validateOnly: true,
  },
  describeConfigs: { resources: [{ type: 2, name: 'x-t', configNames: ['x-k'] }], includeSynonyms: true },
  initProducerId: { transactionalId: 'x-txn', transactionTimeout: 60_000 },
  deleteTopics: { topics: ['x-a', 'x-b'], timeout: 101 },
  deleteRecords: { topics: [{ topic: 'x-t', partitions: [{ partition: 101, offset: '102' }] }], timeout: 103 },
};

/**
 * kafkajs hands SASL mechanisms the server's auth bytes re-wrapped with an int32 length prefix
 * (its mechanisms expect that); take the prefix off to compare the bytes that were on the wire.
 */
const kafkajsResponseNormalisers: Record<string, (decoded: unknown) => unknown> = {
  // kafkajs leaves DeleteRecords' low watermark a Long (an object of two halves): compare its decimal.
  deleteRecords: (decoded) => {
    const d = decoded as { topics: { partitions: { lowWatermark: unknown }[] }[] };
    return { ...d, topics: d.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, lowWatermark: String(p.lowWatermark) })) })) };
  },
  saslAuthenticate: (decoded) => {
    const d = decoded as { authBytes: Buffer };
    expect(d.authBytes.readInt32BE(0)).to.equal(d.authBytes.length - 4);
    return { ...d, authBytes: d.authBytes.subarray(4) };
  },
};

describe('Kafka codecs against kafkajs', () => {
  for (const s of apiSamples) {
    const api = kafkajsDir(s);
    const args = kafkajsRequestArgs[api];
    for (let v = s.minVersion; v <= s.maxVersion; v++) {
      if (args !== undefined && kafkajsHas(api, v, 'request')) {
        it(`decodes a ${s.name} v${v} request encoded by kafkajs, and re-encodes the same bytes`, async () => {
          const body = await kafkajsRequestBody(api, v, args);
          const decoded = s.decodeRequest(v, body);
          expect(s.reencodeRequest(v, body).equals(body)).to.equal(true);
          // Every distinctive value we read was one kafkajs wrote: nothing was read out of place.
          expectDistinctiveLeavesIn(decoded, args);
        });
      }
      if (kafkajsHas(api, v, 'response') && s.name !== 'Fetch') {
        it(`encodes a ${s.name} v${v} response that kafkajs decodes with every value in place`, async () => {
          const body = s.encodeResponseBody(v);
          const raw = await kafkajsResponse(api, v, body);
          const { throttleTime, clientSideThrottleTime, ...theirs } = (kafkajsResponseNormalisers[api]?.(raw) ?? raw) as Record<string, unknown>;
          const { throttleTimeMs, ...ours } = s.decodeResponse(v, body) as Record<string, unknown>;
          // kafkajs moves the throttle time to the end of its object (clientSideThrottleTime), so
          // it is compared apart from the ordered rest.
          if (throttleTimeMs !== undefined && throttleTimeMs !== 0) expect(clientSideThrottleTime ?? throttleTime).to.equal(throttleTimeMs);
          expectDistinctiveLeavesIn(ours, theirs);
        });
      }
    }
  }

  /** [api, version, kafkajs path, our path]: the same field under each side's name, so a swap of two same-typed fields shows. */
  const responseFieldPairs: readonly [string, number, string, string][] = [
    ['Produce', 5, 'topics.0.partitions.0.baseOffset', 'responses.0.partitions.0.baseOffset'],
    ['Produce', 5, 'topics.0.partitions.0.logAppendTime', 'responses.0.partitions.0.logAppendTimeMs'],
    ['Produce', 5, 'topics.0.partitions.0.logStartOffset', 'responses.0.partitions.0.logStartOffset'],
    ['Produce', 5, 'topics.0.partitions.0.errorCode', 'responses.0.partitions.0.errorCode'],
    ['Metadata', 1, 'brokers.0.nodeId', 'brokers.0.nodeId'],
    ['Metadata', 1, 'brokers.0.port', 'brokers.0.port'],
    ['Metadata', 1, 'controllerId', 'controllerId'],
    ['Metadata', 1, 'topicMetadata.0.partitionMetadata.0.partitionErrorCode', 'topics.0.partitions.0.errorCode'],
    ['Metadata', 1, 'topicMetadata.0.partitionMetadata.0.partitionId', 'topics.0.partitions.0.partitionIndex'],
    ['Metadata', 1, 'topicMetadata.0.partitionMetadata.0.leader', 'topics.0.partitions.0.leaderId'],
    ['Metadata', 1, 'topicMetadata.0.partitionMetadata.0.replicas.0', 'topics.0.partitions.0.replicaNodes.0'],
    ['Metadata', 1, 'topicMetadata.0.partitionMetadata.0.isr.0', 'topics.0.partitions.0.isrNodes.0'],
    ['JoinGroup', 5, 'generationId', 'generationId'],
    ['JoinGroup', 5, 'groupProtocol', 'protocolName'],
    ['JoinGroup', 5, 'leaderId', 'leader'],
    ['JoinGroup', 5, 'memberId', 'memberId'],
    ['FindCoordinator', 1, 'errorCode', 'errorCode'],
    ['FindCoordinator', 1, 'coordinator.nodeId', 'nodeId'],
    ['InitProducerId', 1, 'producerId', 'producerId'],
    ['InitProducerId', 1, 'producerEpoch', 'producerEpoch'],
    ['ListOffsets', 2, 'responses.0.partitions.0.partition', 'topics.0.partitions.0.partitionIndex'],
    ['ListOffsets', 2, 'responses.0.partitions.0.errorCode', 'topics.0.partitions.0.errorCode'],
    ['ListOffsets', 2, 'responses.0.partitions.0.timestamp', 'topics.0.partitions.0.timestamp'],
    ['ListOffsets', 2, 'responses.0.partitions.0.offset', 'topics.0.partitions.0.offset'],
    ['OffsetFetch', 2, 'responses.0.partitions.0.partition', 'topics.0.partitions.0.partitionIndex'],
    ['OffsetFetch', 2, 'responses.0.partitions.0.offset', 'topics.0.partitions.0.committedOffset'],
    ['OffsetFetch', 2, 'responses.0.partitions.0.errorCode', 'topics.0.partitions.0.errorCode'],
    ['OffsetFetch', 2, 'errorCode', 'errorCode'],
    ['DescribeGroups', 0, 'groups.0.state', 'groups.0.groupState'],
    ['DeleteTopics', 1, 'topicErrors.0.topic', 'responses.0.name'],
    ['DeleteTopics', 1, 'topicErrors.0.errorCode', 'responses.0.errorCode'],
    ['DeleteRecords', 0, 'topics.0.partitions.0.partition', 'topics.0.partitions.0.partitionIndex'],
    ['DeleteRecords', 0, 'topics.0.partitions.0.lowWatermark', 'topics.0.partitions.0.lowWatermark'],
    ['DeleteRecords', 0, 'topics.0.partitions.0.errorCode', 'topics.0.partitions.0.errorCode'],
    ['DescribeGroups', 0, 'groups.0.protocol', 'groups.0.protocolData'],
  ];

  for (const [name, v, theirPath, ourPath] of responseFieldPairs) {
    it(`kafkajs reads ${name} v${v} ${theirPath} from our ${ourPath}`, async () => {
      const s = apiSamples.find((x) => x.name === name)!;
      const body = s.encodeResponseBody(v);
      const theirs = at(await kafkajsResponse(kafkajsDir(s), v, body), theirPath);
      expect(theirs, `kafkajs has no ${theirPath}`).to.not.equal(undefined);
      expect(String(theirs)).to.equal(String(at(s.decodeResponse(v, body), ourPath)));
    });
  }

  it('decodes the exact fields of a Metadata v4 and a JoinGroup v5 request from kafkajs', async () => {
    const metadata = apiSamples.find((s) => s.name === 'Metadata')!;
    expect(metadata.decodeRequest(4, await kafkajsRequestBody('metadata', 4, kafkajsRequestArgs.metadata))).to.deep.equal({
      topics: [{ name: 'x-a' }, { name: 'x-b' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const join = apiSamples.find((s) => s.name === 'JoinGroup')!;
    expect(join.decodeRequest(5, await kafkajsRequestBody('joinGroup', 5, kafkajsRequestArgs.joinGroup))).to.deep.equal({
      groupId: 'x-g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      memberId: 'x-m',
      groupInstanceId: 'x-i',
      protocolType: 'x-consumer',
      protocols: [{ name: 'x-range', metadata: ab(1) }],
    });
  });

  it('decodes the exact fields of a Fetch v11 request from kafkajs', async () => {
    const decoded = fetchApi.decodeRequest(11, await kafkajsRequestBody('fetch', 11, kafkajsRequestArgs.fetch));
    expect(decoded).to.deep.equal({
      replicaId: -1,
      maxWaitMs: 101,
      minBytes: 102,
      maxBytes: 103,
      isolationLevel: 1,
      sessionId: 104,
      sessionEpoch: 105,
      topics: [{ topic: 'x-t', partitions: [{ partition: 106, currentLeaderEpoch: 107, fetchOffset: 108, logStartOffset: 109, partitionMaxBytes: 110 }] }],
      forgottenTopicsData: [{ topic: 'x-f', partitions: [111] }],
      rackId: 'x-rack',
    });
  });

  for (let v = 3; v <= 7; v++) {
    for (const compression of [0, 1]) {
      it(`decodes a kafkajs Produce v${v} request${compression === 1 ? ' with gzip' : ''} down to its records`, async () => {
        const body = await kafkajsRequestBody('produce', v, {
          acks: -1,
          timeout: 30_000,
          compression,
          topicData: [
            {
              topic: 'x-t',
              partitions: [
                {
                  partition: 0,
                  firstSequence: 0,
                  messages: [
                    { key: 'k1', value: 'v1', headers: { h1: 'hv1', h2: 'hv2' }, timestamp: 1_700_000_000_000 },
                    { key: null, value: 'v2', timestamp: 1_700_000_000_005 },
                  ],
                },
              ],
            },
          ],
        });
        const request = produceApi.decodeRequest(v, body);
        expect(request).to.include({ transactionalId: null, acks: -1, timeoutMs: 30_000 });
        expect(request.topics.map((t) => t.name)).to.deep.equal(['x-t']);
        const [batch, ...rest] = decodeRecordBatches(request.topics[0].partitions[0].records!);
        expect(rest).to.have.length(0);
        checkProducedBatch(batch);
        expect(batch).to.include({ compression, timestampType: 'CreateTime', baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_005, lastOffsetDelta: 1 });
        expect(batch.records.map((r) => [r.offsetDelta, r.timestampDelta, r.key?.toString() ?? null, r.value?.toString()])).to.deep.equal([
          [0, 0, 'k1', 'v1'],
          [1, 5, null, 'v2'],
        ]);
        expect(batch.records[0].headers.map((h) => [h.key, h.value?.toString()])).to.deep.equal([
          ['h1', 'hv1'],
          ['h2', 'hv2'],
        ]);
      });
    }
  }

  for (let v = 4; v <= 11; v++) {
    it(`encodes a Fetch v${v} response whose records kafkajs reads back with offsets, append times and headers`, async () => {
      const records = encodeFetchRecordBatches(1000, [
        { timestamp: 1_700_000_000_000, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'odlog-seq', value: Buffer.from('77') }] },
        { timestamp: 1_700_000_000_000, key: null, value: Buffer.from('v1') },
        { timestamp: 1_700_000_000_009, key: Buffer.from('k2'), value: null },
      ]);
      const body = fetchApi.encodeResponseBody(v, {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 'x-t',
            partitions: [
              { partitionIndex: 0, errorCode: 0, highWatermark: 1003, lastStableOffset: 1003, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records },
            ],
          },
        ],
      });
      const decoded = (await kafkajsResponse('fetch', v, body)) as {
        responses: { topicName: string; partitions: { highWatermark: string; messages: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[] }[] }[];
      };
      const partition = decoded.responses[0].partitions[0];
      expect(decoded.responses[0].topicName).to.equal('x-t');
      expect(partition.highWatermark).to.equal('1003');
      expect(partition.messages.map((m) => [m.offset, m.timestamp, m.key?.toString() ?? null, m.value?.toString() ?? null])).to.deep.equal([
        ['1000', '1700000000000', 'k0', 'v0'],
        ['1001', '1700000000000', null, 'v1'],
        ['1002', '1700000000009', 'k2', null],
      ]);
      expect(partition.messages[0].headers['odlog-seq'].toString()).to.equal('77');
    });
  }
});
