import { expect } from 'chai';
import type { Consumer } from '../../../clients/Consumer.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { decodeLedgerValue, ledgerBatch, ledgerKeys, ledgerPrefix, LedgerProducer, RunCounter } from '../../support/CrashLedger.js';
import { entriesDigest } from '../../support/EntriesDigest.js';
import { envInt } from '../../support/EnvInt.js';
import { sleep } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

/**
 * SIGKILL the broker at random moments while idempotent producers append and a consumer tails
 * the log with a named cursor; restart it on the same directory and check, after every restart,
 * everything the clients were told against what the log holds.
 *
 * Short (npm test): 5 kills per durability mode. Long: ODLOG_CRASH_CYCLES=300 (see docs/reliability.md).
 * ODLOG_CRASH_SEED replays a run; ODLOG_CRASH_FULL_CHECK_EVERY sets how often the whole log is re-read.
 */
const cycles = envInt('ODLOG_CRASH_CYCLES', 5);
const seed = envInt('ODLOG_CRASH_SEED', Date.now() % 1_000_000);
/** Re-read (and re-digest) the whole log every this many cycles; in between only what is new. */
const fullCheckEvery = envInt('ODLOG_CRASH_FULL_CHECK_EVERY', cycles <= 20 ? 1 : 25);
const producersCount = 3;
const cursorName = 'crash-tail';


interface ConsumedEntry {
  readonly sequence: number;
  readonly key: Buffer;
  readonly value: Buffer;
  readonly run: number;
}

/** Figures of one scenario, printed and written into docs/reliability.md by hand. */
interface CrashFigures {
  cycles: number;
  killsMidShutdown: number;
  recordsChecked: number;
  logRecords: number;
  batchesAcked: number;
  batchesInDoubt: number;
  duplicateAnswers: number;
  consumed: number;
  lostAboveWatermark: number;
  consumedLost: number;
  highestWatermark: number;
}


/**
 * Everything the checks remember between cycles: where each batch was found, which
 * acknowledgements are confirmed, digests of the parts of the log already checked, and the
 * consumed entries not yet matched to a batch found in the log.
 */
class LogChecker {
  /** `producer/batch` -> start sequence, for every batch found whole in the log. */
  readonly foundAt = new Map<string, number>();
  /** `producer/batch` of acknowledgements settled (confirmed in place, or lost where that is allowed). */
  private readonly settled = new Set<string>();
  private readonly chunks: { start: number; end: number; digest: string }[] = [];
  private verifiedEnd = 0;
  pendingConsumed: ConsumedEntry[] = [];
  readonly figures: CrashFigures = {
    cycles: 0,
    killsMidShutdown: 0,
    recordsChecked: 0,
    logRecords: 0,
    batchesAcked: 0,
    batchesInDoubt: 0,
    duplicateAnswers: 0,
    consumed: 0,
    lostAboveWatermark: 0,
    consumedLost: 0,
    highestWatermark: 0,
  };

  constructor(
    private readonly durability: 'sync' | 'async',
    private readonly producers: readonly LedgerProducer[],
    /** The highest durable watermark the broker reported during run `run` (async only). */
    private readonly watermarkOfRun: (run: number) => number,
  ) {}

