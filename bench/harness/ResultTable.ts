import type { BenchResult } from './BenchResult.js';
import type { LatencySummary } from './LatencyHistogram.js';

const ms = (us: number): string => (us / 1000).toFixed(us < 10_000 ? 2 : 1);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function latencyRow(name: string, s: LatencySummary | undefined): string {
  if (s === undefined || s.count === 0) return `${name.padEnd(22)} -`;
  return `${name.padEnd(22)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)} ms  (${int(s.count)} samples)`;
}

/** The result as the table printed at the end of a run. */
export function formatResult(r: BenchResult): string {
  const w = r.workload;
  const lines = [
    `== ${r.target.label} ==`,
    `setup: ${r.setup.cores} cores (${r.setup.cpuModel}), ${(r.setup.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${r.setup.os}, node ${r.setup.node}${r.setup.odlogCommit ? `, odlog ${r.setup.odlogCommit}` : ''}`,
    `workload: ${w.producers} producers x ${w.connections} connections, ${w.rate !== undefined ? `open loop ${int(w.rate)} records/s` : `closed loop, ${w.inFlight} in flight`}, ` +
      `${w.batchRecords} records/batch, ${w.keys} keys (${w.keyDistribution}), ${w.valueBytes} B values, ${w.durability}, ${w.consumers} consumers`,
    `throughput: ${int(r.throughput.recordsPerSec)} records/s, ${r.throughput.mbPerSec.toFixed(1)} MB/s (${int(r.throughput.records)} records in ${r.throughput.seconds.toFixed(1)} s)`,
    latencyRow('ack latency', r.ackLatencyUs),
    latencyRow('end-to-end latency', r.endToEndLatencyUs),
    latencyRow('delivery after ack', r.deliveryAfterAckUs),
  ];
  if (w.consumers > 0) lines.push(`delivered: ${int(r.deliveredRecords)} records`);
  const errors = Object.entries(r.errors);
  lines.push(`errors: ${errors.length === 0 ? 'none' : errors.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  if (r.broker) lines.push(`broker: ${r.broker.cpuSeconds.toFixed(1)} CPU s (${r.broker.cpuPercent.toFixed(0)}% of one core), peak RSS ${(r.broker.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  if (r.disk) lines.push(`disk: ${int(r.disk.bytes)} bytes, ${r.disk.bytesPerRecord.toFixed(1)} bytes/record`);
  return lines.join('\n');
}

/** B relative to A for the headline figures. */
export function formatComparison(a: BenchResult, b: BenchResult): string {
  const ratio = (x: number, y: number): string => (x > 0 ? `${(y / x).toFixed(2)}x` : '-');
  const rows: [string, number, number, string][] = [
    ['records/s', a.throughput.recordsPerSec, b.throughput.recordsPerSec, 'higher is better'],
    ['MB/s', a.throughput.mbPerSec, b.throughput.mbPerSec, 'higher is better'],
    ['ack p50 (ms)', a.ackLatencyUs.p50 / 1000, b.ackLatencyUs.p50 / 1000, 'lower is better'],
    ['ack p99 (ms)', a.ackLatencyUs.p99 / 1000, b.ackLatencyUs.p99 / 1000, 'lower is better'],
  ];
  if (a.endToEndLatencyUs && b.endToEndLatencyUs) rows.push(['e2e p99 (ms)', a.endToEndLatencyUs.p99 / 1000, b.endToEndLatencyUs.p99 / 1000, 'lower is better']);
  const lines = [`A = ${a.target.label} (${a.startedAt})`, `B = ${b.target.label} (${b.startedAt})`, `${'figure'.padEnd(14)} ${'A'.padStart(14)} ${'B'.padStart(14)}   B/A`];
  for (const [name, x, y, note] of rows) lines.push(`${name.padEnd(14)} ${x.toFixed(2).padStart(14)} ${y.toFixed(2).padStart(14)}   ${ratio(x, y)}  (${note})`);
  return lines.join('\n');
}
