import type { Sample } from './PrometheusText.js';

/**
 * Upper bounds, in seconds, of the latency buckets: 100 µs to 10 s, about three per decade, so
 * that an acknowledgement's p50 and p99 can be told apart from sub-millisecond (async durability)
 * to seconds (a stalled disk).
 */
export const latencyBucketsSeconds: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A Prometheus histogram of durations: a count per bucket, their sum and their number. Fixed
 * memory (one counter per bucket) whatever the number of observations.
 * @example
 * const ack = new LatencyHistogram();
 * ack.observe(0.0012);
 * ack.samples(); // [{ suffix: '_bucket', labels: { le: '0.0001' }, value: 0 }, ...]
 */
export class LatencyHistogram {
  private readonly counts: Float64Array;
  private sumSeconds = 0;
  private total = 0;

  constructor(private readonly bounds: readonly number[] = latencyBucketsSeconds) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]) i++;
    this.counts[i]++;
    this.sumSeconds += seconds;
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /** The histogram's samples: cumulative `_bucket`s (the last with `le="+Inf"`), `_sum`, `_count`. */
  samples(): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.counts[i];
      out.push({ suffix: '_bucket', labels: { le: i < this.bounds.length ? String(this.bounds[i]) : '+Inf' }, value: cumulative });
    }
    out.push({ suffix: '_sum', value: this.sumSeconds }, { suffix: '_count', value: this.total });
    return out;
  }
}