  /**
   * Check the log below `end` (a commit boundary: the durable watermark of a Flush). With `full`,
   * re-read it all and compare the parts checked before with their digests.
   */
  async check(client: OdlogClient, end: number, full: boolean, context: string): Promise<void> {
    const from = full ? 0 : this.verifiedEnd;
    const entries: { sequence: number; key: Buffer; value: Buffer }[] = [];
    for (const key of ledgerKeys) {
      let previous = -1;
      for await (const e of client.scanAll(key, { start: from, end }, 5000)) {
        expect(e.sequence, `${context}: sequences of one key increase`).to.be.greaterThan(previous);
        previous = e.sequence;
        entries.push({ sequence: e.sequence, key, value: e.value });
      }
    }
    entries.sort((a, b) => a.sequence - b.sequence);
    this.figures.recordsChecked += entries.length;
    // One counter for the whole log, nothing else writes to it: [from, end) holds every sequence once.
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].sequence !== from + i) {
        expect.fail(`${context}: the log has a gap or a repeated sequence: expected ${from + i}, found ${entries[i].sequence} (records below ${end} from ${from}: ${entries.length})`);
      }
    }
    expect(entries.length, `${context}: records in [${from}, ${end})`).to.equal(end - from);
    if (full) {
      for (const chunk of this.chunks) {
        const part = entries.slice(chunk.start - from, chunk.end - from);
        expect(entriesDigest(part), `${context}: records [${chunk.start}, ${chunk.end}), checked in an earlier cycle, changed`).to.equal(chunk.digest);
      }
    }
    const freshStart = Math.max(this.verifiedEnd, from);
    if (end > freshStart) {
      this.chunks.push({ start: freshStart, end, digest: entriesDigest(entries.slice(freshStart - from)) });
      this.verifiedEnd = end;
    }
    this.figures.logRecords = end;

    // Every record is one a producer sent, in a whole batch, in order, stored once.
    for (let i = 0; i < entries.length; ) {
      const e = entries[i];
      const claim = decodeLedgerValue(e.key, e.value);
      if (claim === undefined) expect.fail(`${context}: the record at ${e.sequence} is not one any producer sent (checksum fails)`);
      const { producer, batchNumber, index, size } = claim;
      const id = `${producer}/${batchNumber}`;
      expect(producer < this.producers.length && this.producers[producer].sent.has(batchNumber), `${context}: batch ${id} at ${e.sequence} was never sent`).to.equal(true);
      expect(index, `${context}: batch ${id} starts at ${e.sequence} with record ${index}: part of it is missing`).to.equal(0);
      const sent = ledgerBatch(producer, batchNumber);
      expect(size, `${context}: batch ${id} size`).to.equal(sent.length);
      for (let j = 0; j < sent.length; j++) {
        const r = entries[i + j];
        if (r === undefined || !r.key.equals(sent[j].key) || !r.value.equals(sent[j].value)) {
          expect.fail(`${context}: batch ${id} starting at ${e.sequence} is partial or altered at its record ${j} (sequence ${e.sequence + j})`);
        }
      }
      const before = this.foundAt.get(id);
      if (before !== undefined && before !== e.sequence) expect.fail(`${context}: batch ${id} is stored twice, at ${before} and at ${e.sequence} (an idempotent retry was appended again)`);
      this.foundAt.set(id, e.sequence);
      i += sent.length;
    }

    // Every acknowledgement holds: the batch is where the broker said, unless (async) it was
    // above the durable watermark reported before the kill.
    for (const p of this.producers) {
      for (const [batchNumber, ack] of p.acked) {
        const id = `${p.index}/${batchNumber}`;
        if (this.settled.has(id) || ack.startSequence + ack.count > end) continue;
        const found = this.foundAt.get(id);
        if (found === ack.startSequence) {
          this.settled.add(id);
          continue;
        }
        if (found !== undefined) expect.fail(`${context}: batch ${id} was acknowledged at ${ack.startSequence} but is stored at ${found}`);
        const watermark = this.durability === 'sync' ? Number.POSITIVE_INFINITY : this.watermarkOfRun(ack.run);
        if (ack.startSequence + ack.count <= watermark) {
          expect.fail(`${context}: batch ${id}, acknowledged at ${ack.startSequence} (${ack.count} records) in broker run ${ack.run}, is missing` +
            (this.durability === 'async' ? ` although the broker reported ${watermark} durable before the kill` : ''));
        }
        this.figures.lostAboveWatermark += ack.count;
        this.settled.add(id);
      }
    }
    this.matchConsumed(context);
  }

  /** Entries the consumer got: sent by a producer, and (once their batch is found) at their place. */
  addConsumed(entry: ConsumedEntry, context: string): void {
    const claim = decodeLedgerValue(entry.key, entry.value);
    if (claim === undefined) expect.fail(`${context}: the consumer got a record at ${entry.sequence} that no producer sent`);
    const sent = ledgerBatch(claim.producer, claim.batchNumber)[claim.index];
    expect(sent !== undefined && sent.key.equals(entry.key) && sent.value.equals(entry.value), `${context}: consumed record at ${entry.sequence} altered`).to.equal(true);
    this.figures.consumed++;
    this.pendingConsumed.push(entry);
  }

  private matchConsumed(context: string): void {
    const kept: ConsumedEntry[] = [];
    for (const entry of this.pendingConsumed) {
      const claim = decodeLedgerValue(entry.key, entry.value);
      if (claim === undefined) continue;
      const start = this.foundAt.get(`${claim.producer}/${claim.batchNumber}`);
      if (start === undefined && entry.sequence >= this.verifiedEnd) {
        kept.push(entry);
        continue;
      }
      if (start !== undefined && start + claim.index === entry.sequence) continue;
      const watermark = this.durability === 'sync' ? Number.POSITIVE_INFINITY : this.watermarkOfRun(entry.run);
      if (entry.sequence < watermark) {
        expect.fail(`${context}: the consumer got batch ${claim.producer}/${claim.batchNumber} record ${claim.index} at ${entry.sequence} (run ${entry.run}), but the log has it ${start === undefined ? 'nowhere' : `at ${start + claim.index}`}`);
      }
      this.figures.consumedLost++;
    }
    this.pendingConsumed = kept;
  }
}

