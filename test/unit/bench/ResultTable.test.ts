import { expect } from 'chai';
import type { BenchResult } from '../../../bench/harness/BenchResult.js';
import { LatencyHistogram } from '../../../bench/harness/LatencyHistogram.js';
import { progressLine } from '../../../bench/harness/ProgressLine.js';
import { formatComparison, formatResult } from '../../../bench/harness/ResultTable.js';

function result(overrides: { consumers?: number; producers?: number; connections?: number; ackSamples?: number[]; e2eSamples?: number[] }): BenchResult {
  const summary = (samples: number[]) => {
    const h = new LatencyHistogram();
    for (const s of samples) h.record(s);
    return h.summary();
  };
  const consumers = overrides.consumers ?? 0;
  return {
    schema: 'odlog-bench/2',
    startedAt: '2026-01-01T00:00:00.000Z',
    setup: { cores: 2, cpuModel: 'test', memoryBytes: 2 ** 33, os: 'linux', node: 'v20', odlogCommit: undefined },
    workload: {
      target: 'odlog', producers: overrides.producers ?? 1, connections: overrides.connections ?? 1, inFlight: 1, consumers, keys: 1, keyDistribution: 'uniform',
    batchKeys: 'mixed',
      valueBytes: 100, batchRecords: 10, lingerMs: 1, durability: 'sync', durationSec: 1, records: undefined, warmupSec: 0, rate: undefined, prefillRounds: 0, odlogCli: undefined,
    },
    target: { kind: 'odlog', label: 'odlog (sync)', address: '127.0.0.1:1', startedByHarness: true },
    prefill: undefined,
    throughput: { records: overrides.ackSamples?.length ?? 0, seconds: 1, recordsPerSec: overrides.ackSamples?.length ?? 0, mbPerSec: 0 },
    ackLatencyUs: summary(overrides.ackSamples ?? []),
    endToEndLatencyUs: consumers > 0 ? summary(overrides.e2eSamples ?? []) : undefined,
    deliveryAfterAckUs: consumers > 0 ? summary([]) : undefined,
    deliveredRecords: overrides.e2eSamples?.length ?? 0,
    errors: {},
    broker: undefined,
    disk: undefined,
    timeline: [],
  };
}

describe('bench report wording', () => {
  it('says — where a latency has no sample, never 0.00 ms', () => {
    const text = formatResult(result({ consumers: 1, ackSamples: [], e2eSamples: [] }));
    expect(text).to.match(/^ack latency\s+—$/m);
    expect(text).to.match(/^end-to-end latency\s+—$/m);
    expect(text).to.not.contain('0.00');
  });

  it('uses singular and plural as the numbers say', () => {
    const one = formatResult(result({ consumers: 1, producers: 1, connections: 1, ackSamples: [1000], e2eSamples: [2000] }));
    expect(one).to.contain('1 producer x 1 connection,');
    expect(one).to.contain(', 1 consumer\n');
    expect(one).to.contain('(1 sample)');
    expect(one).to.contain('delivered: 1 record in the measured phase\n');
    const two = formatResult(result({ consumers: 2, producers: 2, connections: 3, ackSamples: [1000, 2000], e2eSamples: [1, 2, 3] }));
    expect(two).to.contain('2 producers x 3 connections,');
    expect(two).to.contain('2 consumers');
    expect(two).to.contain('delivered: 3 records in the measured phase (to 2 consumers together)');
  });

  it('a comparison shows — for a figure either run has no sample of', () => {
    const text = formatComparison(result({ ackSamples: [] }), result({ ackSamples: [1000] }));
    expect(text).to.match(/^ack p50 \(ms\)\s+—\s+1\.00\s+—/m);
  });

  it('the progress line counts the warm-up against its own length, and says — for a second without acknowledgements', () => {
    expect(progressLine({ phase: 'warmup', phaseSeconds: 1, phaseLengthSec: 8, recordsPerSec: 0, mbPerSec: 0, ackP50Us: undefined, ackP99Us: undefined, lagRecords: undefined })).to.equal(
      'warm-up 1/8 s  0 rec/s  0.0 MB/s  ack p50 — p99 —',
    );
    expect(progressLine({ phase: 'measure', phaseSeconds: 3, phaseLengthSec: 10, recordsPerSec: 12345.6, mbPerSec: 1.25, ackP50Us: 1500, ackP99Us: 4000, lagRecords: 7 })).to.equal(
      '3/10 s  12,346 rec/s  1.3 MB/s  ack p50 1.50 ms p99 4.00 ms  lag 7',
    );
  });
});
