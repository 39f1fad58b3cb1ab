import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { CommitCursor } from '../../../src/protocol/messages/commitCursor.js';
import { Stats } from '../../../src/protocol/messages/stats.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { envInt } from '../../support/EnvInt.js';
import { FrameFuzzer, FuzzTally, runSession } from '../../support/FrameFuzzer.js';
import { sleep } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';
import { decodeResponse, errorOf, isErrorFrame } from '../../support/RawConnection.js';

/**
 * Hostile and broken input: a fuzzer sends fuzzed frames over many connections at once while a
 * well-behaved client keeps working on another; the broker must survive, answer as documented,
 * keep serving the well-behaved client, and not grow its memory round after round.
 *
 * Short (npm test): ODLOG_FUZZ_FRAMES=3000 in 6 rounds. Long: ODLOG_FUZZ_FRAMES and/or
 * ODLOG_FUZZ_SECONDS (rounds of ODLOG_FUZZ_ROUND_FRAMES until both are reached); ODLOG_FUZZ_SEED
 * replays a run; ODLOG_FUZZ_CONNECTIONS sets the concurrent fuzzing connections.
 */
const totalFrames = envInt('ODLOG_FUZZ_FRAMES', 3000);
const seconds = envInt('ODLOG_FUZZ_SECONDS', 0);
const roundFrames = envInt('ODLOG_FUZZ_ROUND_FRAMES', seconds > 0 || totalFrames > 20_000 ? 20_000 : Math.ceil(totalFrames / 6));
const concurrency = envInt('ODLOG_FUZZ_CONNECTIONS', 8);
const seed = envInt('ODLOG_FUZZ_SEED', Date.now() % 1_000_000);
const frameBytesMax = 64 * 1024;
const partialFrameTimeoutMs = 1500;
const MiB = 1024 * 1024;


const mib = (bytes: number): string => (bytes / MiB).toFixed(1);

