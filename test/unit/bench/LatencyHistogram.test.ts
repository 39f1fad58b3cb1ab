import { expect } from 'chai';
import { LatencyHistogram } from '../../../bench/harness/LatencyHistogram.js';

/** The exact percentile of sorted samples, by the same nearest-rank rule the histogram uses. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('LatencyHistogram', () => {
  const relativeError = 1 / 128;

  it('reports exact percentiles for values below 256', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 200 }, (_, i) => i);
    for (const v of values) h.record(v);
    for (const p of [1, 25, 50, 90, 99, 100]) expect(h.percentile(p)).to.equal(exactPercentile(values, p));
    expect(h.min).to.equal(0);
    expect(h.max).to.equal(199);
  });

  it('reports percentiles of log-normal samples within its relative error of the exact ones', () => {
    const random = seeded(42);
    const samples: number[] = [];
    const h = new LatencyHistogram();
    for (let i = 0; i < 100_000; i++) {
      // Box-Muller: latencies spread over several orders of magnitude (µs)
      const z = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
      const v = Math.round(Math.exp(7 + 1.5 * z));
      samples.push(v);
      h.record(v);
    }
    samples.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9, 99.99]) {
      const exact = exactPercentile(samples, p);
      const reported = h.percentile(p);
      expect(reported).to.be.at.least(exact * (1 - relativeError) - 1);
      expect(reported).to.be.at.most(exact * (1 + relativeError) + 1);
    }
    expect(h.max).to.equal(samples[samples.length - 1]);
    expect(h.count).to.equal(100_000);
  });

  it('weights a value recorded with a count like that many records of it', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(5000, 1000);
    a.record(100, 9000);
    for (let i = 0; i < 1000; i++) b.record(5000);
    for (let i = 0; i < 9000; i++) b.record(100);
    for (const p of [50, 90, 95, 99]) expect(a.percentile(p)).to.equal(b.percentile(p));
    expect(a.mean).to.be.closeTo(b.mean, 1e-9);
  });

  it('merges serialized histograms into the histogram of all their values', () => {
    const random = seeded(7);
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 30_000; i++) {
      const v = Math.floor(random() * 10_000_000);
      whole.record(v);
      parts[i % 3].record(v);
    }
    const merged = new LatencyHistogram();
    for (const p of parts) merged.merge(p.serialize());
    expect(merged.summary()).to.deep.equal(whole.summary());
    expect(LatencyHistogram.from(whole.serialize()).summary()).to.deep.equal(whole.summary());
  });

  it('handles values up to days in microseconds and never reports above the maximum recorded', () => {
    const h = new LatencyHistogram();
    const day = 86_400_000_000;
    h.record(day);
    h.record(2 ** 33 + 12345);
    h.record(1);
    expect(h.percentile(100)).to.equal(day);
    expect(h.percentile(50)).to.be.within((2 ** 33 + 12345) * (1 - relativeError), (2 ** 33 + 12345) * (1 + relativeError));
    expect(h.percentile(1)).to.equal(1);
  });

  it('reports zeros when empty', () => {
    expect(new LatencyHistogram().summary()).to.deep.equal({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });
});
