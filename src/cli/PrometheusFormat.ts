import type { StatsResponse } from '../protocol/messages/stats.js';

type Metric = { name: string; help: string; type: 'counter' | 'gauge'; value: number };

/** Broker stats as Prometheus text exposition (format 0.0.4). */
export function toPrometheus(s: StatsResponse): string {
  const metrics: Metric[] = [
    { name: 'odlog_uptime_seconds', help: 'Seconds since the broker started', type: 'gauge', value: s.uptimeMs / 1000 },
    { name: 'odlog_connections', help: 'Open client connections', type: 'gauge', value: s.connections },
    { name: 'odlog_subscriptions', help: 'Active subscriptions', type: 'gauge', value: s.subscriptions },
    { name: 'odlog_requests_total', help: 'Requests received', type: 'counter', value: s.requestsTotal },
    { name: 'odlog_appended_records_total', help: 'Records appended', type: 'counter', value: s.appendedRecordsTotal },
    { name: 'odlog_appended_bytes_total', help: 'Key and value bytes appended', type: 'counter', value: s.appendedBytesTotal },
    { name: 'odlog_delivered_records_total', help: 'Records pushed to subscriptions', type: 'counter', value: s.deliveredRecordsTotal },
    { name: 'odlog_append_records_per_second', help: 'Append rate over the last 10 s', type: 'gauge', value: s.appendRecordsPerSec },
    { name: 'odlog_deliver_records_per_second', help: 'Delivery rate over the last 10 s', type: 'gauge', value: s.deliverRecordsPerSec },
    { name: 'odlog_errors_total', help: 'Requests answered with an error', type: 'counter', value: s.errorsTotal },
    { name: 'odlog_auth_failures_total', help: 'Hello requests with a missing or unknown token', type: 'counter', value: s.authFailuresTotal },
    { name: 'odlog_write_queue_batches', help: 'Appends accepted and not yet acknowledged', type: 'gauge', value: s.queuedBatches },
    { name: 'odlog_write_queue_bytes', help: 'Bytes of appends accepted and not yet acknowledged', type: 'gauge', value: s.queuedBytes },
    { name: 'odlog_commits_in_flight', help: 'Commits handed to LMDB and not yet committed', type: 'gauge', value: s.commitsInFlight },
    { name: 'odlog_committed_sequence', help: 'Exclusive end of the committed log', type: 'gauge', value: s.committedSequence },
    { name: 'odlog_durable_sequence', help: 'Exclusive end of the durable log (watermark)', type: 'gauge', value: s.durableSequence },
    { name: 'odlog_segments', help: 'Segments stored', type: 'gauge', value: s.segments },
    { name: 'odlog_stored_records', help: 'Records stored', type: 'gauge', value: s.storedRecords },
    { name: 'odlog_stored_bytes', help: 'Key and value bytes stored', type: 'gauge', value: s.storedBytes },
    { name: 'odlog_data_file_bytes', help: 'Size of the LMDB data file', type: 'gauge', value: s.dataFileBytes },
    { name: 'odlog_resident_memory_bytes', help: 'Resident set size of the broker', type: 'gauge', value: s.rssBytes },
  ];
  const lines: string[] = [];
  for (const m of metrics) lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, `${m.name} ${m.value}`);
  if (s.cursors.length > 0) {
    lines.push('# HELP odlog_cursor_lag_records Records a named cursor is behind the head of what it follows', '# TYPE odlog_cursor_lag_records gauge');
    for (const c of s.cursors) lines.push(`odlog_cursor_lag_records{cursor="${escapeLabel(c.name)}"} ${c.lagRecords}`);
    lines.push('# HELP odlog_cursor_sequence Position of a named cursor', '# TYPE odlog_cursor_sequence gauge');
    for (const c of s.cursors) lines.push(`odlog_cursor_sequence{cursor="${escapeLabel(c.name)}"} ${c.sequence}`);
  }
  lines.push(`odlog_build_info{version="${escapeLabel(s.brokerVersion)}"} 1`);
  return lines.join('\n') + '\n';
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
