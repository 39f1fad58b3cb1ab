import { oneOf, switchFlag, text, valueFlag } from '../../src/args/Flag.js';
import { parseArgs } from '../../src/args/parseArgs.js';
import { renderHelp } from '../../src/args/renderHelp.js';
import { UsageError } from '../../src/args/UsageError.js';

/**
 * Which system a run drives. `discard` is an odlog-protocol server that stores nothing (the
 * generator's ceiling); `kafka` is any Kafka-protocol broker (`--broker`), or else an odlog broker
 * driven through its Kafka listener.
 */
export type TargetKind = 'odlog' | 'redis' | 'nats' | 'discard' | 'kafka';

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
  /** `mixed`: each record of a batch draws its own key; `one`: a batch's records all go to one drawn key (a Kafka producer's batch to one topic). */
  readonly batchKeys: 'mixed' | 'one';
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
  /**
   * Before the warm-up, write every key this many times (closed loop, each round in a seeded random
   * order, keys split between producers): round 1 is reported as key creation, and the measured
   * phase starts with every key holding this many records. 0: no prefill.
   */
  readonly prefillRounds: number;
  /**
   * The odlog CLI started as the broker (`odlog serve`): another build, to measure two versions
   * with the same generator; undefined: this package's own.
   */
  readonly odlogCli: string | undefined;
}

export interface BenchOptions {
  readonly workload: Workload;
  /** Drive an already running broker instead of starting one. */
  readonly broker: string | undefined;
  readonly peers: boolean;
  /** Rounds to run (every target once per round, in turn); above 1 the report ends with medians. */
  readonly repeat: number;
  readonly suite: 'scale' | undefined;
  /** Scale suite points: log sizes (records), key counts, and key sizes for count latency. */
  readonly scale: {
    readonly logSizes: number[];
    /** Closed-loop key-count curve: key creation, then steady state once every key holds 10 records. */
    readonly keyCounts: number[];
    /** Open-loop tail latency curve (at --rate, default 50,000/s). */
    readonly tailKeyCounts: number[];
    readonly countSizes: number[];
    readonly idleSubscriptions: number;
    readonly stalledBytes: number;
  };
  readonly out: string | undefined;
  readonly html: string | undefined;
  readonly compare: [string, string] | undefined;
  readonly quiet: boolean;
  readonly help: boolean;
}

const positiveNumber = (max: number) => (value: string, flag: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`${flag} must be a number in 1..${max}, got ${value}`);
  return n;
};

const positiveList = (value: string, flag: string): number[] => {
  const values = value.split(',').map(Number);
  if (values.some((v) => !Number.isSafeInteger(v) || v <= 0)) throw new UsageError(`${flag} is a comma-separated list of positive integers`);
  return values;
};

/** An integer in [min, max]. */
const integerIn = (min: number, max: number) => (value: string, flag: string): number => {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be an integer in ${min}..${max}, got ${value}`);
  return n;
};

const seconds = (value: string, flag: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be >= 0`);
  return n;
};

const max = Number.MAX_SAFE_INTEGER;

