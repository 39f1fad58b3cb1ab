import { expect } from 'chai';
import { FetchWaiters } from '../../../src/broker/kafka/FetchWaiters.js';
import { IdempotentProducers } from '../../../src/broker/kafka/IdempotentProducers.js';
import { toKafkaRecord, toStorageBatch } from '../../../src/broker/kafka/RecordMapping.js';
import { isLegalTopicKey, isLegalTopicName } from '../../../src/broker/kafka/TopicNames.js';
import { KafkaRecordBatchError } from '../../../src/protocol/kafka/records/KafkaRecordBatchError.js';
import type { KafkaRecord } from '../../../src/protocol/kafka/records/RecordBatch.js';
import type { CommittedChunk } from '../../../src/storage/index.js';
import { LogFixture } from '../../support/LogFixture.js';

function chunk(...keys: string[]): CommittedChunk {
  return { startSequence: 0, endSequence: keys.length, runs: keys.map((k) => ({ key: Buffer.from(k), keyStr: k, row: undefined as never })) };
}

function record(key: string | null, value: string | null, headers: [string, string | null][] = []): KafkaRecord {
  return {
    attributes: 0,
    timestampDelta: 0,
    offsetDelta: 0,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: headers.map(([k, v]) => ({ key: k, value: v === null ? null : Buffer.from(v) })),
  };
}

