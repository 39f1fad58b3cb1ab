import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { socketTransports } from '../../../clients/transport/SocketTransport.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { envInt } from '../../support/EnvInt.js';
import { waitFor } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';
import { pushedEnd, pushedEntries } from '../../support/PushFrames.js';

/** Keys under the subscribed prefix, and keys that only look close to it. */
const matchingKeys = Array.from({ length: 60 }, (_, i) => `cu/${String(i).padStart(2, '0')}`);
const otherKeys = ['cu', 'cv/00', 'c', 'cu.x', 'cx/01', 'du/00'];
const seed = envInt('ODLOG_CATCHUP_SEED', Date.now() % 1_000_000);

interface Workload {
  /** Sequences of every acknowledged record under the prefix, sorted. */
  readonly expected: number[];
}

/**
 * Fill the log, then run `appenders` producers concurrently with whatever `during` does (the
 * subscription under test); returns the acknowledged sequences of records under the prefix.
 */
async function runWorkload(client: OdlogClient, during: () => Promise<void>, random: () => number): Promise<Workload & { subscribed: Promise<void> }> {
  const expected: number[] = [];
  const pickKey = (): string => (random() < 0.8 ? matchingKeys[randomInt(random, 0, matchingKeys.length - 1)] : otherKeys[randomInt(random, 0, otherKeys.length - 1)]);
  // Stored before the subscription starts: catch-up from storage.
  for (let b = 0; b < 10; b++) {
    const records = Array.from({ length: 400 }, (_, i) => ({ key: pickKey(), value: `pre ${b}/${i}` }));
    const { startSequence } = await client.append(records);
    records.forEach((r, i) => r.key.startsWith('cu/') && expected.push(startSequence + i));
  }
  const subscribed = during();
  // Appended while the subscription catches up and then follows live.
  const producers = [client.producer({ lingerMs: 1, batchRecords: 50 }), client.producer({ lingerMs: 3, batchRecords: 200 }), client.producer({ lingerMs: 0, batchRecords: 7 })];
  await Promise.all(
    producers.map(async (producer, p) => {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 1500; i++) {
        const key = pickKey();
        sends.push(producer.send(key, `live ${p}/${i}`).then((sequence) => void (key.startsWith('cu/') && expected.push(sequence))));
        if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, randomInt(random, 0, 5)));
      }
      await Promise.all(sends);
      await producer.close();
    }),
  );
  return { expected: expected.sort((a, b) => a - b), subscribed };
}

describe('broker: catch-up from storage to live delivery', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });
  beforeEach(async () => {
    broker = await fixture.start();
  });

  it('delivers every record under a prefix exactly once, in increasing sequence order, while producers append concurrently (raw subscription with small credit)', async () => {
    const random = prng(seed);
    const client = await fixture.client(broker.address);
    const conn = fixture.track(await BrokerConnection.open({ transports: socketTransports({ host: broker.host, port: broker.port }), reconnect: false }), (c) => c.close());
    const received: number[] = [];
    const foreign: string[] = [];
    let ended: string | undefined;
    conn.onPush(5, (frame) => {
      if (frame.messageType === MessageType.SubscriptionEnd) {
        ended = pushedEnd(frame).message;
        return;
      }
      const entries = pushedEntries(frame);
      for (const e of entries) {
        if (!e.key.toString().startsWith('cu/')) foreign.push(e.key.toString());
        received.push(e.sequence);
      }
      // Give the credit back a little later, so the subscription keeps running out of it and
      // switching between catching up from storage and following live.
      setTimeout(() => void conn.request(Credit, { subscriptionId: 5, records: entries.length, bytes: 0 }).catch(() => undefined), randomInt(random, 0, 4));
    });
    const workload = await runWorkload(
      client,
      async () => {
        await conn.request(Subscribe, { subscriptionId: 5, keys: [], prefix: Buffer.from('cu/'), from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 64, creditBytes: 2 ** 40, timeMs: 0 });
      },
      random,
    );
    await workload.subscribed;
    await waitFor(() => received.length >= workload.expected.length || ended !== undefined, `all ${workload.expected.length} records (got ${received.length})`, 30_000);
    // A last record proves nothing more was on its way.
    const sentinel = await client.append([{ key: 'cu/zz', value: 'sentinel' }]);
    await waitFor(() => received.includes(sentinel.startSequence), 'the sentinel', 10_000);
    expect(ended).to.equal(undefined);
    expect(foreign).to.deep.equal([]);
    const seen = new Set<number>();
    const duplicates = received.filter((s) => seen.has(s) || (seen.add(s), false));
    expect(duplicates, `duplicates (ODLOG_CATCHUP_SEED=${seed})`).to.deep.equal([]);
    const outOfOrder = received.filter((s, i) => i > 0 && s <= received[i - 1]);
    expect(outOfOrder, `out of order (ODLOG_CATCHUP_SEED=${seed})`).to.deep.equal([]);
    expect(received, `ODLOG_CATCHUP_SEED=${seed}`).to.deep.equal([...workload.expected, sentinel.startSequence]);
  });

  it('a Consumer from earliest yields every record under a prefix exactly once, in order, while producers append concurrently', async () => {
    const random = prng(seed + 1);
    const client = await fixture.client(broker.address);
    const reader = await fixture.client(broker.address);
    const consumed: number[] = [];
    let consumer: Awaited<ReturnType<OdlogClient['subscribe']>> | undefined;
    let reading: Promise<unknown> = Promise.resolve();
    const workload = await runWorkload(
      client,
      async () => {
        consumer = fixture.track(await reader.subscribe({ prefix: 'cu/', from: 'earliest', windowRecords: 100 }), (c) => c.close());
        const c = consumer;
        reading = (async () => {
          for await (const entry of c) {
            consumed.push(entry.sequence);
            if (entry.key.toString() === 'cu/zz') return;
          }
        })();
      },
      random,
    );
    await workload.subscribed;
    const sentinel = await client.append([{ key: 'cu/zz', value: 'sentinel' }]);
    await within(reading, 30_000, () => `the consumer yielded ${consumed.length} of ${workload.expected.length + 1} records`);
    expect(consumed, `ODLOG_CATCHUP_SEED=${seed}`).to.deep.equal([...workload.expected, sentinel.startSequence]);
  });
});
