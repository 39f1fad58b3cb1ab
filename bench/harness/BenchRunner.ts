import { Worker } from 'node:worker_threads';
import type { Workload } from './BenchOptions.js';
import { benchResultSchema, describeSetup, type BenchResult, type DiskFigures, type PrefillFigures, type TimelinePoint } from './BenchResult.js';
import { diskUsage, type DiskUsage } from './DiskUsage.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { prefillKeys } from './Prefill.js';
import { MemoryWatch, sampleProcess } from './ProcessSampler.js';
import { Progress } from './Progress.js';
import { progressLine } from './ProgressLine.js';
import type { RunningTarget, TargetLauncher } from './targets/Target.js';
import { AckRing, nowMs, SharedCounters } from './workers/BenchValues.js';
import type { FromWorker, ToWorker, WorkerSetup, WorkerTick } from './workers/WorkerMessages.js';

export interface RunOptions {
  /** Drive this address instead of starting the target. */
  readonly broker?: string;
  readonly quiet?: boolean;
  /** Runs after the measured phase, before the target stops (extra probes on the loaded target). */
  readonly beforeStop?: (target: RunningTarget) => Promise<void>;
}

const workerFile = (name: string): URL => new URL(`./workers/${name}.js`, import.meta.url);

/**
 * Run one workload against one target: start it (unless given an address), start consumers
 * then producers in worker threads, prefill the keys if asked, warm up, measure, stop, and
 * assemble the result. Records and bytes are cut at the exact phase boundaries from shared
 * counters; latencies come from the workers' histograms of the measured phase. The broker's
 * memory is sampled over the whole run; its data directory is measured at the start and the end
 * of the measured phase.
 */
