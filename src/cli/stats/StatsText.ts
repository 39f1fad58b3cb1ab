import type { StatsResponse } from '../../protocol/messages/stats.js';
import { bytes, count, duration, plural } from './HumanUnits.js';

/**
 * `odlog stats` as text: one figure per line with a readable name and its unit.
 *
 * @example
 * statsText(await client.stats()); // 'broker              odlog 0.1.0, up 3 min 20 s\n…'
 */
export function statsText(s: StatsResponse): string {
  const rows: [string, string][] = [
    ['broker', `odlog ${s.brokerVersion}, up ${duration(s.uptimeMs)}`],
    ['connections', count(s.connections)],
    ['subscriptions', count(s.subscriptions)],
    ['requests', `${count(s.requestsTotal)} (${plural(s.errorsTotal, 'error')}, ${plural(s.authFailuresTotal, 'auth failure')})`],
    ['append rate', `${count(s.appendRecordsPerSec)} records/s (last 10 s)`],
    ['delivery rate', `${count(s.deliverRecordsPerSec)} records/s (last 10 s)`],
    ['appended', `${plural(s.appendedRecordsTotal, 'record')}, ${bytes(s.appendedBytesTotal)} since start`],
    ['delivered', `${plural(s.deliveredRecordsTotal, 'record')} since start`],
    ['write queue', `${plural(s.queuedBatches, 'batch')}, ${bytes(s.queuedBytes)}; ${plural(s.commitsInFlight, 'commit')} in flight`],
    ['committed sequence', `${s.committedSequence} (durable up to ${s.durableSequence})`],
    ['stored', `${plural(s.storedRecords, 'record')}, ${bytes(s.storedBytes)} in ${plural(s.segments, 'segment')}`],
    ['data file', bytes(s.dataFileBytes)],
    ['memory (RSS)', bytes(s.rssBytes)],
  ];
  for (const c of s.cursors) rows.push([`cursor ${c.name}`, `at sequence ${c.sequence}, ${c.lagIsLowerBound ? 'at least ' : ''}${plural(c.lagRecords, 'record')} behind`]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return rows.map(([name, value]) => `${name.padEnd(width)}${value}`).join('\n') + '\n';
}
