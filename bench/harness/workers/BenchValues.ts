/**
 * The values the generator writes carry what the consumer needs to measure latency:
 *
 * ```
 *   f64 LE  sentAtMs       absolute time (performance.timeOrigin + now) the record was due
 *   u32 LE  producer       producer worker index
 *   u32 LE  record         that producer's record number
 *   ...     padding to the configured value size
 * ```
 */
export const valueHeaderBytes = 16;

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function writeValue(out: Buffer, sentAtMs: number, producer: number, record: number): void {
  out.writeDoubleLE(sentAtMs, 0);
  out.writeUInt32LE(producer, 8);
  out.writeUInt32LE(record >>> 0, 12);
}

export function readValue(value: Buffer): { sentAtMs: number; producer: number; record: number } | undefined {
  if (value.length < valueHeaderBytes) return undefined;
  return { sentAtMs: value.readDoubleLE(0), producer: value.readUInt32LE(8), record: value.readUInt32LE(12) };
}

/**
 * Acknowledgement times shared between producer and consumer threads (SharedArrayBuffer), so a
 * consumer can tell how long after its acknowledgement a record was delivered. A ring per
 * producer; a slot also holds the record number it belongs to, so stale slots are recognised.
 */
export class AckRing {
  static readonly slots = 1 << 20;
  private readonly times: Float64Array;
  private readonly records: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, private readonly producers: number) {
    this.times = new Float64Array(buffer, 0, producers * AckRing.slots);
    this.records = new Int32Array(buffer, producers * AckRing.slots * 8, producers * AckRing.slots);
  }

  static allocate(producers: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(producers * AckRing.slots * 12);
    new Int32Array(buffer, producers * AckRing.slots * 8).fill(-1);
    return buffer;
  }

  acked(producer: number, record: number, atMs: number): void {
    const slot = producer * AckRing.slots + (record & (AckRing.slots - 1));
    this.times[slot] = atMs;
    Atomics.store(this.records, slot, record | 0);
  }

  /** When the record was acknowledged, or undefined if not (yet) known. */
  ackedAt(producer: number, record: number): number | undefined {
    if (producer >= this.producers) return undefined;
    const slot = producer * AckRing.slots + (record & (AckRing.slots - 1));
    return Atomics.load(this.records, slot) === (record | 0) ? this.times[slot] : undefined;
  }
}

/** Key choice: uniform, or Zipf (s = 1) by inverse CDF. */
export class KeyChooser {
  private readonly cdf: Float64Array | undefined;

  constructor(private readonly keys: number, distribution: 'uniform' | 'zipf') {
    if (distribution === 'zipf' && keys > 1) {
      this.cdf = new Float64Array(keys);
      let sum = 0;
      for (let i = 0; i < keys; i++) this.cdf[i] = sum += 1 / (i + 1);
      for (let i = 0; i < keys; i++) this.cdf[i] /= sum;
    }
  }

  next(): number {
    if (this.cdf === undefined) return Math.floor(Math.random() * this.keys);
    const u = Math.random();
    let lo = 0;
    let hi = this.keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A small seeded generator (mulberry32): the same seed gives the same key orders on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A producer's share of the keys (key i belongs to producer i % producers), once per round, each
 * round in its own seeded random order: after rounds [0, R) every key holds R records, and round
 * 0 writes each key for the first time.
 *
 * @example
 * const rounds = new KeyRounds(1000, 2, 0, 0, 1); // producer 0 of 2: its 500 keys, once
 * rounds.take(100); // 100 key indexes, all even, none repeated within the round
 */
export class KeyRounds {
  private readonly share: number;
  private order: Uint32Array = new Uint32Array(0);
  private position = 0;

  constructor(private readonly keys: number, private readonly producers: number, private readonly producer: number, private round: number, private readonly toRound: number) {
    this.share = producer < keys ? Math.ceil((keys - producer) / producers) : 0;
    this.shuffle();
  }

  /** The next at most `n` key indexes (fewer only when the last round ends); empty when done. */
  take(n: number): number[] {
    const out: number[] = [];
    while (out.length < n && this.round < this.toRound && this.share > 0) {
      if (this.position === this.order.length) {
        this.round++;
        if (this.round >= this.toRound) break;
        this.shuffle();
      }
      out.push(this.order[this.position++]);
    }
    return out;
  }

  private shuffle(): void {
    const order = new Uint32Array(this.share);
    for (let j = 0; j < this.share; j++) order[j] = this.producer + j * this.producers;
    const random = seededRandom(this.round * 1_000_003 + this.producer * 7919 + this.keys);
    for (let j = this.share - 1; j > 0; j--) {
      const k = Math.floor(random() * (j + 1));
      const t = order[j];
      order[j] = order[k];
      order[k] = t;
    }
    this.order = order;
    this.position = 0;
  }
}

export const benchKeyPrefix = 'bench:';

export function benchKeys(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`${benchKeyPrefix}${i}`));
}

/**
 * Exact running totals shared by all workers (Atomics on BigInt64), so the coordinator can cut
 * the measured phase at precise instants instead of at workers' once-a-second reports.
 */
export class SharedCounters {
  private readonly cells: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new BigInt64Array(buffer);
  }

  static allocate(producers: number, consumers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(8 * 2 * (producers + consumers));
  }

  add(slot: number, records: number, bytes: number): void {
    Atomics.add(this.cells, 2 * slot, BigInt(records));
    Atomics.add(this.cells, 2 * slot + 1, BigInt(bytes));
  }

  /** Sum of records and bytes over slots [from, to). */
  total(from: number, to: number): { records: number; bytes: number } {
    let records = 0;
    let bytes = 0;
    for (let s = from; s < to; s++) {
      records += Number(Atomics.load(this.cells, 2 * s));
      bytes += Number(Atomics.load(this.cells, 2 * s + 1));
    }
    return { records, bytes };
  }

  /** Smallest record count among slots [from, to). */
  min(from: number, to: number): number {
    let min = Number.POSITIVE_INFINITY;
    for (let s = from; s < to; s++) min = Math.min(min, Number(Atomics.load(this.cells, 2 * s)));
    return min === Number.POSITIVE_INFINITY ? 0 : min;
  }
}
