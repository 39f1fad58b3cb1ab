import { parentPort, workerData } from 'node:worker_threads';
import { LatencyHistogram } from '../LatencyHistogram.js';
import { openLoadClient } from '../load/openLoadClient.js';
import { AckRing, benchKeyPrefix, benchKeys, nowMs, readValue, SharedCounters } from './BenchValues.js';
import type { FromWorker, Phase, ToWorker, WorkerSetup } from './WorkerMessages.js';

/**
 * A tailing consumer worker: follows every bench key and measures, per delivered record, the
 * time since it was due (end to end) and since its producer saw it acknowledged (0 when it
 * arrived before the acknowledgement).
 */
const setup = workerData as WorkerSetup;
const w = setup.workload;
const port = parentPort as NonNullable<typeof parentPort>;
const send = (m: FromWorker): void => port.postMessage(m);
const ring = new AckRing(setup.ackRing, w.producers);
const counters = new SharedCounters(setup.counters);
let phase: Phase = 'warmup';
let records = 0;
let bytes = 0;
const endToEnd = new LatencyHistogram();
const afterAck = new LatencyHistogram();

function onValues(values: Buffer[]): void {
  const at = nowMs();
  records += values.length;
  let batchBytes = 0;
  for (const value of values) batchBytes += value.length;
  bytes += batchBytes;
  counters.add(w.producers + setup.index, values.length, batchBytes);
  for (const value of values) {
    if (phase !== 'measure') continue;
    const v = readValue(value);
    if (v === undefined) continue;
    endToEnd.record((at - v.sentAtMs) * 1000);
    const ackedAt = ring.ackedAt(v.producer, v.record);
    afterAck.record(ackedAt === undefined ? 0 : Math.max(0, at - ackedAt) * 1000);
  }
}

function tick(final: boolean): void {
  send({ kind: 'tick', role: 'consumer', index: setup.index, phase, records, bytes, measuredRecords: 0, measuredBytes: 0, errors: {}, latency: endToEnd.serialize(), afterAck: afterAck.serialize(), final });
  records = 0;
  bytes = 0;
  endToEnd.reset();
  afterAck.reset();
}

async function main(): Promise<void> {
  const client = await openLoadClient({ target: w.target, address: setup.address, durability: w.durability });
  await client.tail(benchKeyPrefix, benchKeys(w.keys), onValues);
  const ticker = setInterval(() => tick(false), 1000);
  send({ kind: 'ready', role: 'consumer', index: setup.index });
  await new Promise<void>((resolve) => {
    port.on('message', (m: ToWorker) => {
      if (m.kind !== 'phase') return;
      // From 'stop' on nothing is sampled: the samples are the records received while measuring.
      phase = m.phase;
      if (m.phase === 'stop') resolve();
    });
  });
  // Let in-flight deliveries land before the last report.
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(ticker);
  tick(true);
  await client.close().catch(() => undefined);
  process.exit(0);
}

main().catch((error: unknown) => {
  send({ kind: 'failed', message: `consumer ${setup.index}: ${(error as Error).message}` });
  process.exit(1);
});
