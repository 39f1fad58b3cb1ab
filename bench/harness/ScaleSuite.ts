import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { OdlogClient } from '../../clients/OdlogClient.js';
import { encodeFrame } from '../../src/protocol/frame/FrameEncoder.js';
import { baseProtocolVersion as protocolVersion } from '../../src/protocol/ProtocolVersion.js';
import { Hello } from '../../src/protocol/messages/hello.js';
import { Subscribe } from '../../src/protocol/messages/subscribe.js';
import type { BenchOptions, Workload } from './BenchOptions.js';
import { describeSetup, type BenchResult } from './BenchResult.js';
import { runWorkload } from './BenchRunner.js';
import { renderHtmlReport, type CurveChart } from './HtmlReport.js';
import { sampleProcess } from './ProcessSampler.js';
import { formatResult } from './ResultTable.js';
import { odlogTarget } from './targets/OdlogTarget.js';
import type { RunningTarget } from './targets/Target.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * Records/s in the window of the timeline that ends where the log reached `size` records (at least
 * 10% of it). The run's start is the window's earliest edge (nothing appended at 0 ms), so a size
 * reached within the first second still has a rate.
 */
export function rateAt(result: BenchResult, size: number): number | undefined {
  const points = [{ elapsedMs: 0, cumulativeRecords: 0 }, ...result.timeline];
  const end = points.findIndex((p) => p.cumulativeRecords >= size);
  if (end < 1) return undefined;
  let start = end - 1;
  while (start > 0 && points[end].cumulativeRecords - points[start].cumulativeRecords < size * 0.1) start--;
  const records = points[end].cumulativeRecords - points[start].cumulativeRecords;
  const seconds = (points[end].elapsedMs - points[start].elapsedMs) / 1000;
  return seconds > 0 ? records / seconds : undefined;
}