export async function runWorkload(workload: Workload, launcher: TargetLauncher, options: RunOptions = {}): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  let target: RunningTarget;
  if (options.broker !== undefined) {
    target = { label: `${workload.target} at ${options.broker}`, address: options.broker, pid: undefined, dataDir: undefined, stop: async () => undefined };
  } else {
    target = await launcher.start(workload);
  }
  const progress = new Progress(options.quiet === true);
  const workers: Worker[] = [];
  const memory = target.pid !== undefined ? MemoryWatch.start(target.pid) : undefined;
  try {
    const ackRing = AckRing.allocate(workload.producers);
    const counterBuffer = SharedCounters.allocate(workload.producers, workload.consumers);
    const counters = new SharedCounters(counterBuffer);
    const ready = new Set<string>();
    const finals = new Set<string>();
    const prefilled = new Set<number>();
    const ack = new LatencyHistogram();
    const endToEnd = new LatencyHistogram();
    const afterAck = new LatencyHistogram();
    let secondAck = new LatencyHistogram();
    const errors: { [code: string]: number } = {};
    // Records and bytes acknowledged while each producer was measuring: the same records as its ack samples.
    const measured = { records: 0, bytes: 0 };
    let failure: string | undefined;
    const onMessage = (m: FromWorker): void => {
      if (m.kind === 'ready') ready.add(`${m.role}${m.index}`);
      else if (m.kind === 'failed') failure ??= m.message;
      else if (m.kind === 'prefilled') {
        prefilled.add(m.index);
        for (const [code, n] of Object.entries(m.errors)) errors[code] = (errors[code] ?? 0) + n;
      }
      else absorb(m);
    };
    const absorb = (t: WorkerTick): void => {
      if (t.role === 'producer') {
        ack.merge(t.latency);
        secondAck.merge(t.latency);
        measured.records += t.measuredRecords;
        measured.bytes += t.measuredBytes;
        for (const [code, n] of Object.entries(t.errors)) errors[code] = (errors[code] ?? 0) + n;
      } else {
        endToEnd.merge(t.latency);
        if (t.afterAck) afterAck.merge(t.afterAck);
      }
      if (t.final) finals.add(`${t.role}${t.index}`);
    };
    const spawn = (role: 'producer' | 'consumer', index: number): void => {
      const setup: WorkerSetup = { role, index, workload, address: target.address, ackRing, counters: counterBuffer };
      const worker = new Worker(workerFile(role === 'producer' ? 'producerWorker' : 'consumerWorker'), { workerData: setup });
      worker.on('message', onMessage);
      worker.on('error', (error) => (failure ??= `${role} ${index}: ${error.message}`));
      workers.push(worker);
    };
    const waitFor = async (condition: () => boolean, what: string, timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (failure !== undefined) throw new Error(failure);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    for (let i = 0; i < workload.consumers; i++) spawn('consumer', i);
    await waitFor(() => ready.size === workload.consumers, 'consumers to subscribe', 30_000);
    for (let i = 0; i < workload.producers; i++) spawn('producer', i);
    await waitFor(() => ready.size === workload.consumers + workload.producers, 'producers to connect', 30_000);
    const broadcast = (m: ToWorker): void => workers.forEach((w) => w.postMessage(m));
    const produced = (): { records: number; bytes: number } => counters.total(0, workload.producers);
    let prefill: PrefillFigures | undefined;
    if (workload.prefillRounds > 0) {
      const producerWorkers = workers.slice(workload.consumers);
      prefill = await prefillKeys({
        workload,
        dataDir: target.dataDir,
        progress,
        broadcast: (m) => {
          prefilled.clear();
          producerWorkers.forEach((w) => w.postMessage(m));
        },
        prefilled: () => waitFor(() => prefilled.size === workload.producers, 'the producers to prefill the keys', 24 * 3600 * 1000),
        producedRecords: () => produced().records,
      });
    }
    const startAtMs = nowMs() + 100; // time for the message to reach every worker
    broadcast({ kind: 'start', atMs: startAtMs });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAtMs - nowMs())));

    const delivered = (): number => counters.total(workload.producers, workload.producers + workload.consumers).records;
    const lag = (): number => (workload.consumers === 0 ? 0 : Math.max(0, produced().records - counters.min(workload.producers, workload.producers + workload.consumers)));
    const timeline: TimelinePoint[] = [];
    const runStart = Date.now();
    const warmupEnd = runStart + workload.warmupSec * 1000;
    let measureStart = 0;
    let measureStartCounts = { records: 0, bytes: 0 };
    let cpuAtStart = target.pid !== undefined ? sampleProcess(target.pid) : undefined;
    const disk = (): DiskUsage | undefined => (target.dataDir !== undefined ? diskUsage(target.dataDir) : undefined);
    let diskAtStart: DiskUsage | undefined;
    let phase: 'warmup' | 'measure' = workload.warmupSec > 0 ? 'warmup' : 'measure';
    let last = produced();
    let lastDelivered = delivered();
    let lastTick = Date.now();
    if (phase === 'measure') {
      broadcast({ kind: 'phase', phase: 'measure' });
      measureStart = Date.now();
      measureStartCounts = produced();
      diskAtStart = disk();
    }
    const measuredSeconds = (): number => (measureStart === 0 ? 0 : (Date.now() - measureStart) / 1000);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastTick + 1000 - Date.now())));
      if (failure !== undefined) throw new Error(failure);
      const now = Date.now();
      if (phase === 'warmup' && now >= warmupEnd) {
        phase = 'measure';
        broadcast({ kind: 'phase', phase: 'measure' });
        measureStart = now;
        measureStartCounts = produced();
        diskAtStart = disk();
        cpuAtStart = target.pid !== undefined ? sampleProcess(target.pid) : undefined;
        ack.reset();
        endToEnd.reset();
        afterAck.reset();
        measured.records = 0;
        measured.bytes = 0;
      }
      const current = produced();
      const currentDelivered = delivered();
      const seconds = (now - lastTick) / 1000;
      const point: TimelinePoint = {
        second: phase === 'measure' ? Math.round((now - measureStart) / 1000) : -Math.round((warmupEnd - now) / 1000),
        elapsedMs: now - runStart,
        cumulativeRecords: current.records,
        recordsPerSec: (current.records - last.records) / seconds,
        mbPerSec: (current.bytes - last.bytes) / seconds / 1e6,
        ackP50Us: secondAck.count > 0 ? secondAck.percentile(50) : null,
        ackP99Us: secondAck.count > 0 ? secondAck.percentile(99) : null,
        deliveredPerSec: (currentDelivered - lastDelivered) / seconds,
        consumerLagRecords: lag(),
      };
      timeline.push(point);
      secondAck = new LatencyHistogram();
      last = current;
      lastDelivered = currentDelivered;
      lastTick = now;
      progress.update(
        progressLine({
          phase,
          phaseSeconds: phase === 'warmup' ? (now - runStart) / 1000 : measuredSeconds(),
          phaseLengthSec: phase === 'warmup' ? workload.warmupSec : workload.durationSec,
          records: workload.records !== undefined ? { done: current.records - measureStartCounts.records, target: workload.records } : undefined,
          recordsPerSec: point.recordsPerSec,
          mbPerSec: point.mbPerSec,
          ackP50Us: point.ackP50Us ?? undefined,
          ackP99Us: point.ackP99Us ?? undefined,
          lagRecords: workload.consumers > 0 ? point.consumerLagRecords : undefined,
        }),
      );
      if (phase !== 'measure') continue;
      const done = workload.records !== undefined ? current.records - measureStartCounts.records >= workload.records : measuredSeconds() >= workload.durationSec;
      if (done) break;
    }
    const measureEnd = Date.now();
    // The last timeline point's read: workers keep counting, and a second read would disagree with it.
    const endCounts = last;
    const cpuAtEnd = target.pid !== undefined ? sampleProcess(target.pid) : undefined;
    const diskAtEnd = disk();
    const memoryPeaks = memory?.stop();
    broadcast({ kind: 'phase', phase: 'stop' });
    progress.done();
    await waitFor(() => finals.size === workers.length, 'workers to finish', 60_000).catch(() => undefined);
    const seconds = (measureEnd - measureStart) / 1000;
    const records = measured.records;
    const totalRecords = endCounts.records;
    const measuredRecords = endCounts.records - measureStartCounts.records;
    const diskFigures: DiskFigures | undefined =
      diskAtEnd !== undefined && diskAtStart !== undefined && totalRecords > 0
        ? {
            bytes: diskAtEnd.bytes,
            walBytes: diskAtEnd.walBytes,
            records: totalRecords,
            bytesPerRecord: diskAtEnd.bytes / totalRecords,
            measuredGrowthBytes: diskAtEnd.bytes - diskAtStart.bytes,
            measuredRecords,
            measuredBytesPerRecord: measuredRecords > 0 ? (diskAtEnd.bytes - diskAtStart.bytes) / measuredRecords : undefined,
          }
        : undefined;
    const result: BenchResult = {
      schema: benchResultSchema,
      startedAt,
      setup: describeSetup(),
      workload,
      target: { kind: workload.target, label: target.label, address: target.address, startedByHarness: options.broker === undefined },
      prefill,
      throughput: { records, seconds, recordsPerSec: records / seconds, mbPerSec: measured.bytes / seconds / 1e6 },
      ackLatencyUs: ack.summary(),
      endToEndLatencyUs: workload.consumers > 0 ? endToEnd.summary() : undefined,
      deliveryAfterAckUs: workload.consumers > 0 ? afterAck.summary() : undefined,
      // One end-to-end sample per record a consumer received while measuring: the two always agree.
      deliveredRecords: workload.consumers > 0 ? endToEnd.count : 0,
      errors,
      broker:
        cpuAtStart !== undefined && cpuAtEnd !== undefined && memoryPeaks !== undefined
          ? {
              cpuSeconds: cpuAtEnd.cpuSeconds - cpuAtStart.cpuSeconds,
              cpuPercent: ((cpuAtEnd.cpuSeconds - cpuAtStart.cpuSeconds) / seconds) * 100,
              anonymousPeakBytes: memoryPeaks.anonymousPeakBytes,
              fileMappedPeakBytes: memoryPeaks.fileMappedPeakBytes,
              peakRssBytes: memoryPeaks.peakRssBytes,
            }
          : undefined,
      disk: diskFigures,
      timeline,
    };
    await options.beforeStop?.(target);
    return result;
  } finally {
    memory?.stop();
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
    await target.stop();
  }
}
