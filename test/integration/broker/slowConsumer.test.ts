import { expect } from 'chai';
import { readEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Subscribe, SubscriptionBatchPush } from '../../../src/protocol/messages/subscribe.js';
import { FrameFlags } from '../../../src/protocol/frame/FrameHeader.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { sleep } from '../../support/LogFixture.js';
import { RawConnection } from '../../support/RawConnection.js';

const MiB = 1024 * 1024;

/**
 * The broker's output to one connection is bounded by --output-buffer-bytes-max: above it the
 * subscription stops pushing (storage is its buffer) and resumes from storage once the client
 * reads again. A subscriber with unlimited credit that never reads must therefore cost the
 * broker about that bound, not the size of what is appended meanwhile.
 *
 * The bound asserted: growth of the broker's anonymous resident memory (RssAnon: heap and
 * Buffers, where queued output would live; file pages of the LMDB map are excluded, they are
 * the page cache) of less than 48 MiB while 96 MiB are appended, i.e. half of what an unbounded
 * queue would have to hold. The expected cost is the output bound (8 MiB) + one push page
 * (pushBytesMax, 1 MiB) + the producers' batches in flight (4 x 1 MiB) + garbage the collector
 * has not yet reclaimed; the margin is for the last.
 */
describe('broker: a subscriber that stops reading', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('costs the broker a bounded amount of memory while producers keep getting acks, and gets everything in order once it reads again', async () => {
    const outputBufferBytesMax = 8 * MiB;
    const broker = await fixture.start(['--output-buffer-bytes-max', String(outputBufferBytesMax)]);
    const valueBytes = 64 * 1024;
    const recordsPerBatch = 16; // 1 MiB per append
    const batchesTotal = 96; // 96 MiB appended while the subscriber does not read
    const producers = await Promise.all([fixture.client(broker.address), fixture.client(broker.address)]);
    const observer = await fixture.client(broker.address);

    // Warm the broker up (LMDB map, V8 heap) so that the baseline is not its cold start.
    for (let i = 0; i < 8; i++) await producers[0].append(Array.from({ length: recordsPerBatch }, () => ({ key: 'slow/warmup', value: Buffer.alloc(valueBytes, 1) })));
    const firstSequence = (await observer.stats()).committedSequence;

    const subscriber = fixture.track(await RawConnection.open(broker.port, broker.host), (c) => c.destroy());
    await subscriber.request(Subscribe, {
      subscriptionId: 1,
      keys: [Buffer.from('slow/k')],
      prefix: null,
      from: 'SEQUENCE',
      sequence: firstSequence,
      cursor: null,
      creditRecords: 0x7fff_ffff,
      creditBytes: 2 ** 50,
    });
    subscriber.pause();
    await sleep(200);
    const baseline = broker.procStatusBytes('RssAnon');

    const t0 = Date.now();
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, broker.procStatusBytes('RssAnon'));
        await sleep(25);
      }
    })();

    const acked: { startSequence: number; count: number; batch: number }[] = [];
    let nextBatch = 0;
    const producerLoop = async (p: number): Promise<void> => {
      const client = producers[p % producers.length];
      for (let batch = nextBatch++; batch < batchesTotal; batch = nextBatch++) {
        const records = Array.from({ length: recordsPerBatch }, (_, i) => {
          const value = Buffer.alloc(valueBytes, batch % 251);
          value.writeUInt32BE(batch, 0);
          value.writeUInt32BE(i, 4);
          return { key: 'slow/k', value };
        });
        const result = await client.append(records, { awaitDurable: true });
        expect(result.count).to.equal(recordsPerBatch);
        acked.push({ ...result, batch });
      }
    };
    await Promise.all([0, 1, 2, 3].map(producerLoop));
    await sleep(200);
    sampling = false;
    await sampler;

    expect(acked).to.have.length(batchesTotal);
    if (process.env.ODLOG_DEBUG_RSS) console.log({ baseline: baseline / MiB, peak: peak / MiB, vmrss: broker.procStatusBytes('VmRSS') / MiB, ms: Date.now() - t0 });
    const growth = peak - baseline;
    expect(growth, `RssAnon grew from ${(baseline / MiB).toFixed(1)} MiB by ${(growth / MiB).toFixed(1)} MiB while ${batchesTotal} MiB were appended`).to.be.lessThan(48 * MiB);
    // Other connections are served all along.
    expect(await observer.count('slow/k')).to.equal(batchesTotal * recordsPerBatch);

    // Reading again, the subscriber gets every record, in order, once.
    subscriber.resume();
    const expected = acked.flatMap((a) => Array.from({ length: a.count }, (_, i) => a.startSequence + i)).sort((a, b) => a - b);
    const received: number[] = [];
    let decodedFrames = 0;
    await subscriber.waitUntil(
      () => {
        const pushes = subscriber.frames.filter((f) => (f.flags & FrameFlags.Push) !== 0 && f.messageType === MessageType.SubscriptionBatch);
        for (; decodedFrames < pushes.length; decodedFrames++) {
          for (const entry of readEntryBatch(SubscriptionBatchPush.body.decode(pushes[decodedFrames].body).entries)) {
            const batch = entry.value.readUInt32BE(0);
            const index = entry.value.readUInt32BE(4);
            const ack = acked.find((a) => a.batch === batch);
            expect(ack, `entry ${entry.sequence} names batch ${batch}`).to.not.equal(undefined);
            expect(entry.sequence).to.equal((ack as { startSequence: number }).startSequence + index);
            received.push(entry.sequence);
          }
        }
        return received.length >= expected.length;
      },
      'every appended record to reach the subscriber',
      30_000,
    );
    expect(received).to.deep.equal(expected);
    // Freed frames no longer needed by the test.
    subscriber.frames.length = 0;
  });
});
