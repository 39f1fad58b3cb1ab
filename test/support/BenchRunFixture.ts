import type { TargetKind } from '../../bench/harness/BenchOptions.js';
import type { BenchResult, TimelinePoint } from '../../bench/harness/BenchResult.js';
import { LatencyHistogram } from '../../bench/harness/LatencyHistogram.js';

function summary(samples: number[]) {
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  return h.summary();
}

/**
 * A run as the runner writes it, with every optional part filled (consumers, prefill, broker,
 * disk): `ackSamples` (µs) and `cpuSeconds` (the broker's, over the measured phase's ten seconds)
 * set the figures a report derives from them.
 */
export function benchRun(kind: TargetKind, label: string, recordsPerSec: number, overrides: { keys?: number; consumers?: number; ackSamples?: number[]; cpuSeconds?: number } = {}): BenchResult {
  const consumers = overrides.consumers ?? 1;
  const timeline: TimelinePoint[] = Array.from({ length: 12 }, (_, i) => ({
    second: i - 1,
    elapsedMs: i * 1000,
    cumulativeRecords: i * recordsPerSec,
    // Odd peaks on purpose: 188,000 records/s must not give a 63k/188k axis.
    recordsPerSec: i === 6 ? recordsPerSec * 1.52 : recordsPerSec,
    mbPerSec: recordsPerSec / 1e4,
    ackP50Us: 1700 + i * 10,
    ackP99Us: i === 0 ? null : 6300 + i * 137,
    deliveredPerSec: consumers > 0 ? recordsPerSec * 0.99 : 0,
    consumerLagRecords: 0,
  }));
  return {
    schema: 'odlog-bench/2',
    startedAt: '2026-01-02T03:04:05.000Z',
    setup: { cores: 2, cpuModel: 'Test CPU', memoryBytes: 8 * 2 ** 30, os: 'linux 6.1', node: 'v20.1.0', odlogCommit: 'abc1234' },
    workload: {
      target: kind, producers: 2, connections: 4, inFlight: 4, consumers, keys: overrides.keys ?? 1_000_000, keyDistribution: 'uniform',
    batchKeys: 'mixed', valueBytes: 100, batchRecords: 1000,
      lingerMs: 1, durability: 'sync', durationSec: 10, records: undefined, warmupSec: 2, rate: undefined, prefillRounds: 10, odlogCli: undefined,
    },
    target: { kind, label, address: '127.0.0.1:1', startedByHarness: true },
    prefill: { rounds: 10, keyCreation: { keys: 1_000_000, seconds: 21.37, keysPerSec: 46_795.5, diskGrowthBytes: 312_456_789, bytesPerKey: 312.456789 }, fillRecords: 9_000_000, fillSeconds: 183.25 },
    throughput: { records: recordsPerSec * 10, seconds: 10.02, recordsPerSec, mbPerSec: recordsPerSec / 9300 },
    ackLatencyUs: summary(overrides.ackSamples ?? [1234, 2345, 3456, 45_678, 123_456]),
    endToEndLatencyUs: consumers > 0 ? summary([1500, 2600, 3700, 56_789]) : undefined,
    deliveryAfterAckUs: consumers > 0 ? summary([0, 10, 420, 9876]) : undefined,
    deliveredRecords: consumers > 0 ? 1_876_543 : 0,
    errors: kind === 'odlog' ? { THROTTLED: 3 } : {},
    broker: { cpuSeconds: overrides.cpuSeconds ?? 17.34, cpuPercent: ((overrides.cpuSeconds ?? 17.34) / 10.02) * 100, anonymousPeakBytes: 345 * 2 ** 20, fileMappedPeakBytes: 1234 * 2 ** 20, peakRssBytes: 1500 * 2 ** 20 },
    disk: { bytes: 1_234_567_890, walBytes: 67_108_864, records: 11_876_543, bytesPerRecord: 103.95, measuredGrowthBytes: 198_765_432, measuredRecords: 1_880_000, measuredBytesPerRecord: 105.72 },
    timeline,
  };
}

