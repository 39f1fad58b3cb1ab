import { expect } from 'chai';
import type { TargetKind } from '../../../bench/harness/BenchOptions.js';
import type { BenchResult, TimelinePoint } from '../../../bench/harness/BenchResult.js';
import { niceTicks, tickLabel } from '../../../bench/harness/HtmlCharts.js';
import { renderHtmlReport } from '../../../bench/harness/HtmlReport.js';
import { LatencyHistogram } from '../../../bench/harness/LatencyHistogram.js';
import { formatCeiling, formatResult } from '../../../bench/harness/ResultTable.js';

function summary(samples: number[]) {
  const h = new LatencyHistogram();
  for (const s of samples) h.record(s);
  return h.summary();
}

/** A run as the runner writes it, with every optional part filled (consumers, prefill, broker, disk). */
function run(kind: TargetKind, label: string, recordsPerSec: number, overrides: { keys?: number; consumers?: number } = {}): BenchResult {
  const consumers = overrides.consumers ?? 1;
  const timeline: TimelinePoint[] = Array.from({ length: 12 }, (_, i) => ({
    second: i - 1,
    elapsedMs: i * 1000,
    cumulativeRecords: i * recordsPerSec,
    // Odd peaks on purpose: 188,000 records/s must not give a 63k/188k axis.
    recordsPerSec: i === 6 ? recordsPerSec * 1.52 : recordsPerSec,
    mbPerSec: recordsPerSec / 1e4,
    ackP50Us: 1700 + i * 10,
    ackP99Us: i === 0 ? null : 6300 + i * 137,
    deliveredPerSec: consumers > 0 ? recordsPerSec * 0.99 : 0,
    consumerLagRecords: 0,
  }));
  return {
    schema: 'odlog-bench/2',
    startedAt: '2026-01-02T03:04:05.000Z',
    setup: { cores: 2, cpuModel: 'Test CPU', memoryBytes: 8 * 2 ** 30, os: 'linux 6.1', node: 'v20.1.0', odlogCommit: 'abc1234' },
    workload: {
      target: kind, producers: 2, connections: 4, inFlight: 4, consumers, keys: overrides.keys ?? 1_000_000, keyDistribution: 'uniform',
    batchKeys: 'mixed', valueBytes: 100, batchRecords: 1000,
      lingerMs: 1, durability: 'sync', durationSec: 10, records: undefined, warmupSec: 2, rate: undefined, prefillRounds: 10, odlogCli: undefined,
    },
    target: { kind, label, address: '127.0.0.1:1', startedByHarness: true },
    prefill: { rounds: 10, keyCreation: { keys: 1_000_000, seconds: 21.37, keysPerSec: 46_795.5, diskGrowthBytes: 312_456_789, bytesPerKey: 312.456789 }, fillRecords: 9_000_000, fillSeconds: 183.25 },
    throughput: { records: recordsPerSec * 10, seconds: 10.02, recordsPerSec, mbPerSec: recordsPerSec / 9300 },
    ackLatencyUs: summary([1234, 2345, 3456, 45_678, 123_456]),
    endToEndLatencyUs: consumers > 0 ? summary([1500, 2600, 3700, 56_789]) : undefined,
    deliveryAfterAckUs: consumers > 0 ? summary([0, 10, 420, 9876]) : undefined,
    deliveredRecords: consumers > 0 ? 1_876_543 : 0,
    errors: kind === 'odlog' ? { THROTTLED: 3 } : {},
    broker: { cpuSeconds: 17.34, cpuPercent: 173.1, anonymousPeakBytes: 345 * 2 ** 20, fileMappedPeakBytes: 1234 * 2 ** 20, peakRssBytes: 1500 * 2 ** 20 },
    disk: { bytes: 1_234_567_890, walBytes: 67_108_864, records: 11_876_543, bytesPerRecord: 103.95, measuredGrowthBytes: 198_765_432, measuredRecords: 1_880_000, measuredBytesPerRecord: 105.72 },
    timeline,
  };
}

