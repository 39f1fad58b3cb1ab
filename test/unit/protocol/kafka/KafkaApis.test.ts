import { expect } from 'chai';
import { ApiKey } from '../../../../src/protocol/kafka/ApiKeys.js';
import { fetchApi } from '../../../../src/protocol/kafka/apis/fetch.js';
import { joinGroupApi } from '../../../../src/protocol/kafka/apis/joinGroup.js';
import { leaveGroupApi } from '../../../../src/protocol/kafka/apis/leaveGroup.js';
import { metadataApi } from '../../../../src/protocol/kafka/apis/metadata.js';
import { offsetCommitApi } from '../../../../src/protocol/kafka/apis/offsetCommit.js';
import { offsetFetchApi } from '../../../../src/protocol/kafka/apis/offsetFetch.js';
import { produceApi } from '../../../../src/protocol/kafka/apis/produce.js';
import { KafkaFrameDecoder } from '../../../../src/protocol/kafka/frame/KafkaFrameDecoder.js';
import { decodeRequestHeader } from '../../../../src/protocol/kafka/frame/RequestHeader.js';
import { decodeResponseHeader } from '../../../../src/protocol/kafka/frame/ResponseFrame.js';
import { KafkaDecodeError } from '../../../../src/protocol/kafka/KafkaDecodeError.js';
import { prng } from '../../../support/Random.js';
import { apiSamples } from './kafkaSamples.js';
import { expectThrows } from './kafkaTestKit.js';

