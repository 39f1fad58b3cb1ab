import type { StatsResponse } from '../../protocol/messages/stats.js';
import { metricFamilies } from './MetricCatalogue.js';
import { renderPrometheus } from './PrometheusText.js';

/**
 * A Stats response as Prometheus text, with the names, HELP and TYPE lines of the broker's own
 * `GET /metrics` for every figure Stats carries (what only the endpoint has, per-type request
 * counts and latency histograms, is left out). `odlog stats --format prometheus` prints this.
 * The start time is computed from the broker's uptime and this machine's clock.
 * @example
 * process.stdout.write(statsToPrometheus(await client.stats()));
 */
export function statsToPrometheus(stats: StatsResponse, nowMs = Date.now()): string {
  return renderPrometheus(
    metricFamilies({
      brokerVersion: stats.brokerVersion,
      processStartTimeSeconds: Math.round((nowMs - stats.uptimeMs) / 1000),
      residentMemoryBytes: stats.rssBytes,
      connections: stats.connections,
      subscriptions: stats.subscriptions,
      requests: [{ count: stats.requestsTotal }],
      requestErrors: [{ count: stats.errorsTotal }],
      authFailuresTotal: stats.authFailuresTotal,
      appendedRecordsTotal: stats.appendedRecordsTotal,
      appendedBytesTotal: stats.appendedBytesTotal,
      deliveredRecordsTotal: stats.deliveredRecordsTotal,
      queuedBatches: stats.queuedBatches,
      queuedBytes: stats.queuedBytes,
      commitsInFlight: stats.commitsInFlight,
      committedSequence: stats.committedSequence,
      durableSequence: stats.durableSequence,
      segments: stats.segments,
      storedRecords: stats.storedRecords,
      storedBytes: stats.storedBytes,
      dataFileBytes: stats.dataFileBytes,
      cursors: stats.cursors,
    }),
  );
}
