import { execSync } from 'node:child_process';
import { cpus, totalmem, release, platform } from 'node:os';
import type { TargetKind, Workload } from './BenchOptions.js';
import type { LatencySummary } from './LatencyHistogram.js';

/** The machine and software a figure was measured on. */
export interface BenchSetup {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly odlogCommit: string | undefined;
}

export interface TimelinePoint {
  /** Seconds since the measured phase started (negative during warm-up). */
  readonly second: number;
  /** Milliseconds since the run began (warm-up included). */
  readonly elapsedMs: number;
  /** Records acknowledged since the run began (warm-up included). */
  readonly cumulativeRecords: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  /** Ack latency percentiles of this second (µs); null when nothing was acknowledged in it. */
  readonly ackP50Us: number | null;
  readonly ackP99Us: number | null;
  readonly deliveredPerSec: number;
  /** Records acknowledged but not yet delivered to the slowest consumer. */
  readonly consumerLagRecords: number;
}

/** One run: everything printed, as written by --out and read by --compare and --html. */
export interface BenchResult {
  readonly schema: 'odlog-bench/1';
  readonly startedAt: string;
  readonly setup: BenchSetup;
  readonly workload: Workload;
  readonly target: { readonly kind: TargetKind; readonly label: string; readonly address: string; readonly startedByHarness: boolean };
  /** Records (and their bytes) acknowledged in the measured phase: one ack latency sample each. */
  readonly throughput: { readonly records: number; readonly seconds: number; readonly recordsPerSec: number; readonly mbPerSec: number };
  /** Append acknowledgement latency per record (µs): from send (closed loop) or due time (open loop). */
  readonly ackLatencyUs: LatencySummary;
  /** Consumers: from when a record was due/sent to its delivery (µs). */
  readonly endToEndLatencyUs: LatencySummary | undefined;
  /** Consumers: from the producer seeing the acknowledgement to delivery (µs; 0 when delivered first). */
  readonly deliveryAfterAckUs: LatencySummary | undefined;
  /** Records the consumers received in the measured phase (each consumer counts its own): one end-to-end sample each. */
  readonly deliveredRecords: number;
  readonly errors: { readonly [code: string]: number };
  readonly broker: { readonly cpuSeconds: number; readonly cpuPercent: number; readonly peakRssBytes: number } | undefined;
  readonly disk: { readonly bytes: number; readonly bytesPerRecord: number } | undefined;
  readonly timeline: readonly TimelinePoint[];
}

export function describeSetup(): BenchSetup {
  let commit: string | undefined;
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    commit = undefined;
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    odlogCommit: commit,
  };
}
