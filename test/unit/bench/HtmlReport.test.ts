import { expect } from 'chai';
import { niceTicks, tickLabel } from '../../../bench/harness/HtmlCharts.js';
import { renderHtmlReport } from '../../../bench/harness/HtmlReport.js';
import { formatCeiling, formatResult } from '../../../bench/harness/ResultTable.js';
import { benchRun as run } from '../../support/BenchRunFixture.js';

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
