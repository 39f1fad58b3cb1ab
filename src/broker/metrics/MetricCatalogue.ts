import type { MetricFamily, Sample } from './PrometheusText.js';

/** A named cursor's position and lag, as Stats computes it. */
export interface CursorLagValue {
  readonly name: string;
  readonly sequence: number;
  readonly lagRecords: number;
  readonly lagIsLowerBound: boolean;
}

/**
 * Every figure odlog exports, from a live broker (`GET /metrics`) or from a Stats response
 * (`odlog stats --format prometheus`). The optional ones only a live broker has; a family whose
 * figure is missing is left out, so both texts use the same names for what they share.
 */
export interface MetricValues {
  readonly brokerVersion: string;
  readonly protocolVersion?: number;
  readonly processStartTimeSeconds: number;
  readonly residentMemoryBytes: number;
  readonly cpuSecondsTotal?: number;
  readonly heapUsedBytes?: number;

  readonly connections: number;
  readonly connectionsAcceptedTotal?: number;
  readonly connectionsRefusedTotal?: number;
  readonly subscriptions: number;
  readonly requestsInFlight?: number;
  readonly longPollsWaiting?: number;
  readonly outputQueuedBytes?: number;
  readonly receivedBytesTotal?: number;
  readonly sentBytesTotal?: number;
  /** The Kafka listener's connections open, when it is on. */
  readonly kafkaConnections?: number;

  /** With types when the broker counts them per type; else one total. */
  readonly requests: readonly { readonly type?: string; readonly count: number }[];
  readonly requestErrors: readonly { readonly type?: string; readonly code?: string; readonly count: number }[];
  /** The Kafka listener's requests by API name ("Produce"), when it is on. */
  readonly kafkaRequests?: readonly { readonly api: string; readonly count: number }[];
  readonly authFailuresTotal: number;
  readonly appendedRecordsTotal: number;
  readonly appendedBytesTotal: number;
  readonly deliveredRecordsTotal: number;
  /** Append acknowledgement latency (request received to response queued), as histogram samples. */
  readonly appendAckSeconds?: readonly Sample[];

  readonly queuedBatches: number;
  readonly queuedBytes: number;
  readonly waitingAppends?: number;
  readonly commitsInFlight: number;
  readonly committedSequence: number;
  readonly durableSequence: number;
  readonly segments: number;
  readonly storedRecords: number;
  readonly storedBytes: number;
  readonly dataFileBytes: number;
  readonly cursors: readonly CursorLagValue[];
}

const one = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ value }]);

function family(name: string, type: MetricFamily['type'], help: string, samples: readonly Sample[]): MetricFamily {
  return { name, type, help, samples };
}

/**
 * The metric families, in a stable order: process, connections, requests, the write path,
 * storage, cursors. Counters end in `_total` and only grow while the broker runs (rates are left
 * to PromQL's `rate()`); gauges are current values.
 * @example
 * const text = renderPrometheus(metricFamilies(values));
 */
