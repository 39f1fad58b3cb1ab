import type { Workload } from './BenchOptions.js';
import type { BenchResult } from './BenchResult.js';
import { barChart, esc, lineChart } from './HtmlCharts.js';
import type { LatencySummary } from './LatencyHistogram.js';
import { int, mib, ms, none, one, plural, ratio, secs } from './ReportUnits.js';
import { ceilingNote, ceilingShares, directoryWords, growthWords, memoryWords } from './ResultTable.js';

/** A curve of a scale suite: x values with one y per series. */
export interface CurveChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly { readonly x: string; readonly y: number }[];
}

/** Runs side by side in one table at most: more are split into further tables, so nothing overflows 1200 px. */
const runsPerTable = 4;

/** A row of the results table: its label (with unit) and each run's cell (undefined: not measured). */
interface Row {
  readonly label: string;
  /** What the figure is, under the label. */
  readonly note?: string;
  readonly cell: (r: BenchResult) => string | undefined;
}

interface RowGroup {
  readonly title: string;
  readonly rows: readonly Row[];
}

const percentiles = [
  ['p50', (s: LatencySummary) => s.p50],
  ['p90', (s: LatencySummary) => s.p90],
  ['p99', (s: LatencySummary) => s.p99],
  ['p99.9', (s: LatencySummary) => s.p999],
  ['max', (s: LatencySummary) => s.max],
] as const;

function rowGroups(results: readonly BenchResult[]): RowGroup[] {
  const ceiling = ceilingShares(results);
  const share = (r: BenchResult): string | undefined => {
    const found = ceiling?.shares[results.indexOf(r)];
    return found === undefined ? undefined : ratio(found.share);
  };
  return [
    {
      title: 'Key creation and prefill (before the measured phase)',
      rows: [
        { label: 'keys created', note: 'prefill round 1: every record a new key', cell: (r) => (r.prefill ? int(r.prefill.keyCreation.keys) : undefined) },
        { label: 'key creation time (s)', cell: (r) => (r.prefill ? secs(r.prefill.keyCreation.seconds) : undefined) },
        { label: 'key creation rate (keys/s)', cell: (r) => (r.prefill ? int(r.prefill.keyCreation.keysPerSec) : undefined) },
        { label: 'disk growth while creating keys (bytes)', cell: (r) => (r.prefill?.keyCreation.diskGrowthBytes !== undefined ? int(r.prefill.keyCreation.diskGrowthBytes) : undefined) },
        { label: 'disk bytes per key', note: 'growth of the data directory (LMDB file plus wal/) over the keys', cell: (r) => (r.prefill?.keyCreation.bytesPerKey !== undefined ? one(r.prefill.keyCreation.bytesPerKey) : undefined) },
        { label: 'prefill rounds', note: 'every key written once per round; the measured phase then starts with every key holding this many records', cell: (r) => (r.prefill ? int(r.prefill.rounds) : undefined) },
        { label: 'rounds 2.. records', cell: (r) => (r.prefill ? int(r.prefill.fillRecords) : undefined) },
        { label: 'rounds 2.. time (s)', cell: (r) => (r.prefill ? secs(r.prefill.fillSeconds) : undefined) },
      ],
    },
    {
      title: 'Throughput (measured phase)',
      rows: [
        { label: 'records/s', note: 'acknowledged appends', cell: (r) => int(r.throughput.recordsPerSec) },
        { label: 'MB/s', note: 'keys and values', cell: (r) => r.throughput.mbPerSec.toFixed(1) },
        { label: 'records', cell: (r) => int(r.throughput.records) },
        { label: 'seconds', cell: (r) => secs(r.throughput.seconds) },
        { label: "share of the generator's ceiling", note: `records/s over the discard server's in the same run${ceiling !== undefined ? (ceilingNote(ceiling.ceiling, results) !== undefined ? ` (${ceilingNote(ceiling.ceiling, results)})` : '') : ''}`, cell: share },
      ],
    },
    {
      title: 'Delivery to consumers',
      rows: [{ label: 'delivered records', note: 'received by the consumers in the measured phase, each consumer counting its own (latencies below)', cell: (r) => (r.workload.consumers > 0 ? int(r.deliveredRecords) : undefined) }],
    },
    {
      title: 'Errors',
      rows: [{ label: 'errors', cell: (r) => Object.entries(r.errors).map(([code, n]) => `${code} ${n}`).join(', ') || 'none' }],
    },
    {
      title: 'Broker process',
      rows: [
        { label: 'CPU (s)', note: 'user and system, measured phase', cell: (r) => (r.broker ? secs(r.broker.cpuSeconds) : undefined) },
        { label: 'CPU (% of one core)', cell: (r) => (r.broker ? r.broker.cpuPercent.toFixed(0) : undefined) },
        { label: 'anonymous memory, peak (MiB)', note: memoryWords.anonymous, cell: (r) => (r.broker ? mib(r.broker.anonymousPeakBytes) : undefined) },
        { label: 'file-mapped memory, peak (MiB)', note: memoryWords.fileMapped, cell: (r) => (r.broker ? mib(r.broker.fileMappedPeakBytes) : undefined) },
        { label: 'total RSS, peak (MiB)', note: memoryWords.total, cell: (r) => (r.broker ? mib(r.broker.peakRssBytes) : undefined) },
      ],
    },
    {
      title: 'Disk',
      rows: [
        { label: 'data directory at the end (bytes)', note: 'for odlog: LMDB file plus wal/', cell: (r) => (r.disk ? int(r.disk.bytes) : undefined) },
        { label: 'of which wal/ (bytes)', cell: (r) => (r.disk && r.disk.walBytes > 0 ? int(r.disk.walBytes) : undefined) },
        { label: 'records written in the run', note: 'prefill and warm-up included', cell: (r) => (r.disk ? int(r.disk.records) : undefined) },
        { label: 'bytes/record over the run', cell: (r) => (r.disk ? one(r.disk.bytesPerRecord) : undefined) },
        { label: 'growth while measuring (bytes)', note: 'end minus start of the measured phase', cell: (r) => (r.disk ? int(r.disk.measuredGrowthBytes) : undefined) },
        { label: 'records acknowledged while measuring', cell: (r) => (r.disk ? int(r.disk.measuredRecords) : undefined) },
        { label: 'bytes/record while measuring', note: 'growth over those records', cell: (r) => (r.disk ? (r.disk.measuredBytesPerRecord !== undefined ? one(r.disk.measuredBytesPerRecord) : none) : undefined) },
      ],
    },
  ];
}