function versions(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

describe('Kafka API codecs', () => {
  it('cover every API and version issue 13 lists, and the deletions of issue 15', () => {
    const ranges = Object.fromEntries(apiSamples.map((s) => [s.name, `${s.minVersion}-${s.maxVersion}`]));
    expect(ranges).to.deep.equal({
      ApiVersions: '0-2',
      Metadata: '0-8',
      Produce: '3-7',
      Fetch: '4-11',
      ListOffsets: '1-5',
      FindCoordinator: '0-2',
      JoinGroup: '0-5',
      SyncGroup: '0-3',
      Heartbeat: '0-3',
      LeaveGroup: '0-3',
      OffsetCommit: '0-7',
      OffsetFetch: '1-5',
      InitProducerId: '0-1',
      DescribeGroups: '0-4',
      ListGroups: '0-2',
      SaslHandshake: '0-1',
      SaslAuthenticate: '0-1',
      CreateTopics: '0-4',
      DeleteTopics: '0-3',
      DeleteRecords: '0-1',
      DescribeConfigs: '0-2',
    });
  });

  for (const s of apiSamples) {
    describe(s.name, () => {
      it('decodes at the highest version exactly what was encoded (request and response)', () => {
        expect(s.decodeRequest(s.maxVersion, s.encodeRequestBody(s.maxVersion))).to.deep.equal(s.request);
        expect(s.decodeResponse(s.maxVersion, s.encodeResponseBody(s.maxVersion))).to.deep.equal(s.response);
      });

      it('round trips byte for byte at every supported version', () => {
        for (const v of versions(s.minVersion, s.maxVersion)) {
          const request = s.encodeRequestBody(v);
          expect(s.reencodeRequest(v, request).equals(request), `request v${v}`).to.equal(true);
          const response = s.encodeResponseBody(v);
          expect(s.reencodeResponse(v, response).equals(response), `response v${v}`).to.equal(true);
        }
      });

      it('refuses every truncation and any trailing byte with a KafkaDecodeError', () => {
        for (const v of versions(s.minVersion, s.maxVersion)) {
          for (const [body, decode] of [
            [s.encodeRequestBody(v), s.decodeRequest],
            [s.encodeResponseBody(v), s.decodeResponse],
          ] as const) {
            for (let cut = 0; cut < body.length; cut++) expectThrows(() => decode(v, body.subarray(0, cut)), KafkaDecodeError, 'TRUNCATED');
            expectThrows(() => decode(v, Buffer.concat([body, Buffer.from([0])])), KafkaDecodeError, 'TRAILING_BYTES');
          }
        }
      });

      it('decodes randomly corrupted requests and responses or refuses them with a KafkaDecodeError, never anything else', () => {
        const random = prng(s.apiKey + 1);
        for (const v of versions(s.minVersion, s.maxVersion)) {
          for (const [body, decode] of [
            [s.encodeRequestBody(v), s.decodeRequest],
            [s.encodeResponseBody(v), s.decodeResponse],
          ] as const) {
            if (body.length === 0) continue;
            for (let i = 0; i < 200; i++) {
              const bad = Buffer.from(body);
              for (let f = 0; f < 1 + (i % 3); f++) bad[Math.floor(random() * bad.length)] = i % 2 === 0 ? 0xff : Math.floor(random() * 256);
              try {
                decode(v, bad);
              } catch (error) {
                expect(error, String(error)).to.be.instanceOf(KafkaDecodeError);
              }
            }
          }
        }
      });

      it('refuses versions outside its range: typed error on decode, RangeError on encode', () => {
        for (const v of [s.minVersion - 1, s.maxVersion + 1]) {
          if (v < 0) continue;
          expectThrows(() => s.decodeRequest(v, Buffer.alloc(0)), KafkaDecodeError, 'UNSUPPORTED_VERSION');
          expect(() => s.encodeResponseBody(v)).to.throw(RangeError);
        }
      });
    });
  }

  describe('version differences', () => {
    it('Metadata: null topics means all topics from v1; v0 has no null and uses the empty array', () => {
      const all = { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
      expect(metadataApi.decodeRequest(1, metadataApi.encodeRequestBody(1, all)).topics).to.equal(null);
      expect(() => metadataApi.encodeRequestBody(0, all)).to.throw(RangeError);
      expectThrows(() => metadataApi.decodeRequest(0, Buffer.from('ffffffff', 'hex')), KafkaDecodeError, 'NULL_NOT_ALLOWED');
      expect(metadataApi.decodeRequest(0, Buffer.from('00000000', 'hex')).topics).to.deep.equal([]);
    });

    it('Metadata v3 request has no AllowAutoTopicCreation byte (true by default) and v4 has one', () => {
      const request = { topics: [{ name: 't' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
      expect(metadataApi.encodeRequestBody(3, request).length).to.equal(4 + 2 + 1);
      expect(metadataApi.encodeRequestBody(4, request).length).to.equal(4 + 2 + 1 + 1);
      expect(metadataApi.decodeRequest(3, metadataApi.encodeRequestBody(3, request)).allowAutoTopicCreation).to.equal(true);
    });

    it('Fetch v4 requests decode with the defaults of the fields added later', () => {
      const body = fetchApi.encodeRequestBody(4, {
        replicaId: -1,
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 0,
        sessionId: 77,
        sessionEpoch: 78,
        topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 5, fetchOffset: 9, logStartOffset: 6, partitionMaxBytes: 100 }] }],
        forgottenTopicsData: [{ topic: 'x', partitions: [1] }],
        rackId: 'r',
      });
      const decoded = fetchApi.decodeRequest(4, body);
      expect(decoded.sessionId).to.equal(0);
      expect(decoded.sessionEpoch).to.equal(-1);
      expect(decoded.forgottenTopicsData).to.deep.equal([]);
      expect(decoded.rackId).to.equal('');
      expect(decoded.topics[0].partitions[0]).to.deep.equal({ partition: 0, currentLeaderEpoch: -1, fetchOffset: 9, logStartOffset: -1, partitionMaxBytes: 100 });
    });

    it('Produce v3/v4 responses carry no LogStartOffset (decoded as -1); v5 does', () => {
      const response = { responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: 6, logStartOffset: 7 }] }], throttleTimeMs: 0 };
      const v4 = produceApi.encodeResponseBody(4, response);
      const v5 = produceApi.encodeResponseBody(5, response);
      expect(v5.length - v4.length).to.equal(8);
      expect(produceApi.decodeResponse(4, v4).responses[0].partitions[0].logStartOffset).to.equal(-1);
      expect(produceApi.decodeResponse(5, v5).responses[0].partitions[0].logStartOffset).to.equal(7);
    });

    it('OffsetCommit carries CommitTimestamp only in v1 and RetentionTimeMs only in v2-v4', () => {
      const request = {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        groupInstanceId: null,
        retentionTimeMs: 99,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: 42, committedMetadata: null }] }],
      };
      const v1 = offsetCommitApi.decodeRequest(1, offsetCommitApi.encodeRequestBody(1, request));
      expect([v1.retentionTimeMs, v1.topics[0].partitions[0].commitTimestamp]).to.deep.equal([-1, 42]);
      const v2 = offsetCommitApi.decodeRequest(2, offsetCommitApi.encodeRequestBody(2, request));
      expect([v2.retentionTimeMs, v2.topics[0].partitions[0].commitTimestamp]).to.deep.equal([99, -1]);
      const v5 = offsetCommitApi.decodeRequest(5, offsetCommitApi.encodeRequestBody(5, request));
      expect([v5.retentionTimeMs, v5.topics[0].partitions[0].commitTimestamp]).to.deep.equal([-1, -1]);
      const v0 = offsetCommitApi.decodeRequest(0, offsetCommitApi.encodeRequestBody(0, request));
      expect([v0.generationId, v0.memberId]).to.deep.equal([-1, '']);
    });

    it('OffsetFetch: a null topic list (all topics) is allowed from v2 only', () => {
      expect(offsetFetchApi.decodeRequest(2, offsetFetchApi.encodeRequestBody(2, { groupId: 'g', topics: null })).topics).to.equal(null);
      expect(() => offsetFetchApi.encodeRequestBody(1, { groupId: 'g', topics: null })).to.throw(RangeError);
    });

    it('JoinGroup v0 has no rebalance timeout (decoded -1); LeaveGroup v3 batches members', () => {
      const join = {
        groupId: 'g',
        sessionTimeoutMs: 10,
        rebalanceTimeoutMs: 20,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [],
      };
      expect(joinGroupApi.decodeRequest(0, joinGroupApi.encodeRequestBody(0, join)).rebalanceTimeoutMs).to.equal(-1);
      const leave = { groupId: 'g', memberId: 'm', members: [{ memberId: 'm1', groupInstanceId: null }] };
      expect(leaveGroupApi.decodeRequest(2, leaveGroupApi.encodeRequestBody(2, leave))).to.deep.equal({ groupId: 'g', memberId: 'm', members: [] });
      expect(leaveGroupApi.decodeRequest(3, leaveGroupApi.encodeRequestBody(3, leave))).to.deep.equal({ groupId: 'g', memberId: '', members: leave.members });
    });
  });

  describe('frames', () => {
    it('a request frame goes through the frame decoder and header decoder back to the request', () => {
      const s = apiSamples.find((x) => x.apiKey === ApiKey.Produce);
      expect(s).to.not.equal(undefined);
      const frame = produceApi.encodeRequest(7, { correlationId: 4242, clientId: 'x-client' }, s!.request as Parameters<typeof produceApi.encodeRequestBody>[1]);
      const payloads: Buffer[] = [];
      new KafkaFrameDecoder(1 << 20).push(frame, { frame: (p) => payloads.push(p), error: (e) => expect.fail(e.message) });
      expect(payloads).to.have.length(1);
      const header = decodeRequestHeader(payloads[0]);
      expect(header).to.include({ apiKey: ApiKey.Produce, apiVersion: 7, correlationId: 4242, clientId: 'x-client' });
      expect(produceApi.decodeRequest(header.apiVersion, payloads[0], header.bodyOffset)).to.deep.equal(s!.request);
    });

    it('a response frame is size, correlation id, body', () => {
      const response = { responses: [], throttleTimeMs: 3 };
      const frame = produceApi.encodeResponse(5, 77, response);
      expect(frame.readInt32BE(0)).to.equal(frame.length - 4);
      const { correlationId, bodyOffset } = decodeResponseHeader(frame.subarray(4));
      expect(correlationId).to.equal(77);
      expect(produceApi.decodeResponse(5, frame.subarray(4), bodyOffset)).to.deep.equal(response);
    });
  });
});