async function withClient<T>(target: RunningTarget, use: (client: OdlogClient) => Promise<T>): Promise<T> {
  const client = await OdlogClient.connect({ broker: target.address, reconnect: false, requestTimeoutMs: 120_000 });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function fillKey(client: OdlogClient, key: string, from: number, to: number, valueBytes: number): Promise<void> {
  const value = Buffer.alloc(valueBytes, 0x61);
  const batch = 10_000;
  const inFlight: Promise<unknown>[] = [];
  for (let n = from; n < to; n += batch) {
    const count = Math.min(batch, to - n);
    inFlight.push(client.append(Array.from({ length: count }, () => ({ key, value })), { queueTimeoutMs: 30_000 }));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

/** Entries/s of scanning one 100,000-entry key end to end (median of three), on the loaded broker. */
async function probeScan(target: RunningTarget, valueBytes: number): Promise<number> {
  return withClient(target, async (client) => {
    const entries = 100_000;
    await fillKey(client, 'probe:scan', 0, entries, valueBytes);
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      let n = 0;
      for await (const _ of client.scanAll('probe:scan', {}, 10_000)) n++;
      rates.push((n / (performance.now() - t0)) * 1000);
    }
    return median(rates);
  });
}

/** Anonymous memory (RssAnon) of the broker: what it holds itself, LMDB's mapped file left out. */
const anonymousBytes = (target: RunningTarget): number => sampleProcess(target.pid as number)?.anonymousBytes ?? 0;

/** Anonymous memory of the broker with `n` idle subscriptions on distinct keys. */
async function idleSubscriptionsMemory(target: RunningTarget, n: number): Promise<{ before: number; after: number }> {
  const before = anonymousBytes(target);
  const clients: OdlogClient[] = [];
  try {
    const perConnection = 200;
    for (let made = 0; made < n; ) {
      const client = await OdlogClient.connect({ broker: target.address, reconnect: false });
      clients.push(client);
      const here = Math.min(perConnection, n - made);
      await Promise.all(Array.from({ length: here }, (_, i) => client.subscribe({ keys: [`idle:${made + i}`], from: 'latest' })));
      made += here;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { before, after: anonymousBytes(target) };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Peak anonymous memory while `bytes` are appended and one subscriber with unlimited credit never reads. */
async function stalledConsumerMemory(target: RunningTarget, bytes: number): Promise<{ before: number; peak: number }> {
  const [host, port] = [target.address.slice(0, target.address.lastIndexOf(':')), Number(target.address.slice(target.address.lastIndexOf(':') + 1))];
  const socket = connect({ host, port });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(encodeFrame({ messageType: Hello.type, version: protocolVersion, flags: 0, correlationId: 1 }, Hello.request.at(protocolVersion), { protocolVersion, clientId: 'stalled', authToken: null }));
  socket.write(
    encodeFrame({ messageType: Subscribe.type, version: protocolVersion, flags: 0, correlationId: 2 }, Subscribe.request.at(protocolVersion), {
      subscriptionId: 1, keys: [], prefix: Buffer.from('stall:'), from: 'LATEST', sequence: 0, cursor: null, creditRecords: 0x7fffffff, creditBytes: 2 ** 50, timeMs: 0,
    }),
  );
  socket.pause(); // never read
  const before = anonymousBytes(target);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, anonymousBytes(target))), 100);
  try {
    await withClient(target, async (client) => {
      const value = Buffer.alloc(64 * 1024, 0x62);
      for (let written = 0; written < bytes; written += 16 * value.length) {
        await client.append(Array.from({ length: 16 }, (_, i) => ({ key: `stall:${i}`, value })), { queueTimeoutMs: 30_000 });
      }
    });
  } finally {
    clearInterval(sampler);
    socket.destroy();
  }
  return { before, peak };
}

/**
 * Let the write-back of the previous phase finish before the next one starts: its directory is
 * deleted but its dirty pages may still be on their way to disk, and would land in the next
 * phase's fsyncs (after the 50M-record ingest, gigabytes of them).
 */
async function settleDisk(): Promise<void> {
  spawnSync('sync', { stdio: 'ignore' }); // where there is no `sync` command, only the pause remains
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/** The steady state of the key-count curve starts once every key holds this many records. */
const steadyRecordsPerKey = 10;

/**
 * The scale curves: ingest rate as the log grows; as the key count grows, key creation (keys/s,
 * bytes on disk per key) apart from the steady state (records/s, bytes on disk per record, with
 * every key holding 10 records or more), scan rate, and tail latency at a fixed load; count
 * latency as a key grows; and the broker's anonymous memory with many idle subscriptions and with
 * one stalled consumer. Each curve is printed as a table and drawn in the HTML report.
 */
export async function runScaleSuite(options: BenchOptions): Promise<number> {
  const base: Workload = { ...options.workload, target: 'odlog', consumers: 0, warmupSec: 0, prefillRounds: 0 };
  const s = options.scale;
  const curves: CurveChart[] = [];
  const runs: BenchResult[] = [];
  const quiet = options.quiet;
  const mib = (b: number): number => b / 2 ** 20;

  // 1. Ingest as the log grows: one run to the largest size, rates read off the timeline.
  const largest = Math.max(...s.logSizes);
  const ingest = await runWorkload({ ...base, records: largest }, odlogTarget, { quiet });
  runs.push(ingest);
  console.log(formatResult(ingest));
  curves.push({ title: 'Ingest throughput as the log grows', xLabel: 'log size (records)', yLabel: 'records/s', points: s.logSizes.map((size) => ({ x: size.toLocaleString('en-US'), y: rateAt(ingest, size) ?? 0 })) });

  // 2. Key count, closed loop: key creation (every key written once), then the steady state once
  // every key holds `steadyRecordsPerKey` records; the scan probe runs on the loaded broker.
  const creationRate: { x: string; y: number }[] = [];
  const creationBytes: { x: string; y: number }[] = [];
  const steadyRate: { x: string; y: number }[] = [];
  const steadyBytes: { x: string; y: number }[] = [];
  const scan: { x: string; y: number }[] = [];
  for (const keys of s.keyCounts) {
    let scanRate = 0;
    await settleDisk();
    const result = await runWorkload(
      { ...options.workload, target: 'odlog', keys, consumers: 0, rate: undefined, records: undefined, prefillRounds: steadyRecordsPerKey },
      odlogTarget,
      { quiet, beforeStop: async (target) => void (scanRate = await probeScan(target, base.valueBytes)) },
    );
    runs.push(result);
    console.log(formatResult(result));
    const x = keys.toLocaleString('en-US');
    const creation = result.prefill?.keyCreation;
    creationRate.push({ x, y: creation?.keysPerSec ?? 0 });
    creationBytes.push({ x, y: creation?.bytesPerKey ?? 0 });
    steadyRate.push({ x, y: result.throughput.recordsPerSec });
    steadyBytes.push({ x, y: result.disk?.measuredBytesPerRecord ?? 0 });
    scan.push({ x, y: scanRate });
  }
  curves.push({ title: 'Key creation rate as the key count grows (closed loop, every record a new key)', xLabel: 'keys', yLabel: 'keys/s', points: creationRate });
  curves.push({ title: 'Key creation: bytes on disk per key (data directory growth: LMDB file plus wal/)', xLabel: 'keys', yLabel: 'bytes/key', points: creationBytes });
  curves.push({ title: `Steady-state throughput as the key count grows (closed loop, every key holding ${steadyRecordsPerKey}+ records)`, xLabel: 'keys', yLabel: 'records/s', points: steadyRate });
  curves.push({ title: 'Steady state: bytes on disk per record (data directory growth over the measured phase: LMDB file plus wal/)', xLabel: 'keys', yLabel: 'bytes/record', points: steadyBytes });
  curves.push({ title: 'Scan throughput of one key as the key count grows', xLabel: 'keys', yLabel: 'entries/s', points: scan });
  const steadyRatio = steadyRate.length > 1 && steadyRate[0].y > 0 ? steadyRate[steadyRate.length - 1].y / steadyRate[0].y : undefined;

  // 3. Tail latency as the key count grows, at a fixed offered load (open loop).
  const tail: { x: string; y: number }[] = [];
  for (const keys of s.tailKeyCounts) {
    await settleDisk();
    const result = await runWorkload(
      { ...base, keys, consumers: 1, rate: options.workload.rate ?? 50_000, warmupSec: options.workload.warmupSec, durationSec: options.workload.durationSec, records: undefined, batchRecords: Math.min(base.batchRecords, 100) },
      odlogTarget,
      { quiet },
    );
    runs.push(result);
    console.log(formatResult(result));
    tail.push({ x: keys.toLocaleString('en-US'), y: (result.endToEndLatencyUs?.p99 ?? 0) / 1000 });
  }
  curves.push({ title: 'Tail latency p99 (end to end) as the key count grows', xLabel: 'keys', yLabel: 'ms', points: tail });

  // 4. Count latency as a key grows; 5. memory.
  await settleDisk();
  const target = await odlogTarget.start(base);
  try {
    const count: { x: string; y: number }[] = [];
    await withClient(target, async (client) => {
      let have = 0;
      for (const size of [...s.countSizes].sort((a, b) => a - b)) {
        await fillKey(client, 'probe:count', have, size, 16);
        have = size;
        const times: number[] = [];
        for (let i = 0; i < 50; i++) {
          const t0 = performance.now();
          const n = await client.count('probe:count', { start: 1, end: size * 10 });
          times.push(performance.now() - t0);
          if (n !== size - 1 && n < size - 1) throw new Error(`count returned ${n}, expected ${size - 1}`);
        }
        count.push({ x: size.toLocaleString('en-US'), y: median(times) });
      }
    });
    curves.push({ title: 'Count latency (median, over the network) as a key grows', xLabel: 'entries in the key', yLabel: 'ms', points: count });
    const idle = await idleSubscriptionsMemory(target, s.idleSubscriptions);
    const stalled = await stalledConsumerMemory(target, s.stalledBytes);
    curves.push({
      title: "Broker anonymous memory (RssAnon: what it holds itself; LMDB's mapped file left out)",
      xLabel: 'situation',
      yLabel: 'MiB',
      points: [
        { x: 'before subscriptions', y: mib(idle.before) },
        { x: `${s.idleSubscriptions} idle subscriptions`, y: mib(idle.after) },
        { x: `stalled consumer, ${mib(s.stalledBytes).toFixed(0)} MiB appended (peak)`, y: mib(stalled.peak) },
      ],
    });
  } finally {
    await target.stop();
  }

  for (const c of curves) {
    console.log(`\n${c.title}\n${c.xLabel.padEnd(44)} ${c.yLabel}`);
    for (const p of c.points) console.log(`${p.x.padEnd(44)} ${p.y >= 100 ? Math.round(p.y).toLocaleString('en-US') : p.y.toFixed(2)}`);
  }
  if (steadyRatio !== undefined) {
    console.log(`\nsteady-state records/s at ${s.keyCounts[s.keyCounts.length - 1].toLocaleString('en-US')} keys over ${s.keyCounts[0].toLocaleString('en-US')} keys: ${steadyRatio.toFixed(2)}x`);
  }
  const output = { schema: 'odlog-bench-scale/2', startedAt: runs[0]?.startedAt, setup: describeSetup(), curves, steadyRatio, runs };
  if (options.out !== undefined) writeFileSync(options.out, JSON.stringify(output, null, 2) + '\n');
  if (options.html !== undefined) writeFileSync(options.html, renderHtmlReport(runs, curves));
  return 0;
}