/** Workload fields, as the workload table and the run headers show them. */
const workloadFields: readonly { readonly label: string; readonly value: (w: Workload) => string }[] = [
  { label: 'producers', value: (w) => plural(w.producers, 'worker thread') },
  { label: 'connections', value: (w) => `${int(w.connections)} per producer` },
  { label: 'loop', value: (w) => (w.rate !== undefined ? `open, ${int(w.rate)} records/s in total, linger ${w.lingerMs} ms, ${w.inFlight} in flight at most` : `closed, ${w.inFlight} ${w.inFlight === 1 ? 'batch' : 'batches'} in flight per connection`) },
  { label: 'records per batch', value: (w) => int(w.batchRecords) },
  { label: 'keys', value: (w) => `${int(w.keys)} (${w.keyDistribution})` },
  { label: 'value size', value: (w) => `${int(w.valueBytes)} B` },
  { label: 'durability', value: (w) => w.durability },
  { label: 'consumers', value: (w) => int(w.consumers) },
  { label: 'prefill', value: (w) => ((w.prefillRounds ?? 0) > 0 ? plural(w.prefillRounds, 'round') : 'none') },
  { label: 'warm-up', value: (w) => `${w.warmupSec} s` },
  { label: 'measured phase', value: (w) => (w.records !== undefined ? `${int(w.records)} records` : `${w.durationSec} s`) },
];

/** What tells runs apart in legends and row labels when their targets' labels repeat (a scale suite). */
const shortWorkload: readonly { readonly value: (w: Workload) => string }[] = [
  { value: (w) => `${int(w.keys)} keys` },
  { value: (w) => (w.rate !== undefined ? `${int(w.rate)}/s` : 'closed loop') },
  { value: (w) => plural(w.consumers, 'consumer') },
  { value: (w) => ((w.prefillRounds ?? 0) > 0 ? `prefill ${w.prefillRounds}` : 'no prefill') },
  { value: (w) => (w.records !== undefined ? `${int(w.records)} records` : `${w.durationSec} s`) },
];

