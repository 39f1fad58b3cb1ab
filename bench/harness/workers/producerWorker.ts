import { parentPort, workerData } from 'node:worker_threads';
import { LatencyHistogram } from '../LatencyHistogram.js';
import type { LoadBatch, LoadClient } from '../load/LoadClient.js';
import { openLoadClient } from '../load/openLoadClient.js';
import { AckRing, benchKeys, KeyChooser, KeyRounds, nowMs, SharedCounters, writeValue } from './BenchValues.js';
import type { FromWorker, Phase, ToWorker, WorkerSetup } from './WorkerMessages.js';

/**
 * A producer worker: its own event loop, `connections` clients, closed loop (each connection
 * keeps `inFlight` batches outstanding) or open loop (records due on a fixed schedule; latency
 * from the time each record was due, so a stall shows up in full instead of being omitted).
 * Before that, on request, it prefills: its share of the keys once per round (see KeyRounds).
 */
const setup = workerData as WorkerSetup;
const w = setup.workload;
const port = parentPort as NonNullable<typeof parentPort>;
const send = (m: FromWorker): void => port.postMessage(m);
const keys = benchKeys(w.keys);
const chooser = new KeyChooser(w.keys, w.keyDistribution);
const ring = new AckRing(setup.ackRing, w.producers);
const counters = new SharedCounters(setup.counters);
let phase: Phase = 'warmup';
let records = 0;
let bytes = 0;
let measuredRecords = 0;
let measuredBytes = 0;
let errors: { [code: string]: number } = {};
const latency = new LatencyHistogram();
let nextRecord = 0;

/** The key draw of a batch's records: one per record, or one for the whole batch (`--batch-keys one`). */
function batchKeyDraw(): (i: number) => number {
  if (w.batchKeys === 'mixed') return () => chooser.next();
  const key = chooser.next();
  return () => key;
}

function buildBatch(count: number, dueAt: (i: number) => number, keyAt: (i: number) => number = batchKeyDraw()): { batch: LoadBatch; first: number } {
  const first = nextRecord;
  nextRecord += count;
  const arena = Buffer.allocUnsafe(count * w.valueBytes);
  const batchKeys: Buffer[] = new Array(count);
  const values: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const value = arena.subarray(i * w.valueBytes, (i + 1) * w.valueBytes);
    writeValue(value, dueAt(i), setup.index, first + i);
    values[i] = value;
    batchKeys[i] = keys[keyAt(i)];
  }
  return { batch: { keys: batchKeys, values }, first };
}

function acknowledged(batch: LoadBatch, first: number, dueAt: (i: number) => number): void {
  const at = nowMs();
  const n = batch.values.length;
  let batchBytes = 0;
  for (let i = 0; i < n; i++) batchBytes += batch.keys[i].length + batch.values[i].length;
  records += n;
  bytes += batchBytes;
  counters.add(setup.index, n, batchBytes);
  for (let i = 0; i < n; i++) ring.acked(setup.index, first + i, at);
  if (phase !== 'measure') return;
  measuredRecords += n;
  measuredBytes += batchBytes;
  const firstDue = dueAt(0);
  if (dueAt(n - 1) === firstDue) latency.record((at - firstDue) * 1000, n);
  else for (let i = 0; i < n; i++) latency.record((at - dueAt(i)) * 1000);
}

function failed(error: unknown): void {
  const code = (error as { codeName?: string }).codeName ?? (error as Error).name ?? 'Error';
  errors[code] = (errors[code] ?? 0) + 1;
}