/** A consumer tailing every key with a named cursor, committing as it goes. */
class Tail {
  lastCommitted = 0;
  lastSequence = -1;
  failure: Error | undefined;
  private readonly runs: RunCounter;
  private readonly done: Promise<void>;

  constructor(
    client: OdlogClient,
    private readonly consumer: Consumer,
    private readonly checker: LogChecker,
    durability: 'sync' | 'async',
    context: () => string,
  ) {
    this.runs = new RunCounter(client.connection);
    this.done = this.follow(durability, context);
  }

  private async follow(durability: 'sync' | 'async', context: () => string): Promise<void> {
    const consumer = this.consumer;
    let n = 0;
    try {
      for await (const entry of consumer) {
        if (durability === 'sync' && entry.sequence !== this.lastSequence + 1) {
          throw new Error(`${context()}: the consumer got ${entry.sequence} after ${this.lastSequence} (a gap or a repeat)`);
        }
        if (entry.sequence <= this.lastSequence) throw new Error(`${context()}: the consumer got ${entry.sequence} after ${this.lastSequence}`);
        this.lastSequence = entry.sequence;
        this.checker.addConsumed({ sequence: entry.sequence, key: entry.key, value: entry.value, run: this.runs.run }, context());
        if (++n % 64 === 0) {
          const position = consumer.nextSequence;
          try {
            await consumer.commit();
            this.lastCommitted = Math.max(this.lastCommitted, position);
          } catch {
            // lost with the broker: the next commit carries a later position anyway
          }
        }
      }
    } catch (error) {
      this.failure = error as Error;
    }
  }

  get position(): number {
    return this.consumer.nextSequence;
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.done;
  }
}

