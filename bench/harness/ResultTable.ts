import type { BenchResult } from './BenchResult.js';
import type { LatencySummary } from './LatencyHistogram.js';

const ms = (us: number): string => (us / 1000).toFixed(us < 10_000 ? 2 : 1);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
/** `1 consumer`, `2 consumers`. */
const plural = (n: number, noun: string): string => `${int(n)} ${Math.round(n) === 1 ? noun : `${noun}s`}`;
/** Shown where a figure has no sample. */
const none = '—';

function latencyRow(name: string, s: LatencySummary | undefined): string {
  if (s === undefined || s.count === 0) return `${name.padEnd(22)} ${none}`;
  return `${name.padEnd(22)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)} ms  (${plural(s.count, 'sample')})`;
}

/** The result as the table printed at the end of a run. */
export function formatResult(r: BenchResult): string {
  const w = r.workload;
  const lines = [
    `== ${r.target.label} ==`,
    `setup: ${r.setup.cores} cores (${r.setup.cpuModel}), ${(r.setup.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${r.setup.os}, node ${r.setup.node}${r.setup.odlogCommit ? `, odlog ${r.setup.odlogCommit}` : ''}`,
    `workload: ${plural(w.producers, 'producer')} x ${plural(w.connections, 'connection')}, ${w.rate !== undefined ? `open loop ${int(w.rate)} records/s` : `closed loop, ${w.inFlight} in flight`}, ` +
      `${w.batchRecords} records/batch, ${plural(w.keys, 'key')} (${w.keyDistribution}), ${w.valueBytes} B values, ${w.durability}, ${plural(w.consumers, 'consumer')}`,
    `throughput: ${int(r.throughput.recordsPerSec)} records/s, ${r.throughput.mbPerSec.toFixed(1)} MB/s (${plural(r.throughput.records, 'record')} in ${r.throughput.seconds.toFixed(1)} s)`,
    latencyRow('ack latency', r.ackLatencyUs),
    latencyRow('end-to-end latency', r.endToEndLatencyUs),
    latencyRow('delivery after ack', r.deliveryAfterAckUs),
  ];
  if (w.consumers > 0) lines.push(`delivered: ${plural(r.deliveredRecords, 'record')} in the measured phase${w.consumers > 1 ? ` (to ${plural(w.consumers, 'consumer')} together)` : ''}`);
  const errors = Object.entries(r.errors);
  lines.push(`errors: ${errors.length === 0 ? 'none' : errors.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  if (r.broker) lines.push(`broker: ${r.broker.cpuSeconds.toFixed(1)} CPU s (${r.broker.cpuPercent.toFixed(0)}% of one core), peak RSS ${(r.broker.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  if (r.disk) lines.push(`disk: ${int(r.disk.bytes)} bytes, ${r.disk.bytesPerRecord.toFixed(1)} bytes/record`);
  return lines.join('\n');
}

/** A percentile in ms, or undefined when the summary has no sample. */
const percentileMs = (s: LatencySummary | undefined, p: 'p50' | 'p99'): number | undefined => (s !== undefined && s.count > 0 ? s[p] / 1000 : undefined);

/** B relative to A for the headline figures (`—` where either has no sample). */
export function formatComparison(a: BenchResult, b: BenchResult): string {
  const cell = (v: number | undefined): string => (v === undefined ? none : v.toFixed(2)).padStart(14);
  const ratio = (x: number | undefined, y: number | undefined): string => (x !== undefined && y !== undefined && x > 0 ? `${(y / x).toFixed(2)}x` : none);
  const rows: [string, number | undefined, number | undefined, string][] = [
    ['records/s', a.throughput.recordsPerSec, b.throughput.recordsPerSec, 'higher is better'],
    ['MB/s', a.throughput.mbPerSec, b.throughput.mbPerSec, 'higher is better'],
    ['ack p50 (ms)', percentileMs(a.ackLatencyUs, 'p50'), percentileMs(b.ackLatencyUs, 'p50'), 'lower is better'],
    ['ack p99 (ms)', percentileMs(a.ackLatencyUs, 'p99'), percentileMs(b.ackLatencyUs, 'p99'), 'lower is better'],
  ];
  if (a.endToEndLatencyUs !== undefined || b.endToEndLatencyUs !== undefined) rows.push(['e2e p99 (ms)', percentileMs(a.endToEndLatencyUs, 'p99'), percentileMs(b.endToEndLatencyUs, 'p99'), 'lower is better']);
  const lines = [`A = ${a.target.label} (${a.startedAt})`, `B = ${b.target.label} (${b.startedAt})`, `${'figure'.padEnd(14)} ${'A'.padStart(14)} ${'B'.padStart(14)}   B/A`];
  for (const [name, x, y, note] of rows) lines.push(`${name.padEnd(14)} ${cell(x)} ${cell(y)}   ${ratio(x, y)}  (${note})`);
  return lines.join('\n');
}
