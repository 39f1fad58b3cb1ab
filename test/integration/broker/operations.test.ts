import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { socketTransports } from '../../../clients/transport/SocketTransport.js';
import type { Entry } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Unsubscribe } from '../../../src/protocol/messages/unsubscribe.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Subscribe, type SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf, take, takeUntil } from '../../support/ClientHelpers.js';
import { waitFor } from '../../support/LogFixture.js';
import { pushedEntries } from '../../support/PushFrames.js';

const MiB = 1024 * 1024;

function values(entries: readonly { value: Buffer }[]): string[] {
  return entries.map((e) => e.value.toString('utf8'));
}

function strictlyIncreasing(sequences: readonly number[]): boolean {
  return sequences.every((s, i) => i === 0 || s > sequences[i - 1]);
}

describe('broker: every operation through OdlogClient, against a real broker process', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  let client: OdlogClient;
  let startedAt: number;

  before(async () => {
    startedAt = Date.now();
    broker = await fixture.start(['--frame-bytes-max', '4MiB', '--subscriptions-per-connection-max', '32']);
    client = await fixture.client(broker.address, {}, 'file');
  });
  // Each test starts with only the shared client connected and no subscription, so that the
  // broker-wide figures of Stats can be compared exactly.
  beforeEach(() => waitFor(async () => {
    const s = await client.stats();
    return s.connections === 1 && s.subscriptions === 0;
  }, 'the connections and subscriptions of earlier tests to be gone'));
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  /** A raw multiplexed connection (no Consumer in between) with pushes collected per subscription. */
  async function rawConnection(): Promise<{ conn: BrokerConnection; entries: (id: number) => Entry[] }> {
    const conn = await BrokerConnection.open({ transports: socketTransports({ host: broker.host, port: broker.port }), reconnect: false });
    fixture.track(conn, (c) => c.close());
    const byId = new Map<number, Entry[]>();
    const entries = (id: number): Entry[] => {
      let list = byId.get(id);
      if (list === undefined) {
        byId.set(id, (list = []));
        conn.onPush(id, (frame) => {
          if (frame.messageType === MessageType.SubscriptionBatch) (list as Entry[]).push(...pushedEntries(frame));
        });
      }
      return list;
    };
    return { conn, entries };
  }

  function subscribeRequest(id: number, fields: Partial<SubscribeRequest>): SubscribeRequest {
    return { subscriptionId: id, keys: [], prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 1000, creditBytes: 64 * MiB, timeMs: 0, ...fields };
  }

  describe('Hello and Ping', () => {
    it('Hello reports the protocol version, the broker version and the limits the broker was started with', () => {
      const hello = client.connection.hello;
      expect(hello.protocolVersion).to.equal(2);
      expect(hello.brokerVersion).to.be.a('string').that.is.not.empty;
      expect(hello.authenticated).to.equal(true);
      expect(hello.limits.frameBytesMax).to.equal(4 * MiB);
      expect(hello.limits.subscriptionsPerConnectionMax).to.equal(32);
      expect(hello.limits.keyBytesMax).to.equal(4096);
      expect(hello.limits.valueBytesMax).to.equal(8 * MiB);
      expect(hello.limits.batchRecordsMax).to.equal(100_000);
      expect(hello.limits.producerWindowBatches).to.be.greaterThan(1);
      expect([...hello.supportedMessages].sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    });

    it('Ping echoes the time it carried and adds the broker clock', async () => {
      const before = Date.now();
      const pong = await client.connection.request(Ping, { timeMs: 123_456_789 });
      expect(pong.timeMs).to.equal(123_456_789);
      expect(pong.brokerTimeMs).to.be.within(before - 60_000, Date.now() + 60_000);
      // client.ping() is the round trip: positive, and no longer than the call took.
      const began = performance.now();
      const roundTrip = await client.ping();
      expect(roundTrip).to.be.greaterThan(0).and.at.most(performance.now() - began);
    });
  });

  describe('Append', () => {
    it('gives a batch contiguous sequences and reports where it starts and how many it holds', async () => {
      const first = await client.append([
        { key: 'append/a', value: 'a0' },
        { key: 'append/b', value: 'b0' },
        { key: 'append/a', value: 'a1' },
      ]);
      expect(first.count).to.equal(3);
      expect(first.duplicate).to.equal(false);
      const second = await client.append([{ key: 'append/b', value: 'b1' }]);
      expect(second.startSequence).to.equal(first.startSequence + 3);
      const a = (await client.scan('append/a')).entries;
      expect(a.map((e) => e.sequence)).to.deep.equal([first.startSequence, first.startSequence + 2]);
      expect(values(a)).to.deep.equal(['a0', 'a1']);
      const b = (await client.scan('append/b')).entries;
      expect(b.map((e) => e.sequence)).to.deep.equal([first.startSequence + 1, second.startSequence]);
    });

    it('writes none of a batch when one of its records is invalid', async () => {
      const error = await rejectionOf(
        client.append([
          { key: 'atomic/ok', value: 'would be first' },
          { key: '', value: 'an empty key is invalid' },
        ]),
      );
      expect(error).to.be.instanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).code).to.equal(ErrorCode.InvalidRequest);
      expect(await client.count('atomic/ok')).to.equal(0);
    });

    it('applies a conditional append when every expectation holds', async () => {
      const created = await client.append([{ key: 'cond/ok', value: 'v0' }], { expect: [{ key: 'cond/ok', lastSequence: null }] });
      const next = await client.append([{ key: 'cond/ok', value: 'v1' }], { expect: [{ key: 'cond/ok', lastSequence: created.startSequence }] });
      expect(next.startSequence).to.be.greaterThan(created.startSequence);
      expect(values((await client.scan('cond/ok')).entries)).to.deep.equal(['v0', 'v1']);
    });

    it('refuses a conditional append whose expectation fails with ConflictError carrying the actual last sequence, and writes nothing', async () => {
      await client.append([{ key: 'cond/x', value: 'x0' }]);
      const last = await client.append([{ key: 'cond/x', value: 'x1' }]);
      const error = await rejectionOf(
        client.append(
          [
            { key: 'cond/y', value: 'y0' },
            { key: 'cond/x', value: 'x2' },
          ],
          { expect: [{ key: 'cond/y', lastSequence: null }, { key: 'cond/x', lastSequence: last.startSequence - 1 }] },
        ),
      );
      expect(error).to.be.instanceOf(ConflictError);
      const conflict = error as ConflictError;
      expect(conflict.code).to.equal(ErrorCode.Conflict);
      expect(conflict.key?.toString()).to.equal('cond/x');
      expect(conflict.actualLastSequence).to.equal(last.startSequence);
      expect(await client.count('cond/x')).to.equal(2);
      expect(await client.count('cond/y')).to.equal(0);
    });
  });

  describe('Scan', () => {
    it('returns the entries of one key in [start, end)', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 6; i++) {
        seqs.push((await client.append([{ key: 'scan/range', value: `r${i}` }, { key: 'scan/other', value: `o${i}` }])).startSequence);
      }
      const page = await client.scan('scan/range', { start: seqs[1], end: seqs[4] });
      expect(page.entries.map((e) => e.sequence)).to.deep.equal([seqs[1], seqs[2], seqs[3]]);
      expect(values(page.entries)).to.deep.equal(['r1', 'r2', 'r3']);
    });

    it('pages with limit, and nextSequence resumes with nothing lost or repeated', async () => {
      const records = Array.from({ length: 50 }, (_, i) => ({ key: i % 2 === 0 ? 'scan/paged' : 'scan/noise', value: `p${i}` }));
      await client.append(records);
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let start = 0;
      for (let pages = 0; pages < 10; pages++) {
        const page = await client.scan('scan/paged', { start }, { limit: 10 });
        pageSizes.push(page.entries.length);
        seen.push(...values(page.entries));
        if (page.entries.length === 0) break;
        expect(page.nextSequence).to.be.greaterThan(page.entries[page.entries.length - 1].sequence);
        start = page.nextSequence;
      }
      expect(pageSizes.slice(0, 3)).to.deep.equal([10, 10, 5]);
      expect(seen).to.deep.equal(records.filter((r) => r.key === 'scan/paged').map((r) => r.value));
    });

    it('a long-poll scan returns as soon as another client appends to its key, well before its wait ends', async () => {
      const other = await fixture.client(broker.address);
      const start = (await client.stats()).committedSequence;
      const began = performance.now();
      const polled = client.scan('scan/poll', { start }, { maxWaitMs: 20_000 });
      await client.ping(); // served after the Scan before it: the long-poll is registered
      const appended = await other.append([{ key: 'scan/poll', value: 'woke you' }]);
      const page = await polled;
      const elapsed = performance.now() - began;
      expect(page.entries.map((e) => [e.sequence, e.value.toString()])).to.deep.equal([[appended.startSequence, 'woke you']]);
      expect(page.nextSequence).to.equal(appended.startSequence + 1);
      // Not a speed assertion: it shows the scan did not sit out its 20 s wait.
      expect(elapsed).to.be.lessThan(10_000);
    });

    it('a long-poll scan on a key that gets nothing returns an empty page once its wait is over', async () => {
      const began = performance.now();
      const page = await client.scan('scan/never', { start: 0 }, { maxWaitMs: 400 });
      const elapsed = performance.now() - began;
      expect(page.entries).to.deep.equal([]);
      expect(elapsed).to.be.at.least(390);
    });
  });

  describe('Subscribe through client.subscribe', () => {
    it('yields a key from earliest: its stored entries, then later appends, in order', async () => {
      await client.append([{ key: 'sub/one', value: 's0' }, { key: 'sub/one', value: 's1' }]);
      const consumer = fixture.track(await client.subscribe({ keys: ['sub/one'], from: 'earliest' }), (c) => c.close());
      expect(values(await take(consumer, 2))).to.deep.equal(['s0', 's1']);
      await client.append([{ key: 'sub/one', value: 's2' }]);
      const [live] = await take(consumer, 1);
      expect(live.key.toString()).to.equal('sub/one');
      expect(live.value.toString()).to.equal('s2');
    });

    it('yields several keys in global sequence order and no other key', async () => {
      const acked: number[] = [];
      for (let i = 0; i < 12; i++) {
        const key = ['multi/a', 'multi/b', 'multi/c'][i % 3];
        acked.push((await client.append([{ key, value: `m${i}` }])).startSequence);
      }
      const consumer = fixture.track(await client.subscribe({ keys: ['multi/a', 'multi/c'], from: 'earliest' }), (c) => c.close());
      const got = await take(consumer, 8);
      expect(got.map((e) => e.sequence)).to.deep.equal(acked.filter((_, i) => i % 3 !== 1));
      expect(got.map((e) => e.key.toString())).to.deep.equal(['multi/a', 'multi/c', 'multi/a', 'multi/c', 'multi/a', 'multi/c', 'multi/a', 'multi/c']);
    });

    it('yields every key under a prefix and nothing outside it', async () => {
      await client.append([
        { key: 'pfx/x', value: '1' },
        { key: 'pfxy', value: 'not under pfx/' },
        { key: 'pfx/y/z', value: '2' },
        { key: 'other/pfx/', value: 'not under pfx/' },
        { key: 'pfx/', value: '3' },
      ]);
      const consumer = fixture.track(await client.subscribe({ prefix: 'pfx/', from: 'earliest' }), (c) => c.close());
      await client.append([{ key: 'pfx/live', value: '4' }]);
      const got = await takeUntil(consumer, (e) => e.value.toString() === '4');
      expect(got.map((e) => `${e.key.toString()}=${e.value.toString()}`)).to.deep.equal(['pfx/x=1', 'pfx/y/z=2', 'pfx/=3', 'pfx/live=4']);
      expect(strictlyIncreasing(got.map((e) => e.sequence))).to.equal(true);
    });

    it('from latest yields only what is appended after subscribing', async () => {
      await client.append([{ key: 'from/latest', value: 'old' }]);
      const consumer = fixture.track(await client.subscribe({ keys: ['from/latest'], from: 'latest' }), (c) => c.close());
      const fresh = await client.append([{ key: 'from/latest', value: 'new' }]);
      const [entry] = await take(consumer, 1);
      expect([entry.sequence, entry.value.toString()]).to.deep.equal([fresh.startSequence, 'new']);
    });

    it('from a sequence starts at that sequence', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) seqs.push((await client.append([{ key: 'from/seq', value: `q${i}` }])).startSequence);
      const consumer = fixture.track(await client.subscribe({ keys: ['from/seq'], from: seqs[2] }), (c) => c.close());
      const got = await take(consumer, 3);
      expect(got.map((e) => e.sequence)).to.deep.equal(seqs.slice(2));
      expect(consumer.nextSequence).to.equal(seqs[4] + 1);
    });
  });

  describe('Credit flow control', () => {
    it('a subscription granted N records is pushed exactly N entries until Credit grants more', async () => {
      const records = Array.from({ length: 20 }, (_, i) => ({ key: 'credit/records', value: `c${i}` }));
      const { startSequence } = await client.append(records);
      const { conn, entries } = await rawConnection();
      const received = entries(11);
      await conn.request(Subscribe, subscribeRequest(11, { keys: [Buffer.from('credit/records')], creditRecords: 5 }));
      await waitFor(() => received.length >= 5, '5 pushed entries');
      await client.append([{ key: 'credit/records', value: 'live, beyond the credit' }]);
      await conn.request(Ping, { timeMs: 0 }); // answered after every push already decided
      expect(received.map((e) => e.sequence)).to.deep.equal([0, 1, 2, 3, 4].map((i) => startSequence + i));

      await conn.request(Credit, { subscriptionId: 11, records: 3, bytes: 0 });
      await waitFor(() => received.length >= 8, '8 pushed entries');
      await conn.request(Ping, { timeMs: 0 }); // answered after every push already decided
      expect(received.map((e) => e.sequence)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7].map((i) => startSequence + i));

      await conn.request(Credit, { subscriptionId: 11, records: 100, bytes: 0 });
      await waitFor(() => received.length >= 21, 'all 21 entries');
      expect(values(received)).to.deep.equal([...records.map((r) => r.value), 'live, beyond the credit']);
    });

    it('a subscription granted B bytes is pushed only the entries whose key and value bytes fit in B', async () => {
      // key 'credit/bytes' (12 bytes) + value (8 bytes) = 20 bytes per entry
      await client.append(Array.from({ length: 6 }, (_, i) => ({ key: 'credit/bytes', value: `value-0${i}` })));
      const { conn, entries } = await rawConnection();
      const received = entries(12);
      await conn.request(Subscribe, subscribeRequest(12, { keys: [Buffer.from('credit/bytes')], creditRecords: 1000, creditBytes: 50 }));
      await waitFor(() => received.length >= 2, '2 pushed entries');
      await conn.request(Ping, { timeMs: 0 }); // answered after every push already decided
      expect(values(received)).to.deep.equal(['value-00', 'value-01']);
      await conn.request(Credit, { subscriptionId: 12, records: 0, bytes: 30 });
      await waitFor(() => received.length >= 4, '4 pushed entries');
      await conn.request(Ping, { timeMs: 0 }); // answered after every push already decided
      expect(values(received)).to.deep.equal(['value-00', 'value-01', 'value-02', 'value-03']);
    });

    it('a Consumer with a small window never has more than the window delivered and not yet consumed', async () => {
      await client.append(Array.from({ length: 60 }, (_, i) => ({ key: 'credit/window', value: `w${i}` })));
      const delivered = async (): Promise<number> => (await client.stats()).deliveredRecordsTotal;
      const base = await delivered();
      const consumer = fixture.track(await client.subscribe({ keys: ['credit/window'], from: 'earliest', windowRecords: 10 }), (c) => c.close());
      await waitFor(async () => (await delivered()) - base >= 10, '10 delivered entries');
      await client.ping();
      expect((await delivered()) - base).to.equal(10);
      let consumed = 0;
      for (const batch of [3, 4, 10, 20, 23]) {
        consumed += (await take(consumer, batch)).length;
        await client.ping();
        const outstanding = (await delivered()) - base - consumed;
        expect(outstanding, `after consuming ${consumed}`).to.be.within(0, 10);
      }
      expect(consumed).to.equal(60);
    });
  });

  describe('Unsubscribe', () => {
    it('stops the pushes of a subscription and removes it from the broker', async () => {
      const { conn, entries } = await rawConnection();
      const received = entries(21);
      const before = 0;
      await conn.request(Subscribe, subscribeRequest(21, { keys: [Buffer.from('unsub/k')], from: 'LATEST' }));
      expect((await client.stats()).subscriptions).to.equal(before + 1);
      await client.append([{ key: 'unsub/k', value: 'seen' }]);
      await waitFor(() => received.length === 1, 'the first push');
      await conn.request(Unsubscribe, { subscriptionId: 21 });
      expect((await client.stats()).subscriptions).to.equal(before);
      await client.append([{ key: 'unsub/k', value: 'not seen' }]);
      await conn.request(Ping, { timeMs: 0 }); // answered after every push already decided
      expect(values(received)).to.deep.equal(['seen']);
    });

    it('answers NOT_FOUND for a subscription the connection does not have', async () => {
      const { conn } = await rawConnection();
      const error = await rejectionOf(conn.request(Unsubscribe, { subscriptionId: 999 }));
      expect(error).to.be.instanceOf(NotFoundError);
      const creditError = await rejectionOf(conn.request(Credit, { subscriptionId: 999, records: 1, bytes: 1 }));
      expect(creditError).to.be.instanceOf(NotFoundError);
    });

    it('Consumer.close unsubscribes', async () => {
      const before = 0;
      const consumer = await client.subscribe({ keys: ['unsub/consumer'], from: 'latest' });
      expect((await client.stats()).subscriptions).to.equal(before + 1);
      await consumer.close();
      expect((await client.stats()).subscriptions).to.equal(before);
    });
  });

  describe('Count, ListKeys, ListSegments, Seal, Flush', () => {
    it('Count gives the exact number of a key\'s entries in a range', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 7; i++) seqs.push((await client.append([{ key: 'count/k', value: `${i}` }, { key: 'count/other', value: `${i}` }])).startSequence);
      expect(await client.count('count/k')).to.equal(7);
      expect(await client.count('count/k', { start: seqs[2] })).to.equal(5);
      expect(await client.count('count/k', { start: seqs[2], end: seqs[5] })).to.equal(3);
      expect(await client.count('count/none')).to.equal(0);
    });

    it('ListKeys lists the keys under a prefix in byte order, page by page with after', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `lk/${String(i).padStart(2, '0')}`);
      await client.append([...keys].reverse().map((key) => ({ key, value: 'v' })));
      await client.append([{ key: 'lk', value: 'not under lk/' }, { key: 'lk0', value: 'not under lk/' }, { key: 'lk/05', value: 'again' }]);
      const pages: { keys: string[]; more: boolean }[] = [];
      let after: Buffer | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await client.listKeys({ prefix: 'lk/', after, limit: 10 });
        pages.push({ keys: page.keys.map((k) => k.toString()), more: page.more });
        if (!page.more) break;
        after = page.keys[page.keys.length - 1];
      }
      expect(pages.map((p) => p.keys.length)).to.deep.equal([10, 10, 5]);
      expect(pages.map((p) => p.more)).to.deep.equal([true, true, false]);
      expect(pages.flatMap((p) => p.keys)).to.deep.equal(keys);
      const all: string[] = [];
      for await (const key of client.keys({ prefix: 'lk/' })) all.push(key.toString());
      expect(all).to.deep.equal(keys);
    });

    it('Seal closes the active segment, and the next append opens a new one that ListSegments shows', async () => {
      await client.append([{ key: 'seg/k', value: 'before seal' }]);
      const before = await client.listSegments();
      expect(before.length).to.be.at.least(1);
      expect(before[before.length - 1].sealed).to.equal(false);
      expect(await client.seal()).to.equal(before[before.length - 1].id);
      expect(await client.seal(), 'a second Seal with nothing appended between').to.equal(null);
      const sealed = await client.listSegments();
      expect(sealed.map((s) => s.id)).to.deep.equal(before.map((s) => s.id));
      expect(sealed[sealed.length - 1].sealed).to.equal(true);
      const next = await client.append([{ key: 'seg/k', value: 'after seal' }]);
      const after = await client.listSegments();
      expect(after.length).to.equal(before.length + 1);
      const newest = after[after.length - 1];
      expect(newest.id).to.equal(before[before.length - 1].id + 1);
      expect(newest.sealed).to.equal(false);
      expect(newest.startSeq).to.equal(next.startSequence);
      expect(newest.endSeq).to.equal(next.startSequence + 1);
      expect(newest.records).to.equal(1);
      expect(after[after.length - 2].endSeq).to.equal(newest.startSeq);
      const ranged = await client.listSegments({ start: next.startSequence });
      expect(ranged.map((s) => s.id)).to.deep.equal([newest.id]);
    });

    it('Flush makes everything appended durable and returns the durable watermark', async () => {
      const appended = await client.append([{ key: 'flush/k', value: 'not awaited durable' }], { awaitDurable: false });
      const durable = await client.flush();
      expect(durable).to.be.at.least(appended.startSequence + 1);
      expect((await client.stats()).durableSequence).to.be.at.least(durable);
    });
  });

  describe('Cursors', () => {
    it('CommitCursor stores a named position that GetCursor returns', async () => {
      const before = Date.now();
      await client.commitCursor('ops-keys', 42, { keys: ['cur/a', 'cur/b'] });
      const cursor = await client.getCursor('ops-keys');
      expect(cursor).to.not.equal(null);
      expect(cursor?.name).to.equal('ops-keys');
      expect(cursor?.sequence).to.equal(42);
      expect(cursor?.keys.map((k) => k.toString())).to.deep.equal(['cur/a', 'cur/b']);
      expect(cursor?.prefix).to.equal(null);
      expect(cursor?.updatedAtMs).to.be.within(before - 5000, Date.now() + 5000);

      await client.commitCursor('ops-prefix', 7, { prefix: 'cur/' });
      await client.commitCursor('ops-prefix', 9, { prefix: 'cur/' });
      const prefixed = await client.getCursor('ops-prefix');
      expect(prefixed?.sequence).to.equal(9);
      expect(prefixed?.prefix?.toString()).to.equal('cur/');
      expect(prefixed?.keys).to.deep.equal([]);
    });

    it('GetCursor of a name never committed returns null', async () => {
      expect(await client.getCursor('never-committed')).to.equal(null);
    });
  });

  describe('Stats', () => {
    it('reports plausible figures that follow what clients do', async () => {
      const s0 = await client.stats();
      const records = [
        { key: 'stats/k', value: 'x'.repeat(100) },
        { key: 'stats/k', value: 'y'.repeat(50) },
      ];
      const appended = await client.append(records);
      await rejectionOf(client.append([{ key: '', value: 'invalid' }]));
      const extra = await fixture.client(broker.address);
      await extra.ping();
      const s1 = await client.stats();

      expect(s1.brokerVersion).to.equal(client.connection.hello.brokerVersion);
      expect(s1.uptimeMs).to.be.within(1, Date.now() - startedAt + 1000);
      expect(s0.connections).to.equal(1);
      expect(s1.connections).to.equal(2);
      expect(s1.requestsTotal).to.be.at.least(s0.requestsTotal + 3);
      expect(s1.appendedRecordsTotal - s0.appendedRecordsTotal).to.equal(2);
      expect(s1.appendedBytesTotal - s0.appendedBytesTotal).to.equal(2 * 'stats/k'.length + 150);
      expect(s1.storedRecords - s0.storedRecords).to.equal(2);
      expect(s1.storedBytes - s0.storedBytes).to.equal(2 * 'stats/k'.length + 150);
      expect(s1.errorsTotal - s0.errorsTotal).to.equal(1);
      expect(s1.authFailuresTotal).to.equal(0);
      expect(s1.committedSequence).to.equal(appended.startSequence + 2);
      expect(s1.durableSequence).to.equal(s1.committedSequence);
      expect(s1.queuedBatches).to.equal(0);
      expect(s1.queuedBytes).to.equal(0);
      expect(s1.commitsInFlight).to.be.within(0, 2);
      expect(s1.segments).to.equal((await client.listSegments()).length);
      expect(s1.dataFileBytes).to.be.greaterThan(0);
      // Rates are over the last 10 s, whole seconds only: once the second of these appends is
      // over, the 2 records count, and no more records than were appended in the window can.
      let s2 = s1;
      await waitFor(async () => (s2 = await client.stats()).appendRecordsPerSec >= 2 / 10, 'the append rate to count the 2 records');
      expect(s2.appendRecordsPerSec).to.be.at.most(s2.appendedRecordsTotal / 10);
      expect(s2.deliverRecordsPerSec).to.be.at.most(s2.deliveredRecordsTotal / 10);
      const vmRss = broker.procStatusBytes('VmRSS');
      expect(s1.rssBytes).to.be.within(vmRss / 2, vmRss * 2);
    });

    it('reports each cursor\'s lag as the number of records it follows after its position', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 8; i++) seqs.push((await client.append([{ key: i % 2 === 0 ? 'lag/a' : 'lag/b', value: `${i}` }, { key: 'lagx/c', value: `${i}` }])).startSequence);
      await client.commitCursor('lag-keys', seqs[3], { keys: ['lag/a', 'lag/b'] });
      await client.commitCursor('lag-key-a', seqs[5], { keys: ['lag/a'] });
      await client.commitCursor('lag-prefix', seqs[6], { prefix: 'lag/' });
      await client.commitCursor('lag-done', seqs[7] + 2, { keys: ['lag/a'] });
      const lags = new Map((await client.stats()).cursors.map((c) => [c.name, c]));
      expect(lags.get('lag-keys')).to.deep.include({ sequence: seqs[3], lagRecords: 5, lagIsLowerBound: false });
      expect(lags.get('lag-key-a')).to.deep.include({ sequence: seqs[5], lagRecords: 1, lagIsLowerBound: false });
      expect(lags.get('lag-prefix')).to.deep.include({ sequence: seqs[6], lagRecords: 2, lagIsLowerBound: false });
      expect(lags.get('lag-done')).to.deep.include({ lagRecords: 0 });
    });
  });
});