async function runScenario(fixture: BrokerFixture, durability: 'sync' | 'async'): Promise<CrashFigures> {
  const random = prng(seed + (durability === 'async' ? 1 : 0));
  const label = (cycle: number): string => `${durability} durability, cycle ${cycle} of ${cycles}, ODLOG_CRASH_SEED=${seed}`;
  let cycle = 0;
  const broker: BrokerProcess = await fixture.start(['--durability', durability]);
  const connect = (): Promise<OdlogClient> => fixture.client(broker.address, { requestTimeoutMs: 15_000, connectTimeoutMs: 5000 });

  const producers: LedgerProducer[] = [];
  for (let i = 0; i < producersCount; i++) {
    // In async mode the first producer asks for durable acknowledgements: each is a watermark.
    producers.push(new LedgerProducer(i, `crash-${durability}-${seed}-p${i}`, await connect(), { inFlight: 4, awaitDurable: durability === 'async' && i === 0, deliveryTimeoutMs: 90_000 }));
  }

  // The durable watermark the broker reported in each of its runs (Flush responses, durable acks).
  const watermarks = new Map<number, number>();
  const noteWatermark = (run: number, sequence: number): void => {
    watermarks.set(run, Math.max(watermarks.get(run) ?? 0, sequence));
  };
  const watermarkOfRun = (run: number): number => {
    let w = watermarks.get(run) ?? 0;
    for (const p of producers) w = Math.max(w, p.durableEndByRun.get(run) ?? 0);
    return w;
  };
  const checker = new LogChecker(durability, producers, watermarkOfRun);

  let monitoring = durability === 'async';
  const monitorClient = await connect();
  const monitorRuns = new RunCounter(monitorClient.connection);
  const monitor = (async () => {
    while (monitoring) {
      try {
        const durable = await monitorClient.flush();
        noteWatermark(monitorRuns.run, durable);
      } catch {
        // the broker is down; the client reconnects
      }
      await sleep(20);
    }
  })();

  const tailClient = await connect();
  const tail = new Tail(tailClient, await tailClient.subscribe({ prefix: ledgerPrefix, from: 'earliest', cursor: cursorName, windowRecords: 512 }), checker, durability, () => label(cycle));
  for (const p of producers) p.start();
  const verifier = await connect();

  try {
    for (cycle = 1; cycle <= cycles; cycle++) {
      await sleep(randomInt(random, 150, 1200));
      const committedBeforeKill = tail.lastCommitted;
      // One kill in five lands during a graceful shutdown: SIGTERM, then SIGKILL a moment later.
      const midShutdown = random() < 0.2;
      if (midShutdown) {
        process.kill(broker.pid, 'SIGTERM');
        await sleep(randomInt(random, 0, 150));
      }
      await broker.kill();
      const ended = broker.exitStatus;
      const killed = ended?.signal === 'SIGKILL' || (midShutdown && ended?.code === 0);
      expect(killed, `${label(cycle)}: the broker ended on its own (${JSON.stringify(ended)}) before it was killed; stderr:\n${broker.stderrTail(10)}`).to.equal(true);
      if (midShutdown) checker.figures.killsMidShutdown++;
      await broker.restart();
      const end = await within(verifier.flush(), 60_000, () => `${label(cycle)}: Flush after the restart got no answer`);
      if (tail.failure !== undefined) throw tail.failure;
      await checker.check(verifier, end, cycle % fullCheckEvery === 0 || cycle === cycles, label(cycle));
      const cursor = await verifier.getCursor(cursorName);
      expect(cursor?.sequence ?? 0, `${label(cycle)}: cursor ${cursorName} went back below what was committed before the kill`).to.be.at.least(committedBeforeKill);
      for (const p of producers) expect(p.failures, `${label(cycle)}: producer ${p.index}`).to.deep.equal([]);
      checker.figures.cycles = cycle;
    }

    // Let every batch in flight or in doubt be acknowledged, then check the whole log once more.
    await within(Promise.all(producers.map((p) => p.stop())), 120_000, () => `${label(cycles)}: the producers did not finish their batches`);
    monitoring = false;
    await monitor;
    for (const p of producers) {
      expect(p.failures, `producer ${p.index}`).to.deep.equal([]);
      for (let b = 0; b < p.batchesStarted; b++) expect(p.acked.has(b), `${label(cycles)}: producer ${p.index} batch ${b} never acknowledged`).to.equal(true);
    }
    const end = await verifier.flush();
    await checker.check(verifier, end, true, `${label(cycles)}, final`);
    // The consumer must reach the end; it may be far behind, but it must keep moving.
    let lastMove = Date.now();
    let seen = tail.position;
    while (tail.position < end && tail.failure === undefined) {
      await sleep(20);
      if (tail.position !== seen) [seen, lastMove] = [tail.position, Date.now()];
      if (Date.now() - lastMove > 60_000) {
        const stats = await verifier.stats().catch((error: Error) => error);
        const about = stats instanceof Error ? String(stats) : `broker: committed ${stats.committedSequence}, ${stats.subscriptions} subscriptions, ${stats.deliveredRecordsTotal} records delivered in this run`;
        expect.fail(`${label(cycles)}: the consumer stopped at ${tail.position} of ${end} (last entry ${tail.lastSequence}) and did not move for 60 s after the producers stopped; ${about}`);
      }
    }
    if (tail.failure !== undefined) throw tail.failure;
    await tail.close();
    await checker.check(verifier, end, false, `${label(cycles)}, consumed`);
    expect(checker.pendingConsumed.map((e) => e.sequence), 'consumed entries never matched to the log').to.deep.equal([]);

    const f = checker.figures;
    for (const p of producers) {
      f.batchesAcked += p.acked.size;
      f.batchesInDoubt += p.inDoubt.size;
      for (const ack of p.acked.values()) if (ack.duplicate) f.duplicateAnswers++;
    }
    for (const run of watermarks.keys()) f.highestWatermark = Math.max(f.highestWatermark, watermarkOfRun(run));
    return f;
  } finally {
    monitoring = false;
    for (const p of producers) p.abandon();
    await within(tail.close(), 5000, () => 'the consumer did not close').catch(() => undefined);
  }
}

