import type { Workload } from '../BenchOptions.js';
import type { SerializedHistogram } from '../LatencyHistogram.js';

export type Phase = 'warmup' | 'measure' | 'stop';

/** What the coordinator gives each worker at start. */
export interface WorkerSetup {
  readonly role: 'producer' | 'consumer';
  readonly index: number;
  readonly workload: Workload;
  readonly address: string;
  readonly ackRing: SharedArrayBuffer;
  /** BigInt64 counters, added to with Atomics: [records, bytes] per producer, then per consumer. */
  readonly counters: SharedArrayBuffer;
}

/**
 * Coordinator → worker. `start` comes once every worker is ready: producers begin at `atMs`
 * (absolute, performance.timeOrigin + now), the origin of open-loop schedules, so no producer
 * begins with a backlog from the time the others took to connect. `prefill` (before `start`)
 * asks a producer to write its share of the keys once per round in [fromRound, toRound), closed
 * loop, and to answer `prefilled` once every record of it is acknowledged.
 */
export type ToWorker =
  | { readonly kind: 'phase'; readonly phase: Phase }
  | { readonly kind: 'start'; readonly atMs: number }
  | { readonly kind: 'prefill'; readonly fromRound: number; readonly toRound: number };

/** Worker → coordinator, about once a second and at the end (`final`). */
export interface WorkerTick {
  readonly kind: 'tick';
  readonly role: 'producer' | 'consumer';
  readonly index: number;
  readonly phase: Phase;
  /** Since the previous tick: records acknowledged (producer) or delivered (consumer). */
  readonly records: number;
  readonly bytes: number;
  /** Producers: of those, the records (and bytes) acknowledged in the measured phase. */
  readonly measuredRecords: number;
  readonly measuredBytes: number;
  readonly errors: { [code: string]: number };
  /** Latencies of records in the measured phase since the previous tick (µs). */
  readonly latency: SerializedHistogram;
  /** Consumers: delivery after acknowledgement (µs). */
  readonly afterAck?: SerializedHistogram;
  readonly final: boolean;
}

export type FromWorker =
  | WorkerTick
  | { readonly kind: 'ready'; readonly role: 'producer' | 'consumer'; readonly index: number }
  | { readonly kind: 'prefilled'; readonly index: number; readonly records: number; readonly errors: { [code: string]: number } }
  | { readonly kind: 'failed'; readonly message: string };