/** A client doing ordinary work in a loop; every request must succeed. */
class Bystander {
  ok = 0;
  readonly failures: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly client: OdlogClient) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const key = 'bystander/k';
    for (let i = 0; this.running; i++) {
      const step = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
        try {
          const out = await call();
          this.ok++;
          return out;
        } catch (error) {
          if (this.failures.length < 20) this.failures.push(`${what} #${i}: ${String(error)}`);
          return undefined;
        }
      };
      const appended = await step('Append', () => this.client.append([{ key, value: `v${i}` }]));
      if (appended !== undefined) {
        const page = await step('Scan', () => this.client.scan(key, { start: appended.startSequence }, { limit: 1 }));
        if (page !== undefined && page.entries[0]?.value.toString() !== `v${i}`) this.failures.push(`Scan #${i}: read back ${page.entries[0]?.value.toString()}`);
      }
      await step('Count', () => this.client.count(key));
      await step('Ping', () => this.client.ping());
      if (i % 10 === 0) await step('Stats', () => this.client.stats());
      if (i % 10 === 5) await step('ListKeys', () => this.client.listKeys({ prefix: 'bystander/' }));
      await sleep(2);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('reliability: hostile input (fuzzing the wire protocol)', function () {
  this.timeout(Math.max(240_000, seconds * 1000 * 2));
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  const brokerArgs = ['--frame-bytes-max', String(frameBytesMax), '--partial-frame-timeout-ms', String(partialFrameTimeoutMs), '--durability', 'async'];

  it(`survives fuzzed frames (${totalFrames}${seconds > 0 ? ` and ${seconds} s` : ''}) over ${concurrency} connections: documented answers only, other clients served, memory flat`, async () => {
    console.log(`      seed: ODLOG_FUZZ_SEED=${seed}`);
    // A capped heap keeps the garbage collector eager: RSS then follows live memory, and a leak
    // shows as growth round after round (or as the broker running out of heap).
    const broker: BrokerProcess = await fixture.start(brokerArgs, { env: { NODE_OPTIONS: '--max-old-space-size=256' } });
    const fuzzer = new FrameFuzzer(seed, { frameBytesMax });
    const tally = new FuzzTally();
    const bystander = new Bystander(await fixture.client(broker.address, { requestTimeoutMs: 30_000, reconnect: false }));
    const random = prng(seed ^ 0x5bd1e995);
    const rss: { round: number; frames: number; vmRss: number; rssAnon: number }[] = [];
    const started = Date.now();
    try {
      for (let round = 1; tally.framesSent < totalFrames || Date.now() - started < seconds * 1000; round++) {
        const roundEnd = tally.framesSent + roundFrames;
        let sessions = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (tally.framesSent < roundEnd && broker.isRunning) {
              const label = `round ${round} session ${++sessions} (ODLOG_FUZZ_SEED=${seed})`;
              await runSession(fuzzer, tally, { host: broker.host, port: broker.port, cases: randomInt(random, 1, 48), breakAtEnd: random() < 0.6, partialFrameTimeoutMs, label });
            }
          }),
        );
        expect(broker.isRunning, `the broker died in round ${round} (exit ${JSON.stringify(broker.exitStatus)}); stderr:\n${broker.stderrTail(20)}`).to.equal(true);
        rss.push({ round, frames: tally.framesSent, vmRss: broker.procStatusBytes('VmRSS'), rssAnon: broker.procStatusBytes('RssAnon') });
      }
    } finally {
      await bystander.stop();
    }
    const seconds_ = ((Date.now() - started) / 1000).toFixed(0);
    const kinds = [...fuzzer.kinds.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    const codes = [...tally.codes.entries()].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}:${n}`).join(' ');
    console.log(`      ${tally.framesSent} frames (${mib(tally.bytesSent)} MiB) in ${seconds_} s over ${tally.connections} connections; ${tally.answered} answered (${tally.successes} successes; error codes ${codes}), ${tally.pushes} pushes, ${tally.connectionsClosedByBroker} connections closed after a broken stream, ${tally.longPollsLeft} long-polls left pending`);
    console.log(`      cases: ${kinds}`);
    console.log(`      broker VmRSS by round (MiB): ${rss.map((r) => mib(r.vmRss)).join(' ')}; RssAnon: ${rss.map((r) => mib(r.rssAnon)).join(' ')}; peak ${mib(Math.max(...rss.map((r) => r.vmRss)))}`);
    console.log(`      bystander: ${bystander.ok} requests answered, ${bystander.failures.length} failed`);

    expect(tally.violations, 'answers that break docs/protocol.md').to.deep.equal([]);
    expect(bystander.failures, 'requests of the well-behaved client that failed').to.deep.equal([]);
    expect(bystander.ok).to.be.greaterThan(0);
    expect(broker.stderr, 'INTERNAL errors logged by the broker').to.not.match(/request_failed/);
    // Memory: after warm-up, the last rounds stay within a band of the first (no growth per round).
    if (rss.length >= 4) {
      const warm = rss[Math.max(1, Math.floor(rss.length / 3)) - 1].vmRss;
      const last = Math.max(...rss.slice(-2).map((r) => r.vmRss));
      const band = Math.max(64 * MiB, warm / 2);
      expect(last, `VmRSS after warm-up ${mib(warm)} MiB, last rounds ${mib(last)} MiB (band ${mib(band)} MiB)`).to.be.at.most(warm + band);
    }
  });

  // ---- what the fuzzer found, one request each -------------------------------------------------

  it('serves a Subscribe to the empty prefix (documented: every key) and stays up', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address);
    await client.append([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    const conn = await fixture.raw(broker);
    const id = await conn.send(Subscribe, { subscriptionId: 1, keys: [], prefix: Buffer.alloc(0), from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 10, creditBytes: 1000, timeMs: 0 });
    const answer = await conn.response(id, 5000).catch((error: Error) => error);
    await sleep(300);
    expect(broker.isRunning, `the broker died (exit ${JSON.stringify(broker.exitStatus)}); stderr:\n${broker.stderrTail(12)}`).to.equal(true);
    expect(answer).to.not.be.instanceOf(Error);
    const response = decodeResponse(Subscribe, answer as Exclude<typeof answer, Error>);
    expect(response.startSequence).to.equal(0);
    await conn.waitUntil(() => conn.pushes(1).length > 0, 'a push of the two entries', 5000);
    expect(await client.count('a')).to.equal(1);
  });

  it('refuses CommitCursor keys that are empty or longer than keyBytesMax with INVALID_REQUEST, so Stats keeps working', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address);
    await client.append([{ key: 'k', value: '1' }]);
    const conn = await fixture.raw(broker);
    for (const [label, key] of [
      ['a key longer than keyBytesMax', Buffer.alloc(4097, 0x6b)],
      ['an empty key', Buffer.alloc(0)],
    ] as const) {
      const id = await conn.send(CommitCursor, { name: `bad-${key.length}`, sequence: 0, keys: [key], prefix: null });
      const frame = await conn.response(id);
      expect(isErrorFrame(frame), `CommitCursor with ${label} was accepted`).to.equal(true);
      expect(errorOf(frame).code).to.equal(ErrorCode.InvalidRequest);
    }
    const stats = await conn.response(await conn.send(Stats, {}));
    expect(isErrorFrame(stats) ? errorOf(stats) : 'answered').to.equal('answered');
  });

  it('keeps Stats working with a cursor that follows the empty prefix (every key)', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address);
    await client.append([{ key: 'k', value: '1' }]);
    await client.commitCursor('all', 0, { prefix: Buffer.alloc(0) });
    const stats = await client.stats().catch((error: Error) => error);
    expect(stats, 'Stats failed').to.not.be.instanceOf(Error);
    const lag = (stats as Exclude<typeof stats, Error>).cursors.find((c) => c.name === 'all');
    expect(lag?.lagRecords).to.equal(1);
  });
});