export function metricFamilies(v: MetricValues): MetricFamily[] {
  const labels: { [name: string]: string } = { version: v.brokerVersion };
  if (v.protocolVersion !== undefined) labels.protocol = String(v.protocolVersion);
  return [
    family('odlog_build_info', 'gauge', 'Always 1; the labels name the broker version and the wire protocol version it speaks', [{ labels, value: 1 }]),
    family('process_start_time_seconds', 'gauge', 'Start time of the broker process since the Unix epoch, in seconds', one(v.processStartTimeSeconds)),
    family('process_resident_memory_bytes', 'gauge', 'Resident memory of the broker process, in bytes', one(v.residentMemoryBytes)),
    family('process_cpu_seconds_total', 'counter', 'User and system CPU time the broker process has used, in seconds', one(v.cpuSecondsTotal)),
    family('nodejs_heap_used_bytes', 'gauge', 'JavaScript heap in use, in bytes', one(v.heapUsedBytes)),

    family('odlog_connections', 'gauge', 'Client connections open on the odlog protocol listener (after Hello or not); the Kafka listener\'s are odlog_kafka_connections', one(v.connections)),
    family('odlog_connections_accepted_total', 'counter', 'Client connections accepted, by both listeners (odlog protocol and Kafka)', one(v.connectionsAcceptedTotal)),
    family('odlog_connections_refused_total', 'counter', 'Client connections refused because connectionsMax were open on their listener (or that many TLS handshakes were under way)', one(v.connectionsRefusedTotal)),
    family('odlog_subscriptions', 'gauge', 'Subscriptions open on all connections', one(v.subscriptions)),
    family('odlog_requests_in_flight', 'gauge', 'Requests being served (long-polls included)', one(v.requestsInFlight)),
    family('odlog_long_polls_waiting', 'gauge', 'Scan long-polls waiting for their key', one(v.longPollsWaiting)),
    family('odlog_output_queued_bytes', 'gauge', 'Bytes queued to client sockets and not yet taken by the kernel, all connections', one(v.outputQueuedBytes)),
    family('odlog_received_bytes_total', 'counter', 'Bytes received from clients of both listeners (after TLS decryption)', one(v.receivedBytesTotal)),
    family('odlog_sent_bytes_total', 'counter', 'Bytes sent to clients of both listeners (before TLS encryption)', one(v.sentBytesTotal)),
    family('odlog_kafka_connections', 'gauge', 'Client connections open on the Kafka listener', one(v.kafkaConnections)),

    family('odlog_requests_total', 'counter', 'Request frames received, by message type', v.requests.map((r) => ({ labels: r.type !== undefined ? { type: r.type } : undefined, value: r.count }))),
    family(
      'odlog_request_errors_total',
      'counter',
      'Requests answered with an error, by message type and error code',
      v.requestErrors.map((e) => ({ labels: e.type !== undefined && e.code !== undefined ? { type: e.type, code: e.code } : undefined, value: e.count })),
    ),
    family('odlog_kafka_requests_total', 'counter', 'Kafka requests received on the Kafka listener, by API (served or refused)', (v.kafkaRequests ?? []).map((r) => ({ labels: { type: r.api }, value: r.count }))),
    family('odlog_auth_failures_total', 'counter', 'Hello requests with a missing or unknown token', one(v.authFailuresTotal)),
    family('odlog_appended_records_total', 'counter', 'Records appended (a retry answered as a duplicate is not counted again)', one(v.appendedRecordsTotal)),
    family('odlog_appended_bytes_total', 'counter', 'Key and value bytes appended', one(v.appendedBytesTotal)),
    family('odlog_delivered_records_total', 'counter', 'Records pushed to subscriptions', one(v.deliveredRecordsTotal)),
    family('odlog_append_ack_seconds', 'histogram', 'Time from an Append request being read to its answer being queued, in seconds (successful appends)', v.appendAckSeconds ?? []),

    family('odlog_write_queue_batches', 'gauge', 'Appends accepted and not yet acknowledged', one(v.queuedBatches)),
    family('odlog_write_queue_bytes', 'gauge', 'Key and value bytes of appends accepted and not yet acknowledged', one(v.queuedBytes)),
    family('odlog_write_waiting_appends', 'gauge', 'Appends waiting for room in the write queue (their timeoutMs)', one(v.waitingAppends)),
    family('odlog_commits_in_flight', 'gauge', 'Commits handed to LMDB and not yet committed', one(v.commitsInFlight)),
    family('odlog_committed_sequence', 'gauge', 'Exclusive end of the committed log: the next sequence to be handed out', one(v.committedSequence)),
    family('odlog_durable_sequence', 'gauge', 'Exclusive end of the durable log: every sequence below it is on disk', one(v.durableSequence)),
    family('odlog_segments', 'gauge', 'Segments stored', one(v.segments)),
    family('odlog_stored_records', 'gauge', 'Records stored (all segments)', one(v.storedRecords)),
    family('odlog_stored_bytes', 'gauge', 'Key and value bytes stored (all segments)', one(v.storedBytes)),
    family('odlog_data_file_bytes', 'gauge', 'Size of the LMDB data file, in bytes', one(v.dataFileBytes)),

    family('odlog_cursor_sequence', 'gauge', 'Position of a named cursor: everything it follows below it is processed', v.cursors.map((c) => ({ labels: { cursor: c.name }, value: c.sequence }))),
    family(
      'odlog_cursor_lag_records',
      'gauge',
      'Records a named cursor follows at or after its position (a lower bound when odlog_cursor_lag_is_lower_bound is 1)',
      v.cursors.map((c) => ({ labels: { cursor: c.name }, value: c.lagRecords })),
    ),
    family('odlog_cursor_lag_is_lower_bound', 'gauge', '1 when counting a cursor\'s lag stopped at its bound (a huge prefix), else 0', v.cursors.map((c) => ({ labels: { cursor: c.name }, value: c.lagIsLowerBound ? 1 : 0 }))),
  ];
}
