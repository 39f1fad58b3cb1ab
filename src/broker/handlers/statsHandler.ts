import type { EmptyRequest } from '../../protocol/messages/empty.js';
import type { StatsResponse } from '../../protocol/messages/stats.js';
import { cursorLags, dataFileBytes } from '../CursorLag.js';
import type { Handler } from './Handler.js';
import { requireAdmin } from './queryHandlers.js';

export const stats: Handler<EmptyRequest, StatsResponse> = async (ctx, conn) => {
  requireAdmin(conn, 'Stats');
  const cursors = await cursorLags(ctx.log, ctx.logger);
  const log = ctx.log.stats();
  const s = ctx.stats;
  return {
    brokerVersion: ctx.brokerVersion,
    uptimeMs: Date.now() - s.startedAtMs,
    connections: ctx.connectionCount(),
    subscriptions: ctx.subscriptions.size,
    requestsTotal: s.requestsTotal,
    appendedRecordsTotal: s.appendedRecordsTotal,
    appendedBytesTotal: s.appendedBytesTotal,
    deliveredRecordsTotal: s.deliveredRecordsTotal,
    appendRecordsPerSec: s.appendRecordsPerSec(),
    deliverRecordsPerSec: s.deliverRecordsPerSec(),
    errorsTotal: s.errorsTotal,
    authFailuresTotal: s.authFailuresTotal,
    queuedBatches: log.queuedBatches,
    queuedBytes: log.queuedBytes,
    commitsInFlight: log.commitsInFlight,
    committedSequence: log.committedSequence,
    durableSequence: log.durableSequence,
    segments: log.segments,
    storedRecords: log.storedRecords,
    storedBytes: log.storedBytes,
    dataFileBytes: dataFileBytes(ctx.config.dataDir),
    rssBytes: process.memoryUsage.rss(),
    cursors,
  };
};