/** The page's text as a reader sees it: tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** `50k` → 50000, `1.5M` → 1500000, `2,000` → 2000. */
function labelValue(label: string): number {
  const m = /^(-?[\d,.]+)([kM]?)$/.exec(label);
  if (m === null) throw new Error(`tick label ${JSON.stringify(label)} is not a number`);
  return Number(m[1].replace(/,/g, '')) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

interface Axis {
  readonly kind: 'x' | 'y';
  readonly step: number | undefined;
  readonly ticks: { value: number | undefined; label: string }[];
  readonly title: string;
}

function axes(svg: string): Axis[] {
  return [...svg.matchAll(/<g class="([xy])-axis"(?: data-step="([^"]+)")?[^>]*>([\s\S]*?)<\/g>/g)].map((m) => ({
    kind: m[1] as 'x' | 'y',
    step: m[2] === undefined ? undefined : Number(m[2]),
    ticks: [...m[3].matchAll(/<text class="tick"(?: data-value="([^"]+)")?[^>]*>([^<]*)<\/text>/g)].map((t) => ({ value: t[1] === undefined ? undefined : Number(t[1]), label: t[2] })),
    title: /<text class="axis-title"[^>]*>([^<]*)<\/text>/.exec(m[3])?.[1] ?? '',
  }));
}

const isRoundStep = (step: number): boolean => {
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9);
};

describe('bench HTML report', () => {
  const peers = [
    run('discard', 'discard (no storage)', 412_345, { consumers: 0 }),
    run('odlog', 'odlog (sync)', 188_123),
    run('redis', 'redis-server 7.0.15 (AOF, appendfsync always: fsync before reply)', 97_488),
    run('nats', 'nats-server 2.9.10 (JetStream file; PubAck before fsync, background fsync every 2 min; NOT fsync per ack: this version has no sync_interval)', 129_957),
  ];
  const html = renderHtmlReport(peers);
  const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);

  it('puts y-axis ticks on round values (1, 2 or 5 × 10^k from 0) whose labels say their value', () => {
    expect(svgs.length).to.be.greaterThanOrEqual(5);
    for (const svg of svgs) {
      const y = axes(svg).find((a) => a.kind === 'y');
      expect(y, 'a y axis').to.not.equal(undefined);
      const { step, ticks } = y as Axis;
      expect(isRoundStep(step as number), `step ${step}`).to.equal(true);
      expect(ticks.length).to.be.within(3, 12);
      ticks.forEach((t, i) => {
        expect(t.value).to.be.closeTo(i * (step as number), 1e-9);
        expect(labelValue(t.label), `label ${t.label}`).to.be.closeTo(t.value as number, 1e-9);
      });
    }
    // The throughput axis: the discard run peaks at 626,764 records/s, the axis goes to 800k by 200k.
    const throughput = axes(svgs[0]).find((a) => a.kind === 'y') as Axis;
    expect(throughput.ticks.map((t) => t.label)).to.deep.equal(['0', '200k', '400k', '600k', '800k']);
  });

  it('labels both axes of every chart: titles on each, tick labels under the x axis', () => {
    for (const svg of svgs) {
      const found = axes(svg);
      const x = found.find((a) => a.kind === 'x') as Axis;
      const y = found.find((a) => a.kind === 'y') as Axis;
      expect(x.title, svg.slice(0, 120)).to.not.equal('');
      expect(y.title).to.not.equal('');
      expect(x.ticks.length).to.be.greaterThanOrEqual(2);
      for (const t of x.ticks) expect(t.label.trim()).to.not.equal('');
      // Numeric x axes (seconds) tick on round whole numbers too.
      if (x.step !== undefined) {
        expect(isRoundStep(x.step) && x.step >= 1).to.equal(true);
        x.ticks.forEach((t, i) => expect(labelValue(t.label)).to.equal(i * (x.step as number)));
      }
    }
    expect(html).to.contain('seconds since the measured phase began');
  });

  it('shows the workload as a table of its fields, not as JSON', () => {
    const table = /<table class="workload">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).to.deep.include({
      producers: '2 worker threads',
      connections: '4 per producer',
      loop: 'closed, 4 batches in flight per connection',
      'records per batch': '1,000',
      keys: '1,000,000 (uniform)',
      'value size': '100 B',
      durability: 'sync',
      prefill: '10 rounds',
      'measured phase': '10 s',
    });
    expect(html).to.not.contain('{&quot;target&quot;');
    expect(html).to.not.contain('"producers":');
  });

  it('has every figure of the text report, the delivered count and delivery-after-ack included', () => {
    const text = visibleText(html);
    for (const r of peers) {
      const report = formatResult(r);
      // Every number the text report prints for the run (setup, workload, throughput, latencies, memory, disk...).
      const numbers = report.match(/\d[\d,]*(?:\.\d+)?/g) ?? [];
      expect(numbers.length).to.be.greaterThan(40);
      for (const n of numbers) expect(text, `${r.target.label}: ${n} from the text report`).to.contain(n);
    }
    for (const words of ['delivered records', 'delivery after ack', 'end-to-end latency', 'anonymous memory', 'file-mapped memory', 'RssAnon', 'key creation rate', 'bytes/record while measuring', "share of the generator's ceiling"]) {
      expect(text).to.contain(words);
    }
    expect(text).to.contain('1,876,543'); // delivered
    expect(text).to.contain('THROTTLED 3');
    // The ceiling lines printed after a --peers run: each system's share of the discard server's rate.
    for (const n of (formatCeiling(peers) as string).match(/\d[\d,]*\.\d+x|\d{1,3}(?:,\d{3})+/g) ?? []) expect(text).to.contain(n);
    expect(text).to.contain('0.46x'); // odlog: 188,123 / 412,345
  });

  it('keeps wide tables within the page: at most four runs side by side, charts that scale with the page', () => {
    const six = [...peers, run('odlog', 'odlog (async)', 250_000), run('odlog', 'odlog (sync)', 100_000, { keys: 100 })];
    const page = renderHtmlReport(six);
    const tables = [...page.matchAll(/<table class="results"[^>]*>([\s\S]*?)<\/table>/g)];
    expect(tables.map((t) => (t[1].split('</tr>')[0].match(/<th scope="col"/g) ?? []).length - 1)).to.deep.equal([4, 2]);
    for (const t of tables) expect(t[0]).to.match(/^<table class="results" style="width:\d+%"/);
    expect(page).to.match(/body\{[^}]*max-width:1140px/);
    for (const svg of page.match(/<svg[^>]*>/g) ?? []) expect(svg).to.contain('width="100%"');
    // Column headers name each run by its target's whole label.
    expect(html).to.contain('<th scope="col" style="width:16%">odlog (sync)<small>consumers: 1</small></th>');
    expect(renderHtmlReport([peers[1]])).to.contain('<th scope="col">odlog (sync)</th>');
    // Two runs of the same target are told apart by what differs in their workloads.
    expect(page).to.contain('odlog (sync) #2 (1,000,000 keys');
    expect(page).to.contain('odlog (sync) #6 (100 keys');
  });
});

