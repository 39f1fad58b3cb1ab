import type { StatsResponse } from '../../protocol/messages/stats.js';
import { bytes, count } from './HumanUnits.js';

const columns: [string, number][] = [
  ['time', 8],
  ['conns', 6],
  ['subs', 6],
  ['append/s', 10],
  ['deliver/s', 10],
  ['records', 13],
  ['stored', 10],
  ['data file', 10],
  ['RSS', 10],
];
/** Rows between repeated headers (as redis-cli --stat). */
const headerEveryRows = 20;

/**
 * `odlog stats --watch`: one row per sample, like `redis-cli --stat`, with rates from the change
 * of the broker's totals since the previous sample (its own 10 s rates for the first) and each
 * cursor's lag at the end.
 */
export class StatsWatch {
  private previous: { stats: StatsResponse; atMs: number } | undefined;
  private rows = 0;

  /** The lines to print for this sample (a header first, and every 20 rows). */
  row(s: StatsResponse, atMs: number): string {
    const before = this.previous;
    this.previous = { stats: s, atMs };
    const seconds = before !== undefined ? (atMs - before.atMs) / 1000 : 0;
    const appendRate = before !== undefined && seconds > 0 ? Math.max(0, s.appendedRecordsTotal - before.stats.appendedRecordsTotal) / seconds : s.appendRecordsPerSec;
    const deliverRate = before !== undefined && seconds > 0 ? Math.max(0, s.deliveredRecordsTotal - before.stats.deliveredRecordsTotal) / seconds : s.deliverRecordsPerSec;
    const cells = [
      new Date(atMs).toTimeString().slice(0, 8),
      count(s.connections),
      count(s.subscriptions),
      count(appendRate),
      count(deliverRate),
      count(s.storedRecords),
      bytes(s.storedBytes),
      bytes(s.dataFileBytes),
      bytes(s.rssBytes),
    ];
    let line = cells.map((c, i) => (i === 0 ? c.padEnd(columns[i][1]) : c.padStart(columns[i][1]))).join(' ');
    if (s.cursors.length > 0) line += '  lag ' + s.cursors.map((c) => `${c.name}=${c.lagIsLowerBound ? '>=' : ''}${count(c.lagRecords)}`).join(' ');
    const header = this.rows++ % headerEveryRows === 0 ? columns.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join(' ') + '\n' : '';
    return `${header}${line}\n`;
  }
}
