import { expect } from 'chai';
import { ConnectionError } from '../../../clients/errors.js';
import type { AppendResult, OdlogClient, RecordInput } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { connected, within } from '../../support/ClientHelpers.js';
import { envInt } from '../../support/EnvInt.js';
import { settle, sleep, waitFor } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';
import { TcpProxy } from '../../support/TcpProxy.js';

const seed = envInt('ODLOG_RETRY_SEED', Date.now() % 1_000_000);

/** Every entry of the keys, as value -> sequences (a value stored twice shows up twice). */
async function locate(client: OdlogClient, keys: readonly string[]): Promise<Map<string, number[]>> {
  const where = new Map<string, number[]>();
  for (const key of keys) {
    for await (const entry of client.scanAll(key)) {
      const value = entry.value.toString();
      where.set(value, [...(where.get(value) ?? []), entry.sequence]);
    }
  }
  return where;
}

function batchOf(batch: number, size: number, keys: readonly string[]): RecordInput[] {
  return Array.from({ length: size }, (_, i) => ({ key: keys[(batch + i) % keys.length], value: `b${batch}/r${i}` }));
}

describe('broker: idempotent retries after a lost connection', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  let proxy: TcpProxy;
  /** Connected straight to the broker, to look at what was stored. */
  let observer: OdlogClient;

  beforeEach(async () => {
    broker = await fixture.start();
    proxy = fixture.track(await TcpProxy.start({ host: broker.host, port: broker.port }), (p) => p.close());
    observer = await fixture.client(broker.address);
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('answers a retried append whose response was lost with duplicate=true and its original sequences, and stores it once', async () => {
    const client = await fixture.client(proxy.address);
    const records = batchOf(0, 5, ['idem/a', 'idem/b']);
    const producer = { id: 'producer-lost-response', batchNumber: 0 };
    proxy.dropResponses = true;
    const first = settle(client.append(records, { producer }));
    // The append takes effect in the broker; only its answer is lost.
    await waitFor(async () => (await observer.count('idem/a')) + (await observer.count('idem/b')) === 5, 'the batch to be stored');
    const stored = await locate(observer, ['idem/a', 'idem/b']);
    proxy.cutAll();
    proxy.dropResponses = false;
    const outcome = await first;
    expect(outcome.ok ? 'answered' : outcome.error).to.be.instanceOf(ConnectionError);

    await connected(client.connection);
    const retry = await client.append(records, { producer });
    expect(retry.duplicate).to.equal(true);
    expect(retry.count).to.equal(5);
    expect(retry.startSequence).to.equal(stored.get('b0/r0')?.[0]);
    const after = await locate(observer, ['idem/a', 'idem/b']);
    expect([...after.entries()].sort()).to.deep.equal([...stored.entries()].sort());
    for (let i = 0; i < 5; i++) expect(after.get(`b0/r${i}`), `record ${i}`).to.deep.equal([retry.startSequence + i]);
    // The broker is new in this test: the 5 records are all it ever appended.
    const stats = await observer.stats();
    expect(stats.storedRecords).to.equal(5);
    expect(stats.appendedRecordsTotal).to.equal(5);
  });

  it('lets a Producer retry batches whose answers were lost: each send resolves with the sequence its record is stored at, once', async () => {
    const client = await fixture.client(proxy.address);
    // 5 batches, all in flight at once (the producer sends no more than maxInFlight unanswered).
    const producer = client.producer({ lingerMs: 1, batchRecords: 40, maxInFlight: 8 });
    const keys = ['idem/p0', 'idem/p1', 'idem/p2'];
    proxy.dropResponses = true;
    const sends = Array.from({ length: 200 }, (_, i) => producer.send(keys[i % 3], `send ${i}`));
    await waitFor(async () => (await Promise.all(keys.map((k) => observer.count(k)))).reduce((a, b) => a + b) === 200, 'every batch to be stored', 10_000);
    proxy.cutAll();
    proxy.dropResponses = false;
    const sequences = await within(Promise.all(sends), 30_000, () => 'the producer did not finish its retries');
    await producer.close();
    const stored = await locate(observer, keys);
    expect(stored.size).to.equal(200);
    for (let i = 0; i < 200; i++) expect(stored.get(`send ${i}`), `send ${i}`).to.deep.equal([sequences[i]]);
  });

  it('stores every record of a Producer exactly once while its connection is cut again and again', async () => {
    const random = prng(seed);
    const client = await fixture.client(proxy.address);
    const producer = client.producer({ lingerMs: 2, batchRecords: 25, maxInFlight: 8 });
    const keys = ['idem/c0', 'idem/c1', 'idem/c2', 'idem/c3'];
    const total = 2000;
    const sends: Promise<number>[] = [];
    const cutter = (async () => {
      for (let cut = 0; cut < 6; cut++) {
        await sleep(randomInt(random, 20, 120));
        proxy.cutAll();
      }
    })();
    for (let i = 0; i < total; i++) {
      sends.push(producer.send(keys[i % keys.length], `cut ${i}`));
      if (i % 50 === 49) await sleep(randomInt(random, 0, 10));
    }
    await cutter;
    const sequences = await within(Promise.all(sends), 45_000, () => `the producer did not deliver everything (ODLOG_RETRY_SEED=${seed})`);
    await producer.close();
    const stored = await locate(observer, keys);
    const twice = [...stored.entries()].filter(([, at]) => at.length > 1);
    expect(twice, `values stored more than once (ODLOG_RETRY_SEED=${seed})`).to.deep.equal([]);
    expect(stored.size).to.equal(total);
    for (let i = 0; i < total; i++) expect(stored.get(`cut ${i}`), `send ${i} (ODLOG_RETRY_SEED=${seed})`).to.deep.equal([sequences[i]]);
    expect(proxy.accepted).to.be.greaterThan(1);
  });

  it('answers a batch retried after the broker was SIGKILLed and restarted with duplicate=true and its original sequences', async () => {
    const client = await fixture.client(proxy.address);
    const producer = { id: 'producer-across-kill', batchNumber: 0 };
    const acked = await client.append(batchOf(0, 3, ['idem/k']), { producer });
    const inDoubt = batchOf(1, 4, ['idem/k']);
    proxy.dropResponses = true;
    const lost = settle(client.append(inDoubt, { producer: { ...producer, batchNumber: 1 } }));
    await waitFor(async () => (await observer.count('idem/k')) === 7, 'the in-doubt batch to be stored');
    await observer.flush();
    const stored = await locate(observer, ['idem/k']);
    await broker.kill();
    const outcome = await lost;
    expect(outcome.ok ? 'answered' : outcome.error).to.be.instanceOf(ConnectionError);
    proxy.dropResponses = false;
    await broker.restart();
    await connected(client.connection);

    const retry = await client.append(inDoubt, { producer: { ...producer, batchNumber: 1 } });
    expect(retry.duplicate).to.equal(true);
    expect(retry.startSequence).to.equal(stored.get('b1/r0')?.[0]);
    expect(retry.count).to.equal(4);
    const again = await client.append(batchOf(0, 3, ['idem/k']), { producer });
    expect({ ...again }).to.deep.equal({ startSequence: acked.startSequence, count: 3, duplicate: true });
    const next = await client.append(batchOf(2, 2, ['idem/k']), { producer: { ...producer, batchNumber: 2 } });
    expect(next.duplicate).to.equal(false);
    expect(next.startSequence).to.be.at.least(retry.startSequence + 4);
    const after = await locate(observer, ['idem/k']);
    expect(after.size).to.equal(9);
    expect([...after.values()].every((at) => at.length === 1)).to.equal(true);
  });

  it('stores each batch once when batches in flight are retried after a SIGKILL at a random moment and a restart', async () => {
    const random = prng(seed + 7);
    const client = await fixture.client(broker.address, { requestTimeoutMs: 20_000 });
    const producerId = 'producer-random-kill';
    const keys = ['idem/r0', 'idem/r1', 'idem/r2'];
    const batchSize = 20;
    const acked = new Map<number, AppendResult>();
    const sent = new Set<number>();
    let nextBatch = 0;
    let stop = false;
    const appender = async (): Promise<void> => {
      while (!stop) {
        const batch = nextBatch++;
        sent.add(batch);
        const outcome = await settle(client.append(batchOf(batch, batchSize, keys), { producer: { id: producerId, batchNumber: batch } }));
        if (outcome.ok) acked.set(batch, outcome.value);
        else return; // the connection went with the broker
      }
    };
    const appenders = Array.from({ length: 4 }, appender);
    await waitFor(() => acked.size >= 10, '10 acknowledged batches');
    await sleep(randomInt(random, 0, 50));
    await broker.kill();
    stop = true;
    await Promise.all(appenders);
    const unacked = [...sent].filter((b) => !acked.has(b)).sort((a, b) => a - b);
    expect(unacked.length, 'batches in flight at the kill').to.be.within(1, 4);

    await broker.restart();
    await connected(client.connection);
    await connected(observer.connection);
    const before = await locate(observer, keys);
    // Every acknowledged batch survived the kill where it was acknowledged.
    for (const [batch, result] of acked) {
      for (let i = 0; i < batchSize; i++) expect(before.get(`b${batch}/r${i}`), `acked batch ${batch} record ${i} (ODLOG_RETRY_SEED=${seed})`).to.deep.equal([result.startSequence + i]);
    }
    // Retry the in-doubt batches (and, harmlessly, the newest acknowledged one: still in the producer's window).
    const retries = new Map<number, AppendResult>();
    for (const batch of [...unacked, Math.max(...acked.keys())]) {
      retries.set(batch, await client.append(batchOf(batch, batchSize, keys), { producer: { id: producerId, batchNumber: batch } }));
    }
    const after = await locate(observer, keys);
    const twice = [...after.entries()].filter(([, at]) => at.length > 1);
    expect(twice, `values stored twice (ODLOG_RETRY_SEED=${seed})`).to.deep.equal([]);
    expect(after.size).to.equal((acked.size + unacked.length) * batchSize);
    for (const [batch, retry] of retries) {
      const wasStored = before.has(`b${batch}/r0`);
      expect(retry.duplicate, `batch ${batch} was ${wasStored ? '' : 'not '}stored before the retry (ODLOG_RETRY_SEED=${seed})`).to.equal(wasStored);
      for (let i = 0; i < batchSize; i++) expect(after.get(`b${batch}/r${i}`), `batch ${batch} record ${i}`).to.deep.equal([retry.startSequence + i]);
    }
  });
});
