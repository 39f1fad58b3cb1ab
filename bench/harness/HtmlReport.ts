import type { BenchResult } from './BenchResult.js';
import type { LatencySummary } from './LatencyHistogram.js';

/** A curve of a scale suite: x values with one y per series. */
export interface CurveChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly { readonly x: string; readonly y: number }[];
}

const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  return v >= 10 ? v.toFixed(0) : v.toFixed(2);
}

/** An SVG line chart of several series over shared x values. */
function lineChart(title: string, yLabel: string, series: { name: string; points: { x: number; y: number }[] }[]): string {
  const w = 720;
  const h = 260;
  const left = 64;
  const bottom = 36;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(xMin + 1, ...all.map((p) => p.x));
  const yMax = niceMax(Math.max(...all.map((p) => p.y)));
  const sx = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * (w - left - 16);
  const sy = (y: number): number => h - bottom - (y / yMax) * (h - bottom - 24);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${w - 16}" y1="${sy(f * yMax)}" y2="${sy(f * yMax)}" stroke="#e5e7eb"/><text x="${left - 6}" y="${sy(f * yMax) + 4}" text-anchor="end" font-size="11">${fmt(f * yMax)}</text>`)
    .join('');
  const lines = series
    .map((s, i) => `<polyline fill="none" stroke="${palette[i % palette.length]}" stroke-width="2" points="${s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${left + 8 + i * 180}" y="16" font-size="12" fill="${palette[i % palette.length]}">■ ${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img">${grid}${lines}${legend}
<text x="${(w + left) / 2}" y="${h - 6}" text-anchor="middle" font-size="11">seconds</text><text x="14" y="${h / 2}" transform="rotate(-90 14 ${h / 2})" text-anchor="middle" font-size="11">${esc(yLabel)}</text></svg></figure>`;
}

/** Grouped bars: one group per category, one bar per series. */
function barChart(title: string, yLabel: string, categories: string[], series: { name: string; values: number[] }[]): string {
  const w = 720;
  const h = 260;
  const left = 64;
  const bottom = 40;
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const groupW = (w - left - 16) / Math.max(1, categories.length);
  const barW = Math.max(4, (groupW - 12) / Math.max(1, series.length));
  const sy = (y: number): number => h - bottom - (y / yMax) * (h - bottom - 24);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${w - 16}" y1="${sy(f * yMax)}" y2="${sy(f * yMax)}" stroke="#e5e7eb"/><text x="${left - 6}" y="${sy(f * yMax) + 4}" text-anchor="end" font-size="11">${fmt(f * yMax)}</text>`)
    .join('');
  const bars = categories
    .map((c, ci) => {
      const x0 = left + ci * groupW + 6;
      const rects = series
        .map((s, si) => {
          const v = s.values[ci] ?? 0;
          return `<rect x="${(x0 + si * barW).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(h - bottom - sy(v)).toFixed(1)}" fill="${palette[si % palette.length]}"><title>${esc(s.name)} ${esc(c)}: ${fmt(v)}</title></rect>`;
        })
        .join('');
      return `${rects}<text x="${(x0 + (groupW - 12) / 2).toFixed(1)}" y="${h - bottom + 16}" text-anchor="middle" font-size="11">${esc(c)}</text>`;
    })
    .join('');
  const legend = series.map((s, i) => `<text x="${left + 8 + i * 180}" y="16" font-size="12" fill="${palette[i % palette.length]}">■ ${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img">${grid}${bars}${legend}
<text x="14" y="${h / 2}" transform="rotate(-90 14 ${h / 2})" text-anchor="middle" font-size="11">${esc(yLabel)}</text></svg></figure>`;
}

function latencyCells(s: LatencySummary | undefined): string {
  if (s === undefined || s.count === 0) return '<td colspan="6">—</td>';
  return [s.p50, s.p90, s.p99, s.p999, s.max].map((v) => `<td>${(v / 1000).toFixed(2)}</td>`).join('') + `<td>${s.count.toLocaleString('en-US')}</td>`;
}

/** Curves of a scale suite, one bar chart each. */
export function curveSection(curves: readonly CurveChart[]): string {
  return curves
    .map((c) => {
      const table = `<table><tr><th>${esc(c.xLabel)}</th><th>${esc(c.yLabel)}</th></tr>${c.points.map((p) => `<tr><td>${esc(p.x)}</td><td>${fmt(p.y)}</td></tr>`).join('')}</table>`;
      return `<h2>${esc(c.title)}</h2>${barChart(c.title, c.yLabel, c.points.map((p) => p.x), [{ name: c.yLabel, values: c.points.map((p) => p.y) }])}${table}`;
    })
    .join('\n');
}

/**
 * A self-contained HTML report (inline SVG and CSS, no scripts or external files): setup,
 * a summary table, throughput and ack latency over time, and latency percentiles per run.
 */
export function renderHtmlReport(results: readonly BenchResult[], curves: readonly CurveChart[] = []): string {
  const first = results[0];
  const setup = first?.setup;
  const rows = results
    .map(
      (r) =>
        `<tr><td>${esc(r.target.label)}</td><td>${Math.round(r.throughput.recordsPerSec).toLocaleString('en-US')}</td><td>${r.throughput.mbPerSec.toFixed(1)}</td>${latencyCells(r.ackLatencyUs)}${latencyCells(r.endToEndLatencyUs)}` +
        `<td>${Object.entries(r.errors).map(([c, n]) => `${esc(c)} ${n}`).join(', ') || 'none'}</td><td>${r.broker ? `${r.broker.cpuPercent.toFixed(0)}% / ${(r.broker.peakRssBytes / 2 ** 20).toFixed(0)} MiB` : '-'}</td><td>${r.disk ? r.disk.bytesPerRecord.toFixed(1) : '-'}</td></tr>`,
    )
    .join('');
  const workloads = results
    .map((r) => `<li><b>${esc(r.target.label)}</b>: <code>${esc(JSON.stringify(r.workload))}</code></li>`)
    .join('');
  const throughput = lineChart('Throughput over time (measured phase)', 'records/s', results.map((r) => ({ name: r.target.label, points: r.timeline.filter((p) => p.second > 0).map((p) => ({ x: p.second, y: p.recordsPerSec })) })));
  const ackOverTime = lineChart('Ack latency p99 over time', 'ms', results.map((r) => ({ name: r.target.label, points: r.timeline.filter((p) => p.second > 0 && p.ackP99Us !== null).map((p) => ({ x: p.second, y: (p.ackP99Us as number) / 1000 })) })));
  const percentiles = barChart('Ack latency percentiles', 'ms', ['p50', 'p90', 'p99', 'p99.9', 'max'], results.map((r) => ({ name: r.target.label, values: [r.ackLatencyUs.p50, r.ackLatencyUs.p90, r.ackLatencyUs.p99, r.ackLatencyUs.p999, r.ackLatencyUs.max].map((v) => v / 1000) })));
  const withConsumers = results.filter((r) => r.endToEndLatencyUs !== undefined && r.endToEndLatencyUs.count > 0);
  const e2e = withConsumers.length === 0 ? '' : barChart('End-to-end latency percentiles', 'ms', ['p50', 'p90', 'p99', 'p99.9', 'max'], withConsumers.map((r) => {
    const s = r.endToEndLatencyUs as LatencySummary;
    return { name: r.target.label, values: [s.p50, s.p90, s.p99, s.p999, s.max].map((v) => v / 1000) };
  }));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>odlog bench report</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:980px;color:#111}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f3f4f6}td:first-child{text-align:left}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}code{font-size:12px}</style></head><body>
<h1>odlog bench report</h1>
<p>${setup ? esc(`${setup.cores} cores (${setup.cpuModel}), ${(setup.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${setup.os}, node ${setup.node}${setup.odlogCommit ? `, odlog ${setup.odlogCommit}` : ''}`) : ''}${first ? ` — ${esc(first.startedAt)}` : ''}</p>
<table><tr><th>target</th><th>records/s</th><th>MB/s</th><th colspan="6">ack latency ms (p50 p90 p99 p99.9 max, samples)</th><th colspan="6">end-to-end ms (p50 p90 p99 p99.9 max, samples)</th><th>errors</th><th>broker CPU / peak RSS</th><th>disk B/record</th></tr>${rows}</table>
<ul>${workloads}</ul>
${throughput}${ackOverTime}${percentiles}${e2e}
${curveSection(curves)}
</body></html>
`;
}
