/**
 * Inline SVG charts for the HTML report: a line chart over a numeric x axis and grouped bars over
 * categories, both with titled axes and tick labels on round values (steps of 1, 2 or 5 times a
 * power of ten). Ticks carry their value in `data-value`, and each axis its step in `data-step`,
 * so a test can check them without reading pixels.
 */

export const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#be185d'];

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Ticks from 0 to the first round value at or above `max`: about `target` steps of 1, 2 or 5 ×
 * 10^k, and no step below `minStep` (1 for whole seconds).
 */
export function niceTicks(max: number, target = 5, minStep = 0): { readonly step: number; readonly ticks: readonly number[] } {
  if (!(max > 0) || !Number.isFinite(max)) return { step: Math.max(1, minStep), ticks: [0, Math.max(1, minStep)] };
  const raw = Math.max(max / target, minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * power;
  const count = Math.max(1, Math.ceil(max / step - 1e-9));
  // i * step, rounded to the step's decimals, so 0.1 * 3 is 0.3 and not 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toFixed(decimals)));
  return { step, ticks };
}

/** A tick label: `50k`, `1.5M`, `0.2`; the unit is chosen by the largest tick, the decimals by the step. */
export function tickLabel(value: number, step: number, largest: number): string {
  if (value === 0) return '0';
  const [unit, suffix] = largest >= 1e6 ? [1e6, 'M'] : largest >= 1e4 ? [1e3, 'k'] : [1, ''];
  const decimals = Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9));
  const scaled = value / unit;
  return `${unit === 1 && decimals === 0 ? Math.round(scaled).toLocaleString('en-US') : scaled.toFixed(decimals)}${suffix}`;
}

const width = 1080;
const height = 320;
const margin = { left: 84, right: 24, top: 16, bottom: 56 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

export interface Series<P> {
  readonly name: string;
  readonly points: readonly P[];
}

function legend(names: readonly string[]): string {
  if (names.length < 2) return '';
  return `<ul class="legend">${names.map((n, i) => `<li><span class="swatch" style="background:${palette[i % palette.length]}"></span>${esc(n)}</li>`).join('')}</ul>`;
}

function yAxis(yLabel: string, ticks: readonly number[], step: number, sy: (y: number) => number): string {
  const largest = ticks[ticks.length - 1];
  const lines = ticks
    .map((t) => {
      const y = sy(t).toFixed(1);
      return `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="${t === 0 ? '#9ca3af' : '#e5e7eb'}"/>` +
        `<text class="tick" data-value="${t}" x="${margin.left - 8}" y="${Number(y) + 4}" text-anchor="end">${esc(tickLabel(t, step, largest))}</text>`;
    })
    .join('');
  const middle = margin.top + plotHeight / 2;
  return `<g class="y-axis" data-step="${step}" font-size="12">${lines}<text class="axis-title" x="18" y="${middle}" transform="rotate(-90 18 ${middle})" text-anchor="middle">${esc(yLabel)}</text></g>`;
}

function figure(title: string, names: readonly string[], body: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption>${legend(names)}<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif">${body}</svg></figure>`;
}

/**
 * Lines of several series over a shared x axis of whole numbers (seconds, for example).
 *
 * @example
 * lineChart('Throughput', 'seconds since the measured phase began', 'records/s', [{ name: 'odlog', points: [{ x: 1, y: 5000 }] }]);
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series<{ x: number; y: number }>[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const x = niceTicks(Math.max(...all.map((p) => p.x)), 10, 1);
  const y = niceTicks(Math.max(...all.map((p) => p.y)));
  const xMax = x.ticks[x.ticks.length - 1];
  const yMax = y.ticks[y.ticks.length - 1];
  const sx = (v: number): number => margin.left + (v / xMax) * plotWidth;
  const sy = (v: number): number => margin.top + plotHeight - (v / yMax) * plotHeight;
  const xTicks = x.ticks
    .map((t) => `<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 5}" stroke="#6b7280"/><text class="tick" data-value="${t}" x="${sx(t).toFixed(1)}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${esc(tickLabel(t, x.step, xMax))}</text>`)
    .join('');
  const xAxis = `<g class="x-axis" data-step="${x.step}" font-size="12">${xTicks}<text class="axis-title" x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${esc(xLabel)}</text></g>`;
  const lines = series
    .map((s, i) => {
      const colour = palette[i % palette.length];
      const points = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      const dots = s.points.length <= 60 ? s.points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${colour}"><title>${esc(`${s.name}: ${p.y.toLocaleString('en-US', { maximumFractionDigits: 2 })} at ${p.x}`)}</title></circle>`).join('') : '';
      return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>${dots}`;
    })
    .join('');
  return figure(title, series.map((s) => s.name), `${yAxis(yLabel, y.ticks, y.step, sy)}${xAxis}${lines}`);
}

/**
 * Grouped bars: one group per category (labelled under the axis), one bar per series.
 *
 * @example
 * barChart('Ack latency', 'percentile', 'ms', ['p50', 'p99'], [{ name: 'odlog', points: [1.2, 4.5] }]);
 */
export function barChart(title: string, xLabel: string, yLabel: string, categories: readonly string[], series: readonly Series<number>[]): string {
  if (categories.length === 0 || series.length === 0) return '';
  const y = niceTicks(Math.max(0, ...series.flatMap((s) => s.points)));
  const yMax = y.ticks[y.ticks.length - 1];
  const sy = (v: number): number => margin.top + plotHeight - (v / yMax) * plotHeight;
  const groupWidth = plotWidth / categories.length;
  const barWidth = Math.min(48, (groupWidth - 16) / series.length);
  const centre = (c: number): number => margin.left + groupWidth * (c + 0.5);
  const bars = categories
    .map((category, c) => {
      const x0 = centre(c) - (barWidth * series.length) / 2;
      return series
        .map((s, i) => {
          const v = s.points[c] ?? 0;
          return `<rect x="${(x0 + i * barWidth).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barWidth - 3).toFixed(1)}" height="${(margin.top + plotHeight - sy(v)).toFixed(1)}" fill="${palette[i % palette.length]}"><title>${esc(`${s.name}, ${category}: ${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`)}</title></rect>`;
        })
        .join('');
    })
    .join('');
  const labels = categories.map((category, c) => `<text class="tick" x="${centre(c).toFixed(1)}" y="${margin.top + plotHeight + 20}" text-anchor="middle">${esc(category)}</text>`).join('');
  const xAxis = `<g class="x-axis" font-size="12">${labels}<text class="axis-title" x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${esc(xLabel)}</text></g>`;
  return figure(title, series.map((s) => s.name), `${yAxis(yLabel, y.ticks, y.step, sy)}<g class="bars">${bars}</g>${xAxis}`);
}