/** The workload's flags (defaults in brackets in their descriptions). */
const workloadFlags = {
  target: valueFlag('target', 'odlog|redis|nats|discard|kafka', 'system to drive (discard: a server that stores nothing; kafka: any Kafka-protocol broker given by --broker, else odlog through its Kafka listener) [odlog]', oneOf<TargetKind>(['odlog', 'redis', 'nats', 'discard', 'kafka'])),
  producers: valueFlag('producers', 'N', 'producer worker threads [2]', positiveNumber(64)),
  connections: valueFlag('connections', 'N', 'connections per producer [4]', positiveNumber(1024)),
  inFlight: valueFlag('in-flight', 'N', 'batches in flight per connection (closed loop) [4]', positiveNumber(1024)),
  consumers: valueFlag('consumers', 'N', 'tailing subscriptions following every key, 0..64 [0]', integerIn(0, 64)),
  keys: valueFlag('keys', 'N', 'distinct keys, 1..1000000 [100]', positiveNumber(1_000_000)),
  keyDist: valueFlag('key-dist', 'uniform|zipf', 'key popularity [uniform]', oneOf(['uniform', 'zipf'] as const)),
  batchKeys: valueFlag('batch-keys', 'mixed|one', 'keys in one batch: a key drawn per record, or one key drawn per batch (as a Kafka producer batches per topic) [mixed]', oneOf(['mixed', 'one'] as const), { example: '--target kafka --batch-keys one' }),
  valueSize: valueFlag('value-size', 'BYTES', 'value size, at least 16 [100]', positiveNumber(8 * 1024 * 1024)),
  batchRecords: valueFlag('batch-records', 'N', 'records per append [1000]', positiveNumber(100_000)),
  lingerMs: valueFlag('linger-ms', 'MS', 'open loop: longest wait to fill a batch [1]', positiveNumber(10_000)),
  durability: valueFlag('durability', 'sync|async', 'broker durability (peers fsync per commit in sync) [sync]', oneOf(['sync', 'async'] as const)),
  duration: valueFlag('duration', 'SEC', 'measured phase [10]', positiveNumber(86_400)),
  records: valueFlag('records', 'N', 'stop after N acknowledged records instead', positiveNumber(max)),
  warmup: valueFlag('warmup', 'SEC', 'unmeasured warm-up [2]', seconds),
  rate: valueFlag('rate', 'R', 'open loop at R records/s in total (latency from intended send time)', positiveNumber(max), { example: '--rate 50000' }),
  prefillRounds: valueFlag(
    'prefill-rounds',
    'R',
    'first write every key R times, closed loop, in seeded random order: round 1 is reported as key creation (keys/s, disk bytes/key), and the measured phase is the steady state with every key holding R records [0]',
    integerIn(0, 1000),
    { example: '--keys 1000000 --prefill-rounds 10' },
  ),
  odlogCli: valueFlag('odlog-cli', 'FILE', "the odlog CLI to start as the broker: another build's dist/src/cli/odlog.js, to compare versions [this package's]", text, { example: '--odlog-cli ../before/dist/src/cli/odlog.js' }),
};

const runFlags = {
  broker: valueFlag('broker', 'HOST:PORT', 'drive this broker instead of starting one', text),
  peers: switchFlag('peers', "run the same workload against the discard server (the generator's ceiling), odlog and every peer on PATH; print ratios"),
  repeat: valueFlag(
    'repeat',
    'N',
    'run everything N times, every target once per round in turn, and end with the medians of each figure and of the per-round ratios: one run on a shared machine can be off by 2x [1]',
    integerIn(1, 100),
    { example: '--peers --repeat 3' },
  ),
  suite: valueFlag('suite', 'scale', 'scale curves: log size, key count (creation, steady state), tail latency, count latency, memory', oneOf(['scale'] as const)),
};

const scaleFlags = {
  scaleLogSizes: valueFlag('scale-log-sizes', 'N,N,…', 'log sizes in records [1000000,10000000,50000000]', positiveList),
  scaleKeyCounts: valueFlag('scale-key-counts', 'N,N,…', 'key counts of the closed-loop curve: key creation, then steady state with 10 records per key [100,1000,100000,1000000]', positiveList),
  scaleTailKeyCounts: valueFlag('scale-tail-key-counts', 'N,N,…', 'key counts of the open-loop tail latency curve [1000,100000,1000000]', positiveList),
  scaleCountSizes: valueFlag('scale-count-sizes', 'N,N,…', 'key sizes for count latency [10000,100000,1000000]', positiveList),
  scaleIdleSubscriptions: valueFlag('scale-idle-subscriptions', 'N', 'idle subscriptions for the memory point [1000]', positiveNumber(100_000)),
  scaleStalledBytes: valueFlag('scale-stalled-bytes', 'BYTES', 'bytes behind a stalled consumer for the memory point [268435456]', positiveNumber(max)),
};

