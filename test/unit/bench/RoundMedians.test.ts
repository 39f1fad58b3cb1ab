import { expect } from 'chai';
import { parseBenchOptions } from '../../../bench/harness/BenchOptions.js';
import { brokerCpuUsPerRecord, formatRoundMedians, median } from '../../../bench/harness/RoundMedians.js';
import { UsageError } from '../../../src/args/UsageError.js';
import { benchRun } from '../../support/BenchRunFixture.js';

const redisLabel = 'redis-server 7.0.15 (AOF, appendfsync always: fsync before reply)';

/** A round of discard, odlog and Redis at the given records/s, one ack latency sample each; odlog's broker at 40 µs per record. */
function round(discard: number, odlog: number, redis: number, odlogAckUs = 2000, redisAckUs = 1000) {
  return [
    benchRun('discard', 'discard (no storage)', discard, { consumers: 0, ackSamples: [500], cpuSeconds: 1 }),
    benchRun('odlog', 'odlog (sync)', odlog, { consumers: 0, ackSamples: [odlogAckUs], cpuSeconds: (odlog * 10 * 40) / 1e6 }),
    benchRun('redis', redisLabel, redis, { consumers: 0, ackSamples: [redisAckUs], cpuSeconds: 2 }),
  ];
}

describe('bench: medians over repeated rounds', () => {
  it('takes the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([40, 10, 30, 20])).to.equal(25);
    expect(median([7])).to.equal(7);
    expect(median([])).to.equal(undefined);
  });

  it("works out the broker's CPU per record from its CPU seconds and the records acknowledged", () => {
    const r = benchRun('odlog', 'odlog (sync)', 20_000, { cpuSeconds: 8 });
    expect(brokerCpuUsPerRecord(r)).to.be.closeTo(40, 1e-9); // 8 s over 200,000 records
  });

  it('reports the median of per-round ratios, not the ratio of medians, with every round shown', () => {
    // Round 2 is slow for everyone (a noisy neighbour): the per-round ratios stay 0.8 and 0.5.
    const rounds = [round(40_000, 24_000, 30_000), round(20_000, 10_000, 20_000), round(40_000, 32_000, 40_000)];
    const text = formatRoundMedians(rounds);
    expect(text).to.contain('== medians over 3 rounds');
    const odlogRow = text.split('\n').find((l) => l.startsWith('odlog '));
    expect(odlogRow).to.match(/^odlog\s+24,000  \(10,000-32,000\)\s+2\.00\s+2\.00\s+40\.0$/);
    expect(text).to.contain(`redis-server 7.0.15: ${redisLabel}`); // the rows go by name, the labels are given once
    expect(text).to.contain('odlog / redis-server 7.0.15, round by round:');
    expect(text).to.match(/records\/s\s+0\.80x 0\.50x 0\.80x -> median 0\.80x/);
    expect(text).to.match(/ack p50\s+2\.00x 2\.00x 2\.00x -> median 2\.00x/);
    expect(text).to.contain("share of the generator's ceiling");
    expect(text).to.contain('odlog: 0.60x 0.50x 0.80x -> median 0.60x');
    expect(text).to.contain('redis-server 7.0.15: 0.75x 1.00x 1.00x -> median 1.00x');
  });

  it('leaves out the rounds a target did not run in', () => {
    const rounds = [round(40_000, 24_000, 30_000), round(40_000, 20_000, 40_000).slice(0, 2)];
    const text = formatRoundMedians(rounds);
    expect(text).to.match(/records\/s\s+0\.80x -> median 0\.80x/);
    const redisRow = text.split('\n').find((l) => l.startsWith('redis-server 7.0.15 '));
    expect(redisRow).to.contain('30,000  (30,000-30,000)');
  });

  it('takes --repeat as a whole number of rounds, 1 by default, and refuses it where it means nothing', () => {
    expect(parseBenchOptions([]).repeat).to.equal(1);
    expect(parseBenchOptions(['--peers', '--repeat', '3']).repeat).to.equal(3);
    for (const bad of ['0', '2.5', '101', 'x']) expect(() => parseBenchOptions(['--repeat', bad]), bad).to.throw(UsageError, /--repeat must be an integer in 1\.\.100/);
    expect(() => parseBenchOptions(['--suite', 'scale', '--repeat', '2'])).to.throw(UsageError, /does not apply to --suite/);
  });
});