describe('bench HTML report: round axis ticks', () => {
  it('covers the largest value with steps of 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(188_000)).to.deep.equal({ step: 50_000, ticks: [0, 50_000, 100_000, 150_000, 200_000] });
    expect(niceTicks(63_000).ticks).to.deep.equal([0, 20_000, 40_000, 60_000, 80_000]);
    expect(niceTicks(0.37)).to.deep.equal({ step: 0.1, ticks: [0, 0.1, 0.2, 0.3, 0.4] });
    expect(niceTicks(7, 10, 1)).to.deep.equal({ step: 1, ticks: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(niceTicks(0).ticks).to.deep.equal([0, 1]);
  });

  it('labels ticks in a unit the largest tick chooses, with the decimals the step needs', () => {
    expect([0, 50_000, 100_000].map((v) => tickLabel(v, 50_000, 200_000))).to.deep.equal(['0', '50k', '100k']);
    expect([0, 500_000, 1_500_000].map((v) => tickLabel(v, 500_000, 2_000_000))).to.deep.equal(['0', '0.5M', '1.5M']);
    expect([0, 500, 1000].map((v) => tickLabel(v, 500, 2500))).to.deep.equal(['0', '500', '1,000']);
    expect([0.2, 0.4].map((v) => tickLabel(v, 0.2, 1))).to.deep.equal(['0.2', '0.4']);
  });
});