/** A name for each run: its target's label, or with repeated labels `label #n (what differs)`. */
function runNames(results: readonly BenchResult[]): (r: BenchResult) => string {
  const labels = results.map((r) => r.target.label);
  if (new Set(labels).size === labels.length) return (r) => r.target.label;
  const varying = shortWorkload.filter((f) => new Set(results.map((r) => f.value(r.workload))).size > 1);
  const names = new Map(results.map((r, i) => [r, `${r.target.label} #${i + 1}${varying.length > 0 ? ` (${varying.map((f) => f.value(r.workload)).join(', ')})` : ''}`]));
  return (r) => names.get(r) ?? r.target.label;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The workload fields all runs share, as a two-column table; the others go in each run's header. */
function workloadTable(results: readonly BenchResult[]): { table: string; varying: typeof workloadFields } {
  const shared = workloadFields.filter((f) => new Set(results.map((r) => f.value(r.workload))).size === 1);
  const varying = workloadFields.filter((f) => !shared.includes(f));
  const rows = shared.map((f) => `<tr><th scope="row">${esc(f.label)}</th><td>${esc(f.value(results[0].workload))}</td></tr>`).join('');
  return { table: rows === '' ? '' : `<table class="workload">${rows}</table>`, varying };
}

function runHeader(r: BenchResult, name: string, varying: typeof workloadFields, widthPercent: number | undefined): string {
  const details = varying.map((f) => `${f.label}: ${f.value(r.workload)}`).join('; ');
  return `<th scope="col"${widthPercent !== undefined ? ` style="width:${widthPercent}%"` : ''}>${esc(name)}${details !== '' ? `<small>${esc(details)}</small>` : ''}</th>`;
}

function resultsTables(results: readonly BenchResult[], name: (r: BenchResult) => string, varying: typeof workloadFields): string {
  const groups = rowGroups(results);
  return chunks(results, runsPerTable)
    .map((runs) => {
      // Several runs share the page's width evenly (a last, shorter table keeps the same column
      // widths, so the tables line up); a single run keeps its value next to its label.
      const runWidth = 64 / Math.min(results.length, runsPerTable);
      const tableWidth = 36 + runs.length * runWidth;
      const percent = (w: number): number => Math.floor((w / tableWidth) * 1000) / 10;
      const head = `<tr><th scope="col" class="figure"${results.length > 1 ? ` style="width:${percent(36)}%"` : ''}>figure</th>${runs.map((r) => runHeader(r, r.target.label + name(r).slice(r.target.label.length).replace(/ \(.*\)$/, ''), varying, results.length > 1 ? percent(runWidth) : undefined)).join('')}</tr>`;
      const body = groups
        .map((g) => {
          const rows = g.rows
            .map((row) => ({ row, cells: runs.map((r) => row.cell(r)) }))
            .filter(({ cells }) => cells.some((c) => c !== undefined));
          if (rows.length === 0) return '';
          return (
            `<tr class="group"><th colspan="${runs.length + 1}" scope="colgroup">${esc(g.title)}</th></tr>` +
            rows
              .map(({ row, cells }) => `<tr><th scope="row">${esc(row.label)}${row.note !== undefined ? `<small>${esc(row.note)}</small>` : ''}</th>${cells.map((c) => `<td>${esc(c ?? none)}</td>`).join('')}</tr>`)
              .join('')
          );
        })
        .join('');
      return `<div class="scroll"><table class="results"${results.length > 1 ? ` style="width:${Math.round(tableWidth)}%"` : ''}>${head}${body}</table></div>`;
    })
    .join('\n');
}

/** The three latencies of a run, with what each measures. */
const latencyKinds: readonly { readonly name: string; readonly note: string; readonly pick: (r: BenchResult) => LatencySummary | undefined }[] = [
  { name: 'ack latency', note: 'from send (closed loop) or due time (open loop) to the acknowledgement', pick: (r) => r.ackLatencyUs },
  { name: 'end-to-end latency', note: 'from send or due time to delivery to a consumer', pick: (r) => r.endToEndLatencyUs },
  { name: 'delivery after ack', note: 'from the producer seeing the acknowledgement to delivery (0 when delivered first)', pick: (r) => r.deliveryAfterAckUs },
];

/** Latency percentiles: one row per run and kind, the percentiles across. */
function latencyTable(results: readonly BenchResult[], name: (r: BenchResult) => string): string {
  const head = `<tr><th scope="col" class="figure">latency (ms)</th>${percentiles.map(([p]) => `<th scope="col" class="number">${p}</th>`).join('')}<th scope="col" class="number">samples</th></tr>`;
  const body = latencyKinds
    .map((kind) => {
      const runs = results.filter((r) => kind.pick(r) !== undefined);
      if (runs.length === 0) return '';
      const row = (r: BenchResult, label: string): string => {
        const s = kind.pick(r) as LatencySummary;
        const cells = s.count === 0 ? `<td colspan="${percentiles.length}">${none}</td>` : percentiles.map(([, of]) => `<td>${ms(of(s))}</td>`).join('');
        return `<tr><th scope="row">${label}</th>${cells}<td>${int(s.count)}</td></tr>`;
      };
      // One run: a row per kind. Several: the kind heads a group with a row per run.
      if (results.length === 1) return row(runs[0], `${esc(kind.name)}<small>${esc(kind.note)}</small>`);
      return `<tr class="group"><th colspan="${percentiles.length + 2}" scope="colgroup">${esc(kind.name)}<small>${esc(kind.note)}</small></th></tr>${runs.map((r) => row(r, esc(name(r)))).join('')}`;
    })
    .join('');
  return `<div class="scroll"><table class="latency">${head}${body}</table></div>`;
}

/** Curves of a scale suite: a bar chart and a table each. */
export function curveSection(curves: readonly CurveChart[]): string {
  return curves
    .map((c) => {
      const table = `<table class="curve"><tr><th scope="col">${esc(c.xLabel)}</th><th scope="col">${esc(c.yLabel)}</th></tr>${c.points.map((p) => `<tr><td class="text">${esc(p.x)}</td><td>${esc(p.y >= 100 ? int(p.y) : p.y.toFixed(2))}</td></tr>`).join('')}</table>`;
      return `<section>${barChart(c.title, c.xLabel, c.yLabel, c.points.map((p) => p.x), [{ name: c.yLabel, points: c.points.map((p) => p.y) }])}${table}</section>`;
    })
    .join('\n');
}

function latencyBars(title: string, results: readonly BenchResult[], name: (r: BenchResult) => string, pick: (r: BenchResult) => LatencySummary | undefined): string {
  const withSamples = results.filter((r) => (pick(r)?.count ?? 0) > 0);
  if (withSamples.length === 0) return '';
  return barChart(title, 'percentile', 'ms', percentiles.map(([p]) => p), withSamples.map((r) => ({ name: name(r), points: percentiles.map(([, of]) => of(pick(r) as LatencySummary) / 1000) })));
}

function charts(results: readonly BenchResult[], name: (r: BenchResult) => string): string {
  const measured = (r: BenchResult) => r.timeline.filter((p) => p.second > 0);
  const throughput = lineChart('Throughput over time', 'seconds since the measured phase began', 'records/s', results.map((r) => ({ name: name(r), points: measured(r).map((p) => ({ x: p.second, y: p.recordsPerSec })) })));
  const ackOverTime = lineChart(
    'Ack latency p99 over time (each second on its own)',
    'seconds since the measured phase began',
    'ms',
    results.map((r) => ({ name: name(r), points: measured(r).flatMap((p) => (p.ackP99Us === null ? [] : [{ x: p.second, y: p.ackP99Us / 1000 }])) })),
  );
  const withConsumers = results.filter((r) => r.workload.consumers > 0);
  const delivered = withConsumers.length === 0 ? '' : lineChart('Records delivered to consumers over time', 'seconds since the measured phase began', 'records/s', withConsumers.map((r) => ({ name: name(r), points: measured(r).map((p) => ({ x: p.second, y: p.deliveredPerSec })) })));
  return [
    throughput,
    ackOverTime,
    latencyBars('Ack latency percentiles', results, name, (r) => r.ackLatencyUs),
    delivered,
    latencyBars('End-to-end latency percentiles', results, name, (r) => r.endToEndLatencyUs),
    latencyBars('Delivery after ack percentiles', results, name, (r) => r.deliveryAfterAckUs),
  ].join('\n');
}

const style = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:16px 24px;max-width:1140px;color:#111;box-sizing:border-box}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px;margin:20px 0 4px}
.scroll{overflow-x:auto;margin:12px 0}
table{border-collapse:collapse}td,th{border:1px solid #e5e7eb;padding:4px 10px;vertical-align:top}
td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.text{text-align:left;white-space:normal}
th{text-align:left;font-weight:600;background:#f9fafb}th small{display:block;font-weight:400;color:#6b7280;font-size:12px;max-width:440px}
table.results th.figure{min-width:320px}table.latency th.figure{min-width:320px}th.number{text-align:right}table.results thead th,table.results tr:first-child th{background:#f3f4f6}
table.results tr.group th{background:#eef2ff;color:#1e3a8a}
table.workload th{width:180px}table.workload td{text-align:left;white-space:normal}
figure{margin:20px 0}figcaption{font-weight:600;margin-bottom:4px}
ul.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border-radius:2px}
.note{color:#374151}
`;

/**
 * A self-contained HTML report (inline SVG and CSS, no scripts or external files) that reads at
 * 1200 px: the setup, the workload as a table, every figure of the text report in a table (runs
 * side by side, four at most per table), throughput and latency over time and as percentiles on
 * labelled axes with round ticks, and the curves of a scale suite.
 */
export function renderHtmlReport(results: readonly BenchResult[], curves: readonly CurveChart[] = []): string {
  const first = results[0];
  const setup = first?.setup;
  const setupLine = setup ? `${setup.cores} cores (${setup.cpuModel}), ${(setup.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${setup.os}, node ${setup.node}${setup.odlogCommit ? `, odlog ${setup.odlogCommit}` : ''}` : '';
  const { table: workload, varying } = results.length > 0 ? workloadTable(results) : { table: '', varying: [] };
  const name = runNames(results);
  const ceiling = ceilingShares(results);
  const ceilingText =
    ceiling === undefined
      ? ''
      : `<p class="note">The generator's ceiling: the discard server (stores nothing) ran the same workload in the same run at ${esc(int(ceiling.ceiling.throughput.recordsPerSec))} records/s${ceilingNote(ceiling.ceiling, results) !== undefined ? ` (${esc(ceilingNote(ceiling.ceiling, results) as string)})` : ''}. ` +
        ceiling.shares.filter((s) => s.label !== ceiling.ceiling.target.label).map((s) => `${esc(s.label)}: ${esc(ratio(s.share))} of it`).join('; ') + '.</p>';
  const measuredDisk = results.find((r) => r.disk !== undefined);
  const diskNote = measuredDisk === undefined ? '' : `<p class="note">Disk: each system's ${esc(results.some((r) => r.target.kind === 'odlog' && r.disk !== undefined) ? 'data directory (for odlog: LMDB file plus wal/)' : directoryWords(measuredDisk))}. Bytes/record while measuring is the ${esc(growthWords(measuredDisk).replace(/^growth of the data directory(: LMDB file plus wal\/)?/, "directory's growth"))}.</p>`;
  const body = [
    `<h1>odlog bench report</h1>`,
    `<p>${esc(setupLine)}${first ? ` — started ${esc(first.startedAt)}` : ''}</p>`,
    results.length > 0 ? `<h2 id="workload">Workload</h2>${workload}` : '',
    results.length > 0 ? `<h2 id="results">Results</h2>${resultsTables(results, name, varying)}${ceilingText}${diskNote}` : '',
    results.length > 0 ? `<h2 id="latency">Latency</h2>${latencyTable(results, name)}` : '',
    results.length > 0 ? `<h2 id="charts">Over time and percentiles</h2>${charts(results, name)}` : '',
    curves.length > 0 ? `<h2 id="curves">Scale curves</h2>${curveSection(curves)}` : '',
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>odlog bench report</title><style>${style}</style></head><body>
${body.filter((b) => b !== '').join('\n')}
</body></html>
`;
}
