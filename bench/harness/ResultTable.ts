import type { BenchResult } from './BenchResult.js';
import type { LatencySummary } from './LatencyHistogram.js';
import { int, mib, ms, none, one, plural, ratio, secs } from './ReportUnits.js';

/** What the memory figures are, as the reports say it. */
export const memoryWords = {
  anonymous: "RssAnon: heap and buffers; LMDB's map not in it",
  fileMapped: "RssFile+RssShmem: LMDB's mapped data file, and code",
  total: 'VmHWM: both',
};

/** What the data directory holds, as the reports say it. */
export function directoryWords(r: BenchResult): string {
  return r.target.kind === 'odlog' ? 'data directory: LMDB file plus wal/' : 'data directory';
}

/** How the disk growth per record of the measured phase is worked out, as the reports say it. */
export function growthWords(r: BenchResult): string {
  return `growth of the ${directoryWords(r)}, from the start to the end of the measured phase, over the records acknowledged in it`;
}

function latencyRow(name: string, s: LatencySummary | undefined): string {
  if (s === undefined || s.count === 0) return `${name.padEnd(22)} ${none}`;
  return `${name.padEnd(22)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)} ms  (${plural(s.count, 'sample')})`;
}

/** The workload in one line, as the text report starts with it. */
export function workloadLine(r: BenchResult): string {
  const w = r.workload;
  return (
    `${plural(w.producers, 'producer')} x ${plural(w.connections, 'connection')}, ${w.rate !== undefined ? `open loop ${int(w.rate)} records/s` : `closed loop, ${w.inFlight} in flight`}, ` +
    `${int(w.batchRecords)} records/batch, ${plural(w.keys, 'key')} (${w.keyDistribution}${w.batchKeys === 'one' ? ', one key per batch' : ''}), ${int(w.valueBytes)} B values, ${w.durability}, ${plural(w.consumers, 'consumer')}`
  );
}

/** The result as the table printed at the end of a run. */
export function formatResult(r: BenchResult): string {
  const w = r.workload;
  const lines = [
    `== ${r.target.label} ==`,
    `setup: ${r.setup.cores} cores (${r.setup.cpuModel}), ${(r.setup.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${r.setup.os}, node ${r.setup.node}${r.setup.odlogCommit ? `, odlog ${r.setup.odlogCommit}` : ''}`,
    `workload: ${workloadLine(r)}`,
  ];
  const p = r.prefill;
  if (p !== undefined) {
    const k = p.keyCreation;
    lines.push(
      `key creation: ${plural(k.keys, 'key')} written for the first time in ${secs(k.seconds)} s, ${int(k.keysPerSec)} keys/s` +
        (k.bytesPerKey !== undefined && k.diskGrowthBytes !== undefined ? `, ${int(k.diskGrowthBytes)} bytes on disk, ${one(k.bytesPerKey)} bytes/key` : ''),
      `prefill: ${plural(p.rounds, 'round')} (every key written once per round, seeded random order); rounds 2-${p.rounds}: ${plural(p.fillRecords, 'record')} in ${secs(p.fillSeconds)} s. ` +
        `The measured phase below is the steady state: every key holds ${p.rounds} records or more.`,
    );
  }
  lines.push(
    `throughput: ${int(r.throughput.recordsPerSec)} records/s, ${r.throughput.mbPerSec.toFixed(1)} MB/s (${plural(r.throughput.records, 'record')} in ${secs(r.throughput.seconds)} s)`,
    latencyRow('ack latency', r.ackLatencyUs),
    latencyRow('end-to-end latency', r.endToEndLatencyUs),
    latencyRow('delivery after ack', r.deliveryAfterAckUs),
  );
  if (w.consumers > 0) lines.push(`delivered: ${plural(r.deliveredRecords, 'record')} in the measured phase${w.consumers > 1 ? ` (to ${plural(w.consumers, 'consumer')} together)` : ''}`);
  const errors = Object.entries(r.errors);
  lines.push(`errors: ${errors.length === 0 ? 'none' : errors.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  const b = r.broker;
  if (b !== undefined) {
    lines.push(
      `broker CPU: ${secs(b.cpuSeconds)} s in the measured phase (${b.cpuPercent.toFixed(0)}% of one core)`,
      `broker memory, peak: anonymous ${mib(b.anonymousPeakBytes)} MiB (${memoryWords.anonymous}), ` +
        `file-mapped ${mib(b.fileMappedPeakBytes)} MiB (${memoryWords.fileMapped}), total RSS ${mib(b.peakRssBytes)} MiB (${memoryWords.total})`,
    );
  }
  const d = r.disk;
  if (d !== undefined) {
    lines.push(
      `disk: ${int(d.bytes)} bytes at the end (${directoryWords(r)}${d.walBytes > 0 ? `; wal/ ${int(d.walBytes)} bytes of it` : ''}), ${one(d.bytesPerRecord)} bytes/record over all ${plural(d.records, 'record')} written`,
      `disk growth while measuring: ${int(d.measuredGrowthBytes)} bytes for ${plural(d.measuredRecords, 'record')}, ` +
        `${d.measuredBytesPerRecord !== undefined ? one(d.measuredBytesPerRecord) : none} bytes/record (${growthWords(r)})`,
    );
  }
  return lines.join('\n');
}

/** A run's records/s over the discard server's in the same run: the share of the generator's ceiling it reached. */
export interface CeilingShare {
  readonly label: string;
  readonly recordsPerSec: number;
  readonly share: number;
}

/**
 * Each run's records/s as a share of the discard run's (the generator's ceiling for the same
 * workload), or undefined when there is no discard run among `results`.
 */
export function ceilingShares(results: readonly BenchResult[]): { ceiling: BenchResult; shares: CeilingShare[] } | undefined {
  const ceiling = results.find((r) => r.target.kind === 'discard');
  if (ceiling === undefined || ceiling.throughput.recordsPerSec <= 0) return undefined;
  const shares = results.map((r) => ({ label: r.target.label, recordsPerSec: r.throughput.recordsPerSec, share: r.throughput.recordsPerSec / ceiling.throughput.recordsPerSec }));
  return { ceiling, shares };
}

/** Why a ceiling run may differ from the others' workload: the discard server serves no subscriptions. */
export function ceilingNote(ceiling: BenchResult, results: readonly BenchResult[]): string | undefined {
  const consumers = Math.max(...results.map((r) => r.workload.consumers));
  return ceiling.workload.consumers === 0 && consumers > 0 ? `producers only: the discard server serves no subscriptions, the others ran ${plural(consumers, 'consumer')}` : undefined;
}

/** The share of the generator's ceiling each system reached, as printed after a `--peers` run. */
export function formatCeiling(results: readonly BenchResult[]): string | undefined {
  const found = ceilingShares(results);
  if (found === undefined) return undefined;
  const note = ceilingNote(found.ceiling, results);
  const rate = found.ceiling.workload.rate;
  return [
    `== against the generator's ceiling: the discard server (stores nothing), same workload, this run${note !== undefined ? `; ${note}` : ''} ==`,
    ...(rate !== undefined ? [`(open loop at ${int(rate)} records/s: 1.00x means a system kept up with the offered rate)`] : []),
    ...found.shares.map((s) => `${int(s.recordsPerSec).padStart(12)} records/s  ${ratio(s.share).padStart(6)}  ${s.label}`),
  ].join('\n');
}