async function closedLoop(client: LoadClient): Promise<void> {
  while (phase !== 'stop') {
    const sentAt = nowMs();
    const due = (): number => sentAt;
    const { batch, first } = buildBatch(w.batchRecords, due);
    try {
      await client.append(batch);
      acknowledged(batch, first, due);
    } catch (error) {
      failed(error);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/**
 * Prefill rounds [fromRound, toRound) of this producer's keys, every connection keeping `inFlight`
 * batches outstanding. A failed batch is sent again (counted as an error), so every key gets its
 * records; resolves to the records acknowledged.
 */
async function prefill(clients: LoadClient[], fromRound: number, toRound: number): Promise<number> {
  const rounds = new KeyRounds(w.keys, w.producers, setup.index, fromRound, toRound);
  let acknowledgedRecords = 0;
  const loop = async (client: LoadClient): Promise<void> => {
    for (;;) {
      const batchKeys = rounds.take(w.batchRecords);
      if (batchKeys.length === 0) return;
      const sentAt = nowMs();
      const due = (): number => sentAt;
      const { batch, first } = buildBatch(batchKeys.length, due, (i) => batchKeys[i]);
      for (;;) {
        try {
          await client.append(batch);
          acknowledged(batch, first, due);
          acknowledgedRecords += batch.values.length;
          break;
        } catch (error) {
          failed(error);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    }
  };
  await Promise.all(clients.flatMap((client) => Array.from({ length: w.inFlight }, () => loop(client))));
  return acknowledgedRecords;
}

/** Open loop: records are due at start + i / rate; batches take what is due (up to batchRecords, or after lingerMs). */
async function openLoop(clients: LoadClient[], start: number): Promise<void> {
  const perMs = (w.rate as number) / w.producers / 1000;
  const dueTime = (record: number): number => start + record / perMs;
  const capacity = clients.map(() => w.inFlight);
  let scheduled = 0; // records handed to batches (this producer's numbering)
  let turn = 0;
  const outstanding = new Set<Promise<void>>();
  while (phase !== 'stop') {
    const now = nowMs();
    const due = Math.floor((now - start) * perMs) - scheduled;
    const oldestWaited = due > 0 ? now - dueTime(scheduled) : 0;
    if (due >= w.batchRecords || (due > 0 && oldestWaited >= w.lingerMs)) {
      let c = -1;
      for (let k = 0; k < clients.length; k++) {
        const idx = (turn + k) % clients.length;
        if (capacity[idx] > 0) {
          c = idx;
          break;
        }
      }
      if (c >= 0) {
        turn = c + 1;
        const n = Math.min(due, w.batchRecords);
        const base = scheduled;
        scheduled += n;
        const dueAt = (i: number): number => dueTime(base + i);
        const { batch, first } = buildBatch(n, dueAt);
        capacity[c]--;
        const p = clients[c].append(batch).then(
          () => acknowledged(batch, first, dueAt),
          (error: unknown) => failed(error),
        ).finally(() => {
          capacity[c]++;
          outstanding.delete(p);
        });
        outstanding.add(p);
        continue;
      }
      // every connection is at its in-flight bound: the backlog keeps its due times
      await Promise.race(outstanding);
      continue;
    }
    const untilNext = dueTime(scheduled + Math.max(0, due)) - nowMs();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(w.lingerMs, untilNext))));
  }
  await Promise.allSettled(outstanding);
}

function tick(final: boolean): void {
  send({ kind: 'tick', role: 'producer', index: setup.index, phase, records, bytes, measuredRecords, measuredBytes, errors, latency: latency.serialize(), final });
  records = 0;
  bytes = 0;
  measuredRecords = 0;
  measuredBytes = 0;
  errors = {};
  latency.reset();
}

async function main(): Promise<void> {
  const clients: LoadClient[] = [];
  for (let c = 0; c < w.connections; c++) {
    clients.push(await openLoadClient({ target: w.target, address: setup.address, durability: w.durability }));
  }
  const startAt = new Promise<number>((resolve) => {
    port.on('message', (m: ToWorker) => {
      if (m.kind === 'phase') phase = m.phase;
      else if (m.kind === 'start') resolve(m.atMs);
      else {
        prefill(clients, m.fromRound, m.toRound).then(
          (prefilled) => {
            send({ kind: 'prefilled', index: setup.index, records: prefilled, errors });
            errors = {};
          },
          (error: unknown) => send({ kind: 'failed', message: `producer ${setup.index}: prefill: ${(error as Error).message}` }),
        );
      }
    });
  });
  send({ kind: 'ready', role: 'producer', index: setup.index });
  const start = await startAt;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - nowMs())));
  const ticker = setInterval(() => tick(false), 1000);
  if (w.rate !== undefined) await openLoop(clients, start);
  else await Promise.all(clients.flatMap((client) => Array.from({ length: w.inFlight }, () => closedLoop(client))));
  clearInterval(ticker);
  tick(true);
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  process.exit(0);
}

main().catch((error: unknown) => {
  send({ kind: 'failed', message: `producer ${setup.index}: ${(error as Error).message}` });
  process.exit(1);
});
