import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { LogDb, LogEntry } from '../../../src/index.js';
import { batchDigest, crashKeys, crashLogBudgets, decodeValue, makeBatch, parentKey } from '../../support/CrashBatches.js';
import { hasUnsyncedWrite, revertUnsynced } from '../../support/PowerCutWalFiles.js';
import { entriesDigest } from '../../support/EntriesDigest.js';
import { envInt } from '../../support/EnvInt.js';
import { collect, LogFixture, sleep, waitFor } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

/** Cycles of append-then-SIGKILL on one directory: 5 (3 for the variants) in `npm test`, more with ODLOG_CRASH_CYCLES for a long run. */
const cycles = envInt('ODLOG_CRASH_CYCLES', 5);
const variantCycles = envInt('ODLOG_CRASH_CYCLES', 3);
/** Seed of the kill moments; printed on failure so a run can be replayed with ODLOG_CRASH_SEED. */
const seed = envInt('ODLOG_CRASH_SEED', Date.now() % 1_000_000);
const childScript = fileURLToPath(new URL('../../support/crashChild.js', import.meta.url));
const batchIdsPerCycle = 1_000_000;
/** A restart replays at most the memtable's bound plus the one commit that may go past it (and that commit's frame header). */
const replayBoundBytes = crashLogBudgets.memtableBytesMax + crashLogBudgets.commitBytesMax + 64 * 1024;

interface Variant {
  readonly durability: 'sync' | 'async';
  /** Keys drawn from a keyspace of this many (0: the six crash keys). */
  readonly wideKeys: number;
  /** Take the WAL back to what a power cut would leave after each kill. */
  readonly powerCut: boolean;
}

interface ChildRun {
  readonly sent: Set<number>;
  readonly acked: Map<number, { startSequence: number; count: number; digest: string }>;
  /** The highest durableSequence the child reported (async durability). */
  readonly durable: number;
  /** Flushes to LMDB the child completed. */
  readonly flushes: number;
  readonly killed: boolean;
  readonly stderr: string;
}

/** Run the child on `dir`, SIGKILL it `killAfterMs` after it reports the log open, and read what it printed. */
async function runChildAndKill(dir: string, firstBatchId: number, killAfterMs: number, variant: Variant, journal: string): Promise<ChildRun> {
  const argv = [childScript, dir, String(firstBatchId), variant.durability, String(variant.wideKeys), ...(variant.powerCut ? [journal] : [])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let killed = false;
  const killer = (async () => {
    // Kill at a random moment after the child completed a flush to LMDB, so that every cycle has
    // flushed state and some kills land in the middle of the next flush, however loaded the machine.
    const flushedBy = Date.now() + 60_000;
    while (!/^flushed /m.test(stdout) && child.exitCode === null && Date.now() < flushedBy) await sleep(5);
    await sleep(killAfterMs);
    // A power cut is only tested if it takes something back: wait for a write no sync covers yet.
    if (variant.powerCut) await waitFor(() => hasUnsyncedWrite(journal) || child.exitCode !== null, 'a WAL write no sync covers yet', 10_000);
    killed = child.kill('SIGKILL');
  })();
  const { signal } = await closed; // 'close': the process is reaped (so its lock is stale) and stdout is fully read
  await killer;
  const sent = new Set<number>();
  const acked = new Map<number, { startSequence: number; count: number; digest: string }>();
  let durable = 0;
  let flushes = 0;
  const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1); // a line cut by the kill is ignored
  for (const line of complete.split('\n')) {
    const [word, ...fields] = line.split(' ');
    if (word === 'send') sent.add(Number(fields[0]));
    if (word === 'ack') acked.set(Number(fields[0]), { startSequence: Number(fields[1]), count: Number(fields[2]), digest: fields[3] });
    if (word === 'durable') durable = Math.max(durable, Number(fields[0]));
    if (word === 'flushed') flushes = Math.max(flushes, Number(fields[0]));
  }
  return { sent, acked, durable, flushes, killed: killed && signal === 'SIGKILL', stderr };
}

function describeVariant(v: Variant): string {
  const keys = v.wideKeys > 0 ? `keys drawn from ${v.wideKeys.toLocaleString('en-US')}` : 'six keys';
  return `${v.durability} durability, ${keys}${v.powerCut ? ', and a simulated power cut after each kill' : ''}`;
}

