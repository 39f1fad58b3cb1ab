import type { TargetKind } from './BenchOptions.js';
import type { BenchResult } from './BenchResult.js';
import { int, ms, none, ratio } from './ReportUnits.js';

/**
 * Medians over repeated rounds (`--repeat N`). On a shared machine one run can be off by 2x
 * either way (a neighbour's disk flush, a slow fsync), so a claim is made from several rounds,
 * each running every target back to back. Ratios are taken within a round first and their
 * median reported: a round where the whole machine was slow then cancels out, which the ratio of
 * two medians taken over different moments would not.
 */

/** The median of `values` (the mean of the middle two for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Broker CPU per acknowledged record (µs), or undefined when the broker was not sampled. */
export function brokerCpuUsPerRecord(r: BenchResult): number | undefined {
  return r.broker !== undefined && r.throughput.records > 0 ? (r.broker.cpuSeconds * 1e6) / r.throughput.records : undefined;
}

const ackUs = (r: BenchResult, p: 'p50' | 'p99'): number | undefined => (r.ackLatencyUs.count > 0 ? r.ackLatencyUs[p] : undefined);

/** One target's figures, round by round (undefined where it did not run or had no sample). */
interface TargetRounds {
  readonly kind: TargetKind;
  readonly label: string;
  /** The label up to its parenthesis (`redis-server 7.0.15`): the tables' row names. */
  readonly name: string;
  readonly results: readonly (BenchResult | undefined)[];
}

function byTarget(rounds: readonly (readonly BenchResult[])[]): TargetRounds[] {
  const kinds: TargetKind[] = [];
  for (const round of rounds) for (const r of round) if (!kinds.includes(r.target.kind)) kinds.push(r.target.kind);
  return kinds.map((kind) => {
    const results = rounds.map((round) => round.find((r) => r.target.kind === kind));
    const label = (results.find((r) => r !== undefined) as BenchResult).target.label;
    const cut = label.indexOf(' (');
    return { kind, label, name: cut > 0 ? label.slice(0, cut) : label, results };
  });
}

/** Per-round values of `figure`, skipping rounds without one. */
function perRound(results: readonly (BenchResult | undefined)[], figure: (r: BenchResult) => number | undefined): number[] {
  const values: number[] = [];
  for (const r of results) {
    const v = r === undefined ? undefined : figure(r);
    if (v !== undefined && Number.isFinite(v)) values.push(v);
  }
  return values;
}

/** Per-round ratios b/a of `figure`, over the rounds where both ran and a's figure is positive. */
function perRoundRatios(a: TargetRounds, b: TargetRounds, figure: (r: BenchResult) => number | undefined): number[] {
  const ratios: number[] = [];
  a.results.forEach((ra, i) => {
    const rb = b.results[i];
    const x = ra === undefined ? undefined : figure(ra);
    const y = rb === undefined ? undefined : figure(rb);
    if (x !== undefined && y !== undefined && x > 0) ratios.push(y / x);
  });
  return ratios;
}

const cell = (v: number | undefined, format: (n: number) => string, width: number): string => (v === undefined ? none : format(v)).padStart(width);
const ratioList = (values: readonly number[]): string => (values.length === 0 ? none : `${values.map(ratio).join(' ')} -> median ${ratio(median(values) as number)}`);

/**
 * The report printed after `--repeat N` rounds: each target's median figures (throughput with its
 * range), then odlog against each peer and every system against the discard server's ceiling,
 * as per-round ratios and their median.
 *
 * @example
 * console.log(formatRoundMedians([[discard1, odlog1, redis1], [discard2, odlog2, redis2], [discard3, odlog3, redis3]]));
 */
export function formatRoundMedians(rounds: readonly (readonly BenchResult[])[]): string {
  const targets = byTarget(rounds);
  const labelWidth = Math.max(16, ...targets.map((t) => t.name.length)) + 2;
  const lines = [
    `== medians over ${rounds.length} rounds (every target run once per round, in turn) ==`,
    ...targets.filter((t) => t.name !== t.label).map((t) => `${t.name}: ${t.label}`),
    `${'target'.padEnd(labelWidth)}${'records/s'.padStart(12)}  ${'(lowest-highest)'.padEnd(20)}${'ack p50 ms'.padStart(11)}${'ack p99 ms'.padStart(11)}${'broker CPU µs/record'.padStart(22)}`,
  ];
  for (const t of targets) {
    const rates = perRound(t.results, (r) => r.throughput.recordsPerSec);
    const range = rates.length === 0 ? none : `(${int(Math.min(...rates))}-${int(Math.max(...rates))})`;
    lines.push(
      `${t.name.padEnd(labelWidth)}${cell(median(rates), int, 12)}  ${range.padEnd(20)}` +
        `${cell(median(perRound(t.results, (r) => ackUs(r, 'p50'))), ms, 11)}${cell(median(perRound(t.results, (r) => ackUs(r, 'p99'))), ms, 11)}` +
        `${cell(median(perRound(t.results, brokerCpuUsPerRecord)), (n) => n.toFixed(n < 10 ? 2 : 1), 22)}`,
    );
  }
  const odlog = targets.find((t) => t.kind === 'odlog');
  const peers = targets.filter((t) => t.kind !== 'odlog' && t.kind !== 'discard');
  if (odlog !== undefined) {
    for (const peer of peers) {
      lines.push(
        '',
        `${odlog.name} / ${peer.name}, round by round:`,
        `  records/s     ${ratioList(perRoundRatios(peer, odlog, (r) => r.throughput.recordsPerSec))}  (higher is better)`,
        `  ack p50       ${ratioList(perRoundRatios(peer, odlog, (r) => ackUs(r, 'p50')))}  (lower is better)`,
        `  ack p99       ${ratioList(perRoundRatios(peer, odlog, (r) => ackUs(r, 'p99')))}  (lower is better)`,
      );
    }
  }
  const discard = targets.find((t) => t.kind === 'discard');
  if (discard !== undefined) {
    lines.push('', "share of the generator's ceiling (the discard server's records/s in the same round), round by round:");
    for (const t of targets.filter((x) => x !== discard)) lines.push(`  ${t.name}: ${ratioList(perRoundRatios(discard, t, (r) => r.throughput.recordsPerSec))}`);
  }
  return lines.join('\n');
}
