import { parseCliArgs, UsageError, type CliArgs } from '../../src/cli/CliArgs.js';

/** Which system a run drives. `discard` is an odlog-protocol server that stores nothing (the generator's ceiling). */
export type TargetKind = 'odlog' | 'redis' | 'nats' | 'discard';

/** The knobs of one load run; every figure in a result carries them. */
export interface Workload {
  readonly target: TargetKind;
  /** Producer worker threads. */
  readonly producers: number;
  /** Connections per producer worker. */
  readonly connections: number;
  /** Batches each connection keeps in flight (closed loop). */
  readonly inFlight: number;
  /** Tailing subscriptions, each in its own worker (follows every key). */
  readonly consumers: number;
  readonly keys: number;
  readonly keyDistribution: 'uniform' | 'zipf';
  readonly valueBytes: number;
  readonly batchRecords: number;
  /** Open loop: how long a batch may wait to fill before it is sent. */
  readonly lingerMs: number;
  readonly durability: 'sync' | 'async';
  /** Measured phase length (seconds), unless `records` is given. */
  readonly durationSec: number;
  /** Stop after this many acknowledged records instead of a duration. */
  readonly records: number | undefined;
  readonly warmupSec: number;
  /** Open loop at this many records/s (all producers together); undefined: closed loop. */
  readonly rate: number | undefined;
}

export interface BenchOptions {
  readonly workload: Workload;
  /** Drive an already running broker instead of starting one. */
  readonly broker: string | undefined;
  readonly peers: boolean;
  readonly suite: 'scale' | undefined;
  /** Scale suite points: log sizes (records), key counts, and key sizes for count latency. */
  readonly scale: { readonly logSizes: number[]; readonly keyCounts: number[]; readonly countSizes: number[]; readonly idleSubscriptions: number; readonly stalledBytes: number };
  readonly out: string | undefined;
  readonly html: string | undefined;
  readonly compare: [string, string] | undefined;
  readonly quiet: boolean;
  readonly help: boolean;
}

export const benchHelp = `usage: odlog bench [options]

Runs producers (and optionally tailing consumers) in worker threads against a broker it starts
in a child process on a temporary directory (or --broker HOST:PORT), and reports throughput,
ack and end-to-end latency percentiles, errors, broker CPU and peak RSS, bytes on disk.

Workload:
  --target odlog|redis|nats|discard  system to drive (discard: a server that stores nothing) [odlog]
  --producers N          producer worker threads [2]
  --connections N        connections per producer [4]
  --in-flight N          batches in flight per connection (closed loop) [4]
  --consumers N          tailing subscriptions following every key [0]
  --keys N               distinct keys, 1..1000000 [100]
  --key-dist uniform|zipf  key popularity [uniform]
  --value-size BYTES     value size, at least 16 [100]
  --batch-records N      records per append [1000]
  --linger-ms MS         open loop: longest wait to fill a batch [1]
  --durability sync|async  broker durability (both fsync per commit for peers in sync) [sync]
  --duration SEC         measured phase [10]
  --records N            stop after N acknowledged records instead
  --warmup SEC           unmeasured warm-up [2]
  --rate R               open loop at R records/s in total (latency from intended send time)
Runs:
  --broker HOST:PORT     drive this broker instead of starting one
  --peers                run the same workload against odlog and every peer on PATH, print ratios
  --suite scale          scale curves (log size, key count, count latency, memory), with
    --scale-log-sizes 1000000,10000000,50000000  --scale-key-counts 1000,100000,1000000
    --scale-count-sizes 10000,100000,1000000  --scale-idle-subscriptions 1000  --scale-stalled-bytes 268435456
Output:
  --out FILE.json        write the result as JSON
  --html FILE.html       write a self-contained HTML report with SVG charts
  --compare A.json B.json  print B/A ratios of two results and exit
  --quiet                no per-second progress`;

function positive(args: CliArgs, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === true || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be a number in 1..${max}, got ${String(raw)}`);
  return n;
}

function oneOf<T extends string>(args: CliArgs, name: string, values: readonly T[], fallback: T): T {
  const raw = args.options.get(name) ?? fallback;
  if (!values.includes(raw as T)) throw new UsageError(`--${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

function text(args: CliArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  if (raw === true) throw new UsageError(`--${name} needs a value`);
  return raw;
}

function list(args: CliArgs, name: string, fallback: number[]): number[] {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const values = String(raw).split(',').map(Number);
  if (raw === true || values.some((v) => !Number.isSafeInteger(v) || v <= 0)) throw new UsageError(`--${name} is a comma-separated list of positive integers`);
  return values;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const args = parseCliArgs(argv);
  const compareAt = argv.indexOf('--compare');
  const compare: [string, string] | undefined = compareAt >= 0 ? [argv[compareAt + 1], argv[compareAt + 2]] : undefined;
  if (compare !== undefined && (compare[0] === undefined || compare[1] === undefined)) throw new UsageError('--compare needs two result files');
  const records = args.options.has('records') ? positive(args, 'records', 1) : undefined;
  const workload: Workload = {
    target: oneOf(args, 'target', ['odlog', 'redis', 'nats', 'discard'] as const, 'odlog'),
    producers: positive(args, 'producers', 2, 64),
    connections: positive(args, 'connections', 4, 1024),
    inFlight: positive(args, 'in-flight', 4, 1024),
    consumers: args.options.has('consumers') ? Number(args.options.get('consumers')) : 0,
    keys: positive(args, 'keys', 100, 1_000_000),
    keyDistribution: oneOf(args, 'key-dist', ['uniform', 'zipf'] as const, 'uniform'),
    valueBytes: Math.max(16, positive(args, 'value-size', 100, 8 * 1024 * 1024)),
    batchRecords: positive(args, 'batch-records', 1000, 100_000),
    lingerMs: positive(args, 'linger-ms', 1, 10_000),
    durability: oneOf(args, 'durability', ['sync', 'async'] as const, 'sync'),
    durationSec: positive(args, 'duration', 10, 86_400),
    records,
    warmupSec: args.options.has('warmup') ? Number(args.options.get('warmup')) : 2,
    rate: args.options.has('rate') ? positive(args, 'rate', 1) : undefined,
  };
  if (!Number.isInteger(workload.consumers) || workload.consumers < 0 || workload.consumers > 64) throw new UsageError('--consumers must be 0..64');
  if (!Number.isFinite(workload.warmupSec) || workload.warmupSec < 0) throw new UsageError('--warmup must be >= 0');
  return {
    workload,
    broker: text(args, 'broker'),
    peers: args.options.has('peers'),
    suite: args.options.has('suite') ? oneOf(args, 'suite', ['scale'] as const, 'scale') : undefined,
    scale: {
      logSizes: list(args, 'scale-log-sizes', [1_000_000, 10_000_000, 50_000_000]),
      keyCounts: list(args, 'scale-key-counts', [1000, 100_000, 1_000_000]),
      countSizes: list(args, 'scale-count-sizes', [10_000, 100_000, 1_000_000]),
      idleSubscriptions: positive(args, 'scale-idle-subscriptions', 1000, 100_000),
      stalledBytes: positive(args, 'scale-stalled-bytes', 256 * 1024 * 1024),
    },
    out: text(args, 'out'),
    html: text(args, 'html'),
    compare,
    quiet: args.options.has('quiet'),
    help: args.options.has('help'),
  };
}