async function crashCycles(fixture: LogFixture, variant: Variant, cycleCount: number): Promise<void> {
  const dir = fixture.dir('odlog-crash');
  const journal = join(fixture.dir('odlog-crash-journal'), 'wal-journal');
  const random = prng(seed);
  const context = (cycle: number): string => `${describeVariant(variant)}: cycle ${cycle}, ODLOG_CRASH_SEED=${seed}`;
  const sentEver = new Set<number>();
  const ackedEver = new Map<number, { startSequence: number; count: number }>();
  const parentChecks = new Map<number, string>(); // sequence -> value the parent appended after a crash
  let verifiedEnd = 0; // entries below it were checked in an earlier cycle ...
  let verifiedDigest = entriesDigest([]); // ... and must still read exactly the same
  let ackedTotal = 0;
  let writesUndone = 0;
  let flushes = 0;
  let maxReplayed = 0;

  for (let cycle = 0; cycle < cycleCount; cycle++) {
    const run = await runChildAndKill(dir, (cycle + 1) * batchIdsPerCycle, randomInt(random, 0, 300), variant, journal);
    expect(run.killed, `${context(cycle)}: the child ended before it was killed: ${run.stderr}`).to.equal(true);
    if (variant.powerCut) writesUndone += revertUnsynced(journal, (length) => randomInt(random, 0, length));
    // What must have survived: with sync durability every acknowledged batch; with async, after a
    // power cut, those below the durable sequence the child saw (a kill alone keeps every write).
    const mustSurvive = (ack: { startSequence: number; count: number }): boolean =>
      variant.durability === 'sync' || !variant.powerCut || ack.startSequence + ack.count <= run.durable;
    for (const id of run.sent) sentEver.add(id);
    for (const [id, ack] of run.acked) {
      expect(ack.digest, `${context(cycle)}: batch ${id} acknowledged with another content`).to.equal(batchDigest(makeBatch(id, variant.wideKeys)));
      expect(run.sent.has(id)).to.equal(true);
    }
    ackedTotal += run.acked.size;
    flushes += run.flushes;

    let log: LogDb | undefined = await fixture.open({ path: dir });
    try {
      // The work of a restart is bounded by the memtable's budget, never by the log's size.
      const replayed = log.lastRecovery;
      maxReplayed = Math.max(maxReplayed, replayed.bytesReplayed);
      expect(replayed.bytesReplayed, `${context(cycle)}: bytes of WAL replayed`).to.be.at.most(replayBoundBytes);
      const committed = log.committedSequence;
      const all = await collect(log.scanGlobal({ prefix: 'c' }));
      const old = all.filter((e) => e.sequence < verifiedEnd);
      const fresh = all.filter((e) => e.sequence >= verifiedEnd);
      expect(entriesDigest(old), `${context(cycle)}: entries verified in an earlier cycle changed`).to.equal(verifiedDigest);

      // Each key's own stream agrees with the global order (for wide keys, a sample of them).
      const byKey = new Map<string, number>();
      for (const e of fresh) byKey.set(e.key.toString('hex'), (byKey.get(e.key.toString('hex')) ?? 0) + 1);
      const sampled = variant.wideKeys > 0 ? [...byKey.keys()].slice(0, 40).map((k) => Buffer.from(k, 'hex')) : crashKeys;
      for (const key of [...sampled, parentKey]) {
        const own = await collect(log.scan(key, { start: verifiedEnd }));
        expect(own.length, `${context(cycle)}: scan of key ${key.subarray(0, 12).toString('hex')}`).to.equal(byKey.get(key.toString('hex')) ?? 0);
        expect(await log.count(key, { start: verifiedEnd })).to.equal(own.length);
      }

      // Every record is part of a batch that was sent, whole, in order, with the exact content sent.
      const batches = new Map<number, LogEntry[]>();
      for (const e of fresh) {
        if (e.key.equals(parentKey)) {
          expect(parentChecks.get(e.sequence), `${context(cycle)}: unexpected record of the parent key at ${e.sequence}`).to.equal(e.value.toString());
          continue;
        }
        const decoded = decodeValue(e.key, e.value);
        expect(decoded, `${context(cycle)}: record at ${e.sequence} was never sent (checksum fails)`).to.not.equal(undefined);
        const id = (decoded as { batchId: number }).batchId;
        batches.set(id, [...(batches.get(id) ?? []), e]);
      }
      for (const [id, entries] of batches) {
        expect(sentEver.has(id), `${context(cycle)}: batch ${id} is in the log but was never sent`).to.equal(true);
        const sentRecords = makeBatch(id, variant.wideKeys);
        expect(entries.length, `${context(cycle)}: batch ${id} is partial (${entries.length} of ${sentRecords.length} records)`).to.equal(sentRecords.length);
        entries.forEach((e, i) => {
          expect(e.sequence, `${context(cycle)}: batch ${id} record ${i} sequence`).to.equal(entries[0].sequence + i);
          expect(e.key.equals(sentRecords[i].key) && e.value.equals(sentRecords[i].value), `${context(cycle)}: batch ${id} record ${i} content`).to.equal(true);
        });
        const ack = ackedEver.get(id) ?? run.acked.get(id);
        if (ack !== undefined) expect([entries[0].sequence, entries.length], `${context(cycle)}: batch ${id} moved`).to.deep.equal([ack.startSequence, ack.count]);
      }
      // Every batch that had to survive is there.
      for (const [id, ack] of run.acked) {
        if (mustSurvive(ack)) expect(batches.has(id), `${context(cycle)}: acknowledged batch ${id} (sequence ${ack.startSequence}) is missing`).to.equal(true);
        if (batches.has(id)) ackedEver.set(id, ack);
      }
      for (const [sequence, value] of parentChecks) {
        if (sequence >= verifiedEnd) expect(fresh.some((e) => e.sequence === sequence && e.value.toString() === value)).to.equal(true);
      }

      // The next append gets a sequence above every one in the log.
      let highest = -1;
      for (const e of all) highest = Math.max(highest, e.sequence);
      for (const a of ackedEver.values()) highest = Math.max(highest, a.startSequence + a.count - 1);
      expect(committed, `${context(cycle)}: committedSequence after reopen`).to.be.greaterThan(highest);
      const value = `check-${cycle}`;
      const out = await log.append([{ key: parentKey, value }]);
      expect(out.startSequence, `${context(cycle)}: first sequence after the crash`).to.be.greaterThan(highest);
      parentChecks.set(out.startSequence, value);
      await log.flush();

      const verified = await collect(log.scanGlobal({ prefix: 'c' }));
      verifiedEnd = log.committedSequence;
      verifiedDigest = entriesDigest(verified);
      await log.close();
      log = undefined;
    } finally {
      await log?.close();
    }
  }
  expect(ackedTotal, 'no batch was acknowledged in any cycle, so nothing was tested').to.be.greaterThan(0);
  expect(flushes, 'no flush to LMDB happened while the child ran, so none was interrupted').to.be.greaterThan(0);
  if (variant.powerCut) expect(writesUndone, 'no write was ever undone by a power cut, so none was simulated').to.be.greaterThan(0);
  console.log(
    `      ${describeVariant(variant)}: ${cycleCount} kills, ${ackedTotal} batches acknowledged, ${flushes} flushes to LMDB, at most ${maxReplayed} bytes of WAL replayed at a restart${variant.powerCut ? `, ${writesUndone} unsynced writes undone` : ''}`,
  );
}

