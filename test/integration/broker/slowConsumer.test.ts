import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { readEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { FrameFlags } from '../../../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { sleep } from '../../support/LogFixture.js';
import { RawConnection } from '../../support/RawConnection.js';

const MiB = 1024 * 1024;

/** The largest buffer the kernel may give one TCP socket (`tcp_*mem` max), from /proc. */
function tcpBufferMax(which: 'tcp_rmem' | 'tcp_wmem', fallback: number): number {
  try {
    return Number(readFileSync(`/proc/sys/net/ipv4/${which}`, 'utf8').trim().split(/\s+/)[2]);
  } catch {
    return fallback;
  }
}

/**
 * A subscriber with unlimited credit that stops reading while producers append 192 MiB to its
 * key. The broker's output to one connection is bounded by --output-buffer-bytes-max: above it
 * the subscription stops pushing (storage is its buffer) and resumes from storage once the
 * client reads again. The workload runs once; each test checks one consequence of it.
 */
describe('broker: a subscriber that stops reading while producers append 192 MiB', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  const outputBufferBytesMax = 8 * MiB;
  const memtableBytesMax = 16 * MiB;
  const pushBytesMax = 1 * MiB; // src/limits.ts: one push, the most a subscription overshoots its room by
  const key = 'slow/k';
  const valueBytes = 64 * 1024;
  const recordBytes = key.length + valueBytes;
  const recordsPerBatch = 16; // 1 MiB per append
  const batchesTotal = 192;
  const appendersInFlight = 4;

  let broker: BrokerProcess;
  let observer: OdlogClient;
  let subscriber: RawConnection;
  const acked: { startSequence: number; count: number; batch: number }[] = [];
  let baselineAnon = 0;
  let peakAnon = 0;
  let deliveredWhileStalled = 0;
  let countWhileStalled = 0;

  before(async () => {
    // The memtable (commits not yet flushed to LMDB) is a bound of its own, set small here so that
    // what this test measures is what the broker holds for the stalled subscriber.
    broker = await fixture.start(['--output-buffer-bytes-max', String(outputBufferBytesMax), '--memtable-bytes-max', String(memtableBytesMax)]);
    const producers = await Promise.all([fixture.client(broker.address, {}, 'file'), fixture.client(broker.address, {}, 'file')]);
    observer = await fixture.client(broker.address, {}, 'file');

    // Warm the broker up (LMDB map, V8 heap, write path) so that the baseline is not its cold start.
    for (let i = 0; i < 16; i++) await producers[i % 2].append(Array.from({ length: recordsPerBatch }, () => ({ key: 'slow/warmup', value: Buffer.alloc(valueBytes, 1) })));

    subscriber = await fixture.raw(broker, 'file');
    await subscriber.request(Subscribe, {
      subscriptionId: 1,
      keys: [Buffer.from(key)],
      prefix: null,
      from: 'LATEST',
      sequence: 0,
      cursor: null,
      creditRecords: 0x7fff_ffff,
      creditBytes: 2 ** 50,
      timeMs: 0,
    });
    subscriber.pause();
    await sleep(200);
    baselineAnon = broker.procStatusBytes('RssAnon');
    peakAnon = baselineAnon;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakAnon = Math.max(peakAnon, broker.procStatusBytes('RssAnon'));
        await sleep(20);
      }
    })();

    let nextBatch = 0;
    const appender = async (a: number): Promise<void> => {
      for (let batch = nextBatch++; batch < batchesTotal; batch = nextBatch++) {
        const records = Array.from({ length: recordsPerBatch }, (_, i) => {
          const value = Buffer.alloc(valueBytes, batch % 251);
          value.writeUInt32BE(batch, 0);
          value.writeUInt32BE(i, 4);
          return { key, value };
        });
        const result = await producers[a % producers.length].append(records);
        acked.push({ startSequence: result.startSequence, count: result.count, batch });
      }
    };
    await Promise.all(Array.from({ length: appendersInFlight }, (_, a) => appender(a)));
    await sleep(300);
    sampling = false;
    await sampler;
    const stats = await observer.stats();
    deliveredWhileStalled = stats.deliveredRecordsTotal;
    countWhileStalled = await observer.count(key);
  });
  after(() => fixture.cleanup());
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });

  it('acknowledges every append while the subscriber is stalled, and keeps serving other connections', () => {
    expect(acked).to.have.length(batchesTotal);
    expect(acked.every((a) => a.count === recordsPerBatch)).to.equal(true);
    expect(countWhileStalled).to.equal(batchesTotal * recordsPerBatch);
  });

  it('pushes the stalled subscriber no more than its output bound plus what the sockets can hold', () => {
    // What can leave the broker's queue for a client that reads nothing: the kernel's send buffer
    // of the broker's socket and the receive buffer of the client's.
    const socketBytes = tcpBufferMax('tcp_wmem', 4 * MiB) + tcpBufferMax('tcp_rmem', 32 * MiB);
    const bound = outputBufferBytesMax + pushBytesMax + socketBytes;
    const deliveredBytes = deliveredWhileStalled * recordBytes;
    expect(deliveredBytes, `delivered ${(deliveredBytes / MiB).toFixed(1)} MiB of ${batchesTotal} MiB; bound ${(bound / MiB).toFixed(1)} MiB`).to.be.at.most(bound);
    expect(bound).to.be.lessThan(batchesTotal * MiB * 0.5); // the check above can tell bounded from unbounded
  });

  it('keeps the broker\'s memory bounded: anonymous RSS grows by less than 128 MiB while 192 MiB are appended', () => {
    // RssAnon is the heap and the Buffers, where a queue of output would live; the file pages of the
    // LMDB map (the page cache) are not in it. Expected growth: the output bound (8 MiB) + one push
    // (1 MiB) + the appends in flight (4 x 1 MiB) + what the write path holds (the memtable, here
    // 16 MiB, in shared-memory slabs of 17 MiB, and a flush's rows and LMDB pages while it runs) and
    // garbage not yet collected. An unbounded output queue alone would add the 192 MiB appended.
    const growth = peakAnon - baselineAnon;
    expect(
      growth,
      `RssAnon grew from ${(baselineAnon / MiB).toFixed(1)} MiB by ${(growth / MiB).toFixed(1)} MiB (pushed while stalled: ${((deliveredWhileStalled * recordBytes) / MiB).toFixed(1)} MiB)`,
    ).to.be.lessThan(128 * MiB);
  });

  it('delivers every record once, in sequence order, when the subscriber reads again', async () => {
    subscriber.resume();
    const expected = acked.flatMap((a) => Array.from({ length: a.count }, (_, i) => a.startSequence + i)).sort((x, y) => x - y);
    const byBatch = new Map(acked.map((a) => [a.batch, a.startSequence]));
    const received: number[] = [];
    const misplaced: string[] = [];
    await subscriber.waitUntil(
      () => {
        for (const frame of subscriber.frames.splice(0)) {
          if ((frame.flags & FrameFlags.Push) === 0 || frame.messageType !== MessageType.SubscriptionBatch) continue;
          for (const entry of readEntryBatch(SubscriptionBatchPush.body.at(1).decode(frame.body).entries)) {
            const batch = entry.value.readUInt32BE(0);
            const index = entry.value.readUInt32BE(4);
            if (byBatch.get(batch) !== entry.sequence - index) misplaced.push(`sequence ${entry.sequence} holds record ${index} of batch ${batch}`);
            received.push(entry.sequence);
          }
        }
        return received.length >= expected.length;
      },
      'every appended record to reach the subscriber',
      60_000,
    );
    expect(misplaced).to.deep.equal([]);
    expect(received).to.deep.equal(expected);
  });
});