describe('Kafka listener parts', () => {
  describe('topic names', () => {
    it('are 1..249 of [a-zA-Z0-9._-], not "." or ".."', () => {
      for (const name of ['orders', 'a.b-c_D9', 'x'.repeat(249), '...']) expect(isLegalTopicName(name), name).to.equal(true);
      for (const name of ['', '.', '..', 'a:b', 'a b', 'é', 'x'.repeat(250)]) expect(isLegalTopicName(name), name).to.equal(false);
      for (const name of ['orders', '...', 'a:b', '.', '..', 'x'.repeat(250)]) expect(isLegalTopicKey(Buffer.from(name)), name).to.equal(isLegalTopicName(name));
    });
  });

  describe('FetchWaiters', () => {
    it('wakes a waiter on a commit touching any of its keys, once, and not for other keys', async () => {
      const waiters = new FetchWaiters();
      const owner = {};
      let woken = 0;
      const wait = waiters.wait(['a', 'b'], 60_000, owner);
      void wait.done.then(() => woken++);
      waiters.onChunk(chunk('c'));
      await Promise.resolve();
      expect([woken, waiters.size]).to.deep.equal([0, 1]);
      waiters.onChunk(chunk('b', 'a'));
      await wait.done;
      waiters.onChunk(chunk('a'));
      await Promise.resolve();
      expect([woken, waiters.size]).to.deep.equal([1, 0]);
    });

    it('answers at the deadline, on release of its owner, and on releaseAll', async () => {
      const waiters = new FetchWaiters();
      const owner = {};
      await waiters.wait(['a'], 5, owner).done;
      const mine = waiters.wait(['a'], 60_000, owner);
      const theirs = waiters.wait(['a'], 60_000, {});
      waiters.release(owner);
      await mine.done;
      expect(waiters.size).to.equal(1);
      waiters.releaseAll();
      await theirs.done;
      expect(waiters.size).to.equal(0);
    });
  });

  describe('IdempotentProducers', () => {
    it('takes the next sequence, recognises a retry below it, and refuses a gap above it', () => {
      const producers = new IdempotentProducers(10, () => undefined);
      const id = producers.odlogId(7, 0, 'orders');
      expect(id).to.equal('kafka:7:0:orders');
      expect(producers.verdict(id, 100)).to.equal('unknown'); // taken as it comes
      producers.taken(id, 100, 5);
      expect(producers.verdict(id, 105)).to.equal('next');
      expect(producers.verdict(id, 100)).to.equal('retry');
      expect(producers.verdict(id, 110)).to.equal('gap');
      producers.forget(id);
      expect(producers.verdict(id, 110)).to.equal('unknown');
    });

    it('forgets the least recently used producer beyond its bound, and hashes topics too long for an id', () => {
      const producers = new IdempotentProducers(2, () => undefined);
      for (const topic of ['a', 'b', 'c']) producers.taken(producers.odlogId(1, 0, topic), 0, 1);
      expect(producers.verdict(producers.odlogId(1, 0, 'a'), 5)).to.equal('unknown');
      expect(producers.verdict(producers.odlogId(1, 0, 'c'), 5)).to.equal('gap');
      const long = producers.odlogId(2 ** 40, 32_000, 'x'.repeat(249));
      expect(Buffer.byteLength(long)).to.be.at.most(256);
      expect(long).to.match(/^kafka:1099511627776:32000:#[0-9a-f]{64}$/);
    });

    it("reads a producer it does not remember from storage's window: after a restart, a gap is still a gap and a retry a retry", () => {
      const producers = new IdempotentProducers(10, (id) => (id === 'kafka:3:0:t' ? { batchNumber: 40, count: 10 } : undefined));
      expect(producers.verdict('kafka:3:0:t', 50)).to.equal('next');
      expect(producers.verdict('kafka:3:0:t', 40)).to.equal('retry');
      expect(producers.verdict('kafka:3:0:t', 60)).to.equal('gap');
      expect(producers.verdict('kafka:9:0:t', 60)).to.equal('unknown');
    });
  });

  describe('record mapping', () => {
    const fixture = new LogFixture();
    afterEach(() => fixture.cleanup());

    it('stores a Kafka record under the topic key with its key and headers as headers, and gives back exactly key, value and headers plus odlog.sequence', async () => {
      const log = await fixture.open();
      await log.append([{ key: 'other', value: 'native' }]);
      const records = [record('k0', 'v0', [['trace', 't'], ['empty', null]]), record(null, 'v1'), record('k2', null), record(null, '')];
      const batch = toStorageBatch(Buffer.from('orders'), records, { valueBytesMax: 1024, batchBytesMax: 1 << 20 });
      await log.append(batch);
      const entries = [];
      for await (const e of log.scan('orders')) entries.push(e);
      expect(entries.map((e) => [e.key.toString(), e.value.toString(), e.offset])).to.deep.equal([['orders', 'v0', 0], ['orders', 'v1', 1], ['orders', '', 2], ['orders', '', 3]]);
      const back = entries.map((e) => toKafkaRecord(e));
      const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString());
      expect(back.map((r) => [text(r.key), text(r.value), (r.headers ?? []).map((h) => [h.key, text(h.value)])])).to.deep.equal([
        ['k0', 'v0', [['trace', 't'], ['empty', null], ['odlog.sequence', '1']]],
        [null, 'v1', [['odlog.sequence', '2']]],
        ['k2', null, [['odlog.sequence', '3']]],
        [null, '', [['odlog.sequence', '4']]],
      ]);
      expect(back[0].timestamp).to.equal(entries[0].timestamp);
    });

    it('refuses reserved header names (INVALID_RECORD) and values or batches over the bounds (MESSAGE_TOO_LARGE)', () => {
      const map = (records: KafkaRecord[], bounds = { valueBytesMax: 4, batchBytesMax: 64 }): unknown => toStorageBatch(Buffer.from('t'), records, bounds);
      const codeOf = (fn: () => unknown): string => {
        try {
          fn();
        } catch (error) {
          expect(error).to.be.instanceOf(KafkaRecordBatchError);
          return (error as KafkaRecordBatchError).code;
        }
        return 'none';
      };
      expect(codeOf(() => map([record(null, 'v', [['odlog.sequence', '1']])]))).to.equal('INVALID_RECORD');
      expect(codeOf(() => map([record(null, 'v', [['', 'x']])]))).to.equal('INVALID_RECORD');
      expect(codeOf(() => map([record(null, 'toolong')]))).to.equal('TOO_LARGE');
      expect(codeOf(() => map(Array.from({ length: 40 }, () => record(null, 'abcd'))))).to.equal('TOO_LARGE');
      expect(codeOf(() => map([record('k', 'v', [['ok', 'x']])]))).to.equal('none');
    });
  });
});
