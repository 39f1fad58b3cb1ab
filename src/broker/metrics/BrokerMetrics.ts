import { errorCodeName } from '../../protocol/ErrorCode.js';
import { messageTypeName } from '../../protocol/MessageType.js';
import { latestProtocolVersion } from '../../protocol/ProtocolVersion.js';
import type { BrokerContext } from '../BrokerContext.js';
import { BrokerStats } from '../BrokerStats.js';
import { cursorLags, dataFileBytes } from '../CursorLag.js';
import { metricFamilies, type MetricValues } from './MetricCatalogue.js';
import { renderPrometheus } from './PrometheusText.js';

/** What the broker adds to its context for metrics: figures summed over its connections. */
export interface ConnectionTotals {
  readonly connections: number;
  readonly requestsInFlight: number;
  readonly outputQueuedBytes: number;
}

/** `InvalidRequest` → `INVALID_REQUEST`, the name docs/protocol.md gives the code. */
function wireName(code: number): string {
  return errorCodeName(code).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function typeLabel(index: number): string {
  const type = BrokerStats.typeOfIndex(index);
  return type === undefined ? 'unknown' : messageTypeName(type);
}

/**
 * Everything `GET /metrics` reports, read from a live broker now. Counters come from BrokerStats,
 * gauges from the log, the registries and the connections; cursor lag is computed as Stats does.
 */
export async function brokerMetricValues(ctx: BrokerContext, totals: () => ConnectionTotals): Promise<MetricValues> {
  const cursors = await cursorLags(ctx.log, ctx.logger);
  const log = ctx.log.stats();
  const s = ctx.stats;
  const connections = totals();
  const kafkaOn = ctx.config.kafkaPort !== undefined;
  const requests: { type: string; count: number }[] = [];
  s.requestsByType.forEach((count, index) => {
    if (count > 0) requests.push({ type: typeLabel(index), count });
  });
  const errors = [...s.errorsByTypeAndCode.values()]
    .sort((a, b) => a.type - b.type || a.code - b.code)
    .map((e) => ({ type: typeLabel(e.type), code: wireName(e.code), count: e.count }));
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    brokerVersion: ctx.brokerVersion,
    protocolVersion: latestProtocolVersion,
    processStartTimeSeconds: Math.round(s.startedAtMs / 1000),
    residentMemoryBytes: memory.rss,
    cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
    heapUsedBytes: memory.heapUsed,
    connections: connections.connections,
    connectionsAcceptedTotal: s.connectionsAcceptedTotal,
    connectionsRefusedTotal: s.connectionsRefusedTotal,
    subscriptions: ctx.subscriptions.size,
    requestsInFlight: connections.requestsInFlight,
    longPollsWaiting: ctx.longPolls.size,
    outputQueuedBytes: connections.outputQueuedBytes,
    receivedBytesTotal: s.receivedBytesTotal,
    sentBytesTotal: s.sentBytesTotal,
    kafkaConnections: kafkaOn ? s.kafka.connections : undefined,
    requests,
    requestErrors: errors,
    kafkaRequests: kafkaOn ? s.kafka.requestCounts() : undefined,
    authFailuresTotal: s.authFailuresTotal,
    appendedRecordsTotal: s.appendedRecordsTotal,
    appendedBytesTotal: s.appendedBytesTotal,
    deliveredRecordsTotal: s.deliveredRecordsTotal,
    appendAckSeconds: s.appendAck.samples(),
    queuedBatches: log.queuedBatches,
    queuedBytes: log.queuedBytes,
    waitingAppends: log.waitingAppends,
    commitsInFlight: log.commitsInFlight,
    committedSequence: log.committedSequence,
    durableSequence: log.durableSequence,
    segments: log.segments,
    storedRecords: log.storedRecords,
    storedBytes: log.storedBytes,
    dataFileBytes: dataFileBytes(ctx.config.dataDir),
    cursors,
  };
}

/** The Prometheus text of a live broker. */
export async function brokerMetricsText(ctx: BrokerContext, totals: () => ConnectionTotals): Promise<string> {
  return renderPrometheus(metricFamilies(await brokerMetricValues(ctx, totals)));
}