/** A percentile in ms, or undefined when the summary has no sample. */
const percentileMs = (s: LatencySummary | undefined, p: 'p50' | 'p99'): number | undefined => (s !== undefined && s.count > 0 ? s[p] / 1000 : undefined);

/** B relative to A for the headline figures (`—` where either has no sample). */
export function formatComparison(a: BenchResult, b: BenchResult): string {
  const cell = (v: number | undefined): string => (v === undefined ? none : v.toFixed(2)).padStart(14);
  const ratioCell = (x: number | undefined, y: number | undefined): string => (x !== undefined && y !== undefined && x > 0 ? ratio(y / x) : none);
  const rows: [string, number | undefined, number | undefined, string][] = [
    ['records/s', a.throughput.recordsPerSec, b.throughput.recordsPerSec, 'higher is better'],
    ['MB/s', a.throughput.mbPerSec, b.throughput.mbPerSec, 'higher is better'],
    ['ack p50 (ms)', percentileMs(a.ackLatencyUs, 'p50'), percentileMs(b.ackLatencyUs, 'p50'), 'lower is better'],
    ['ack p99 (ms)', percentileMs(a.ackLatencyUs, 'p99'), percentileMs(b.ackLatencyUs, 'p99'), 'lower is better'],
  ];
  if (a.endToEndLatencyUs !== undefined || b.endToEndLatencyUs !== undefined) rows.push(['e2e p99 (ms)', percentileMs(a.endToEndLatencyUs, 'p99'), percentileMs(b.endToEndLatencyUs, 'p99'), 'lower is better']);
  const lines = [`A = ${a.target.label} (${a.startedAt})`, `B = ${b.target.label} (${b.startedAt})`, `${'figure'.padEnd(14)} ${'A'.padStart(14)} ${'B'.padStart(14)}   B/A`];
  for (const [name, x, y, note] of rows) lines.push(`${name.padEnd(14)} ${cell(x)} ${cell(y)}   ${ratioCell(x, y)}  (${note})`);
  return lines.join('\n');
}
