import { statSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '../../limits.js';
import type { EmptyRequest } from '../../protocol/messages/admin.js';
import type { CursorLag, StatsResponse } from '../../protocol/messages/stats.js';
import { cursorLag } from '../CursorLag.js';
import type { Handler } from './Handler.js';
import { requireAdmin } from './queryHandlers.js';

export const stats: Handler<EmptyRequest, StatsResponse> = async (ctx, conn) => {
  requireAdmin(conn, 'Stats');
  const log = ctx.log.stats();
  const cursors: CursorLag[] = [];
  const segments = await ctx.log.listSegments();
  const budget = { keysLeft: limits.statsLagKeysMax };
  for (const cursor of [...ctx.log.cursors.list()].slice(0, limits.statsCursorsMax)) {
    // Other connections run between cursors: Stats never holds the broker for long.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      cursors.push(await cursorLag(ctx.log, cursor, segments, budget));
    } catch (error) {
      // One cursor whose lag cannot be computed must not take Stats down for everyone.
      ctx.logger.warn('cursor_lag_failed', { cursor: cursor.name, error: (error as Error).message });
      cursors.push({ name: cursor.name, sequence: cursor.sequence, lagRecords: 0, lagIsLowerBound: true });
    }
  }
  let dataFileBytes = 0;
  try {
    dataFileBytes = statSync(join(ctx.config.dataDir, 'log.mdb')).size;
  } catch {
    // not there yet
  }
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
    dataFileBytes,
    rssBytes: process.memoryUsage.rss(),
    cursors,
  };
};
