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

/** The broker process while the run lasted (when the harness started it, on Linux). */
export interface BrokerFigures {
  /** CPU time (user + system) over the measured phase, and as a share of one core. */
  readonly cpuSeconds: number;
  readonly cpuPercent: number;
  /**
   * Highest anonymous memory (RssAnon, sampled every 250 ms over the whole run): what the process
   * allocated itself (heap, buffers). LMDB's mapped file is not in it.
   */
  readonly anonymousPeakBytes: number;
  /**
   * Highest file-mapped memory (RssFile + RssShmem, sampled likewise): LMDB's data file mapped into
   * memory (and the program's code); the kernel can drop and reread these pages.
   */
  readonly fileMappedPeakBytes: number;
  /** The kernel's peak of the two together (VmHWM): what "peak RSS" used to mean. */
  readonly peakRssBytes: number;
}

/**
 * The target's data directory (when the harness owns it): for odlog the LMDB file plus the
 * `wal/` directory of write-ahead log files, for a peer its store.
 */
export interface DiskFigures {
  /** At the end of the run. */
  readonly bytes: number;
  /** Of which under `wal/` (0 for a peer). */
  readonly walBytes: number;
  /** Every record acknowledged in the run (prefill and warm-up included), and `bytes` over them. */
  readonly records: number;
  readonly bytesPerRecord: number;
  /** Growth of the directory over the measured phase, the records acknowledged in that time, and their ratio. */
  readonly measuredGrowthBytes: number;
  readonly measuredRecords: number;
  readonly measuredBytesPerRecord: number | undefined;
}

/** The first prefill round: every key written for the first time (see `Workload.prefillRounds`). */
export interface KeyCreation {
  readonly keys: number;
  readonly seconds: number;
  readonly keysPerSec: number;
  /** Growth of the data directory in that time, and per key; undefined when the harness does not own the directory. */
  readonly diskGrowthBytes: number | undefined;
  readonly bytesPerKey: number | undefined;
}

/** What the prefill wrote before the measured phase: key creation (round 1), then the other rounds. */
export interface PrefillFigures {
  readonly rounds: number;
  readonly keyCreation: KeyCreation;
  /** Rounds 2..R: every key written again, until each holds `rounds` records. */
  readonly fillRecords: number;
  readonly fillSeconds: number;
}

/** One run: everything printed, as written by --out and read by --compare and --html. */
export interface BenchResult {
  readonly schema: typeof benchResultSchema;
  readonly startedAt: string;
  readonly setup: BenchSetup;
  readonly workload: Workload;
  readonly target: { readonly kind: TargetKind; readonly label: string; readonly address: string; readonly startedByHarness: boolean };
  /** With `prefillRounds`: key creation, then the fill; the measured phase is the steady state after it. */
  readonly prefill: PrefillFigures | undefined;
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
  readonly broker: BrokerFigures | undefined;
  readonly disk: DiskFigures | undefined;
  readonly timeline: readonly TimelinePoint[];
}

/** The result format: 2 added the memory kinds, the measured disk growth and the prefill. */
export const benchResultSchema = 'odlog-bench/2';

/** Result formats `--compare` reads (it uses only what both have: throughput and latencies). */
export const readableResultSchemas: readonly string[] = ['odlog-bench/1', benchResultSchema];

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