describe('LogDb crash safety (SIGKILL during appends)', function () {
  this.timeout(Math.max(60_000, cycles * 25_000));
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it(`keeps every acknowledged batch whole, shows no partial or unsent batch, and continues sequences after ${cycles} kills`, async () => {
    await crashCycles(fixture, { durability: 'sync', wideKeys: 0, powerCut: false }, cycles);
  });

  it('does the same with async durability (a killed process keeps every written commit)', async () => {
    await crashCycles(fixture, { durability: 'async', wideKeys: 0, powerCut: false }, variantCycles);
  });

  it('does the same over a million keys, flushing to LMDB while it is killed', async () => {
    await crashCycles(fixture, { durability: 'sync', wideKeys: 1_000_000, powerCut: false }, variantCycles);
  });

  it('does the same over a million keys with async durability', async () => {
    await crashCycles(fixture, { durability: 'async', wideKeys: 1_000_000, powerCut: false }, variantCycles);
  });

  it('keeps every acknowledged batch through a simulated power cut: every WAL write no completed sync covers is undone or torn', async () => {
    await crashCycles(fixture, { durability: 'sync', wideKeys: 0, powerCut: true }, variantCycles);
  });

  it('with async durability, keeps through a power cut every batch below the durable sequence the writer reported', async () => {
    await crashCycles(fixture, { durability: 'async', wideKeys: 1_000_000, powerCut: true }, variantCycles);
  });
});