const outputFlags = {
  out: valueFlag('out', 'FILE.json', 'write the result as JSON', text),
  html: valueFlag('html', 'FILE.html', 'write a self-contained HTML report with SVG charts', text),
  compare: valueFlag('compare', 'A.json B.json', 'print B/A ratios of two results and exit', text, { example: '--compare a.json b.json' }),
  quiet: switchFlag('quiet', 'no per-second progress'),
  help: switchFlag('help', 'print this help', { short: 'h' }),
};

const benchFlags = { ...workloadFlags, ...runFlags, ...scaleFlags, ...outputFlags };

/** `odlog bench --help`, from the same declarations the parser reads. */
export function benchHelp(): string {
  return renderHelp({
    usage: 'odlog bench [options]',
    summary:
      'Runs producers (and optionally tailing consumers) in worker threads against a broker it starts\n' +
      'in a child process on a temporary directory (or --broker HOST:PORT), and reports throughput,\n' +
      'ack and end-to-end latency percentiles, errors, broker CPU, broker memory (anonymous apart from\n' +
      "LMDB's mapped file), and bytes on disk.",
    sections: [
      { title: 'Workload', flags: Object.values(workloadFlags) },
      { title: 'Runs', flags: Object.values(runFlags) },
      { title: 'Scale suite (with --suite scale)', flags: Object.values(scaleFlags) },
      { title: 'Output', flags: Object.values(outputFlags) },
    ],
    examples: [
      'odlog bench --duration 30 --consumers 1',
      'odlog bench --target kafka --broker 127.0.0.1:9092',
      'odlog bench --rate 50000 --out run.json --html run.html',
      'odlog bench --peers',
      'odlog bench --peers --keys 1000000 --prefill-rounds 10 --duration 15',
      'odlog bench --compare before.json after.json',
    ],
  });
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { flags: f, positionals } = parseArgs(argv, benchFlags, { command: 'odlog bench' });
  let compare: [string, string] | undefined;
  if (f.repeat !== undefined && (f.suite !== undefined || f.compare !== undefined)) throw new UsageError('--repeat repeats load runs; it does not apply to --suite or --compare');
  if (f.compare !== undefined) {
    if (positionals.length !== 1) throw new UsageError('--compare needs two result files');
    compare = [f.compare, positionals[0]];
  } else if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; see odlog bench --help`);
  const workload: Workload = {
    target: f.target ?? 'odlog',
    producers: f.producers ?? 2,
    connections: f.connections ?? 4,
    inFlight: f.inFlight ?? 4,
    consumers: f.consumers ?? 0,
    keys: f.keys ?? 100,
    keyDistribution: f.keyDist ?? 'uniform',
    batchKeys: f.batchKeys ?? 'mixed',
    valueBytes: Math.max(16, f.valueSize ?? 100),
    batchRecords: f.batchRecords ?? 1000,
    lingerMs: f.lingerMs ?? 1,
    durability: f.durability ?? 'sync',
    durationSec: f.duration ?? 10,
    records: f.records,
    warmupSec: f.warmup ?? 2,
    rate: f.rate,
    prefillRounds: f.prefillRounds ?? 0,
    odlogCli: f.odlogCli,
  };
  return {
    workload,
    broker: f.broker,
    peers: f.peers === true,
    repeat: f.repeat ?? 1,
    suite: f.suite,
    scale: {
      logSizes: f.scaleLogSizes ?? [1_000_000, 10_000_000, 50_000_000],
      keyCounts: f.scaleKeyCounts ?? [100, 1000, 100_000, 1_000_000],
      tailKeyCounts: f.scaleTailKeyCounts ?? [1000, 100_000, 1_000_000],
      countSizes: f.scaleCountSizes ?? [10_000, 100_000, 1_000_000],
      idleSubscriptions: f.scaleIdleSubscriptions ?? 1000,
      stalledBytes: f.scaleStalledBytes ?? 256 * 1024 * 1024,
    },
    out: f.out,
    html: f.html,
    compare,
    quiet: f.quiet === true,
    help: f.help === true,
  };
}
