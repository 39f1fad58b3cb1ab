/**
 * A log-bucketed latency histogram in the manner of HdrHistogram: values (microseconds, integers)
 * fall into buckets whose width doubles with every power of two, each power split into
 * 2^subBucketBits sub-buckets, so any recorded value is reported within a relative error of
 * 2^-(subBucketBits-1) (0.78% at the default 8 bits; values below 2^subBucketBits are exact)
 * while the whole range from 1 µs to days takes about ten thousand counters. Histograms merge by adding counts, so workers send theirs to the
 * coordinator as plain arrays.
 *
 * @example
 * const h = new LatencyHistogram();
 * h.record(1530); h.record(870, 10);
 * h.percentile(99); // ~1530
 */
export class LatencyHistogram {
  readonly subBucketBits: number;
  private readonly subBuckets: number;
  private counts: Float64Array;
  private total = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;
  private sum = 0;

  constructor(subBucketBits = 8, private readonly maxMagnitude = 42) {
    this.subBucketBits = subBucketBits;
    this.subBuckets = 1 << subBucketBits;
    this.counts = new Float64Array((maxMagnitude + 1) * this.subBuckets);
  }

  get count(): number {
    return this.total;
  }

  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  get max(): number {
    return this.maxValue;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Record `value` (rounded to an integer ≥ 0) `count` times. */
  record(value: number, count = 1): void {
    const v = value <= 0 ? 0 : Math.round(value);
    this.counts[this.indexOf(v)] += count;
    this.total += count;
    this.sum += v * count;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** The value at or below which `p` percent of recorded values fall (upper edge of its bucket, capped at max). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.maxValue, Math.max(this.minValue, this.highestEquivalent(i)));
    }
    return this.maxValue;
  }

  /** Add another histogram's counts (same geometry). */
  merge(other: LatencyHistogram | SerializedHistogram): void {
    const s = other instanceof LatencyHistogram ? other.serialize() : other;
    if (s.subBucketBits !== this.subBucketBits) throw new Error('cannot merge histograms of different precision');
    for (let k = 0; k < s.indexes.length; k++) this.counts[s.indexes[k]] += s.counts[k];
    this.total += s.total;
    this.sum += s.sum;
    if (s.total > 0) {
      this.minValue = Math.min(this.minValue, s.min);
      this.maxValue = Math.max(this.maxValue, s.max);
    }
  }

  /** A compact form (non-zero buckets only) to post between threads or store in JSON. */
  serialize(): SerializedHistogram {
    const indexes: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      if (this.counts[i] !== 0) {
        indexes.push(i);
        counts.push(this.counts[i]);
      }
    }
    return { subBucketBits: this.subBucketBits, indexes, counts, total: this.total, sum: this.sum, min: this.min, max: this.maxValue };
  }

  static from(s: SerializedHistogram): LatencyHistogram {
    const h = new LatencyHistogram(s.subBucketBits);
    h.merge(s);
    return h;
  }

  reset(): void {
    this.counts = new Float64Array(this.counts.length);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }

  /** The standard summary, in the histogram's unit. */
  summary(): LatencySummary {
    return {
      count: this.total,
      min: this.min,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.maxValue,
    };
  }

  private indexOf(v: number): number {
    if (v < this.subBuckets) return v;
    // magnitude m: v in [2^(m+bits-1), 2^(m+bits)), bucket width 2^m
    const bits = v < 0x1_0000_0000 ? 32 - Math.clz32(v) : 64 - Math.clz32(Math.floor(v / 0x1_0000_0000));
    const magnitude = Math.min(this.maxMagnitude, bits - this.subBucketBits);
    const sub = Math.min(this.subBuckets - 1, Math.floor(v / 2 ** magnitude) - this.subBuckets / 2);
    return magnitude * this.subBuckets + this.subBuckets / 2 + sub;
  }

  private highestEquivalent(index: number): number {
    if (index < this.subBuckets) return index;
    const magnitude = Math.floor((index - this.subBuckets / 2) / this.subBuckets);
    const sub = index - magnitude * this.subBuckets - this.subBuckets / 2;
    return (sub + this.subBuckets / 2 + 1) * 2 ** magnitude - 1;
  }
}

export interface SerializedHistogram {
  readonly subBucketBits: number;
  readonly indexes: number[];
  readonly counts: number[];
  readonly total: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}