describe('reliability: broker crash safety (SIGKILL under load, restart on the same directory)', function () {
  this.timeout(Math.max(120_000, cycles * 30_000));
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it(`sync durability: after each of ${cycles} kills every acknowledged batch is whole and in place, nothing unsent or duplicated appears, the log has no gap, the cursor holds`, async () => {
    console.log(`      seed: ODLOG_CRASH_SEED=${seed}`);
    const f = await runScenario(fixture, 'sync');
    console.log(`      sync: ${f.cycles} kills survived (${f.killsMidShutdown} during a graceful shutdown); ${f.logRecords} records in the log, ${f.recordsChecked} record reads checked; ${f.batchesAcked} batches acknowledged, ${f.batchesInDoubt} in doubt and retried (${f.duplicateAnswers} answered as duplicates); ${f.consumed} records consumed`);
    expect(f.batchesAcked, 'nothing was acknowledged, so nothing was tested').to.be.greaterThan(0);
    expect(f.lostAboveWatermark).to.equal(0);
    expect(f.consumedLost).to.equal(0);
  });

  it(`async durability: after each of ${cycles} kills nothing below the reported durable watermark is lost and the log stays whole (no partial batch, no gap)`, async () => {
    console.log(`      seed: ODLOG_CRASH_SEED=${seed}`);
    const f = await runScenario(fixture, 'async');
    console.log(`      async: ${f.cycles} kills survived (${f.killsMidShutdown} during a graceful shutdown); ${f.logRecords} records in the log, ${f.recordsChecked} record reads checked; ${f.batchesAcked} batches acknowledged, ${f.batchesInDoubt} in doubt and retried (${f.duplicateAnswers} answered as duplicates); ${f.consumed} records consumed; lost above the watermark: ${f.lostAboveWatermark} acknowledged records, ${f.consumedLost} consumed; highest watermark ${f.highestWatermark}`);
    expect(f.batchesAcked, 'nothing was acknowledged, so nothing was tested').to.be.greaterThan(0);
    expect(f.highestWatermark, 'no durable watermark was ever reported').to.be.greaterThan(0);
  });
});
