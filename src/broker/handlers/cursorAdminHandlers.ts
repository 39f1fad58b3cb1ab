import { limits } from '../../limits.js';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { DeleteCursorRequest } from '../../protocol/messages/deleteCursor.js';
import type { EmptyResponse } from '../../protocol/messages/empty.js';
import type { CursorState, ListCursorsRequest, ListCursorsResponse } from '../../protocol/messages/listCursors.js';
import type { ResetCursorRequest, ResetCursorResponse } from '../../protocol/messages/resetCursor.js';
import type { ConsumerCursor } from '../../storage/index.js';
import { BrokerError } from '../BrokerError.js';
import type { BrokerContext } from '../BrokerContext.js';
import { cursorLag } from '../CursorLag.js';
import { mayManage } from './cursorHandlers.js';
import type { Handler, RequestConnection } from './Handler.js';

/** Bytes a cursor takes in a ListCursors page (its name, what it follows, and the fixed fields). */
function listedBytes(cursor: ConsumerCursor): number {
  const follows = 'prefix' in cursor.follows ? cursor.follows.prefix.length : cursor.follows.keys.reduce((sum, k) => sum + k.length + 5, 0);
  return Buffer.byteLength(cursor.name) + follows + 48;
}

/**
 * The cursors of a page: those named after `after` and under `prefix` that this connection may
 * see, in name order, up to `limit` and listCursorsBytesMax (at least one); and whether more follow.
 * Read synchronously, so no LMDB read is held across the lag counts that come next.
 */
function pageOf(ctx: BrokerContext, conn: RequestConnection, request: ListCursorsRequest): { cursors: ConsumerCursor[]; more: boolean } {
  const limit = Math.max(1, Math.min(request.limit, limits.listCursorsMax));
  const after = request.after === null ? undefined : Buffer.from(request.after, 'utf8');
  const cursors: ConsumerCursor[] = [];
  let bytes = 0;
  // Names are stored as UTF-8 keys: the listing is in their byte order, and a string prefix is a byte prefix.
  for (const cursor of ctx.log.cursors.list()) {
    if (request.prefix !== null && !cursor.name.startsWith(request.prefix)) continue;
    if (after !== undefined && Buffer.compare(Buffer.from(cursor.name, 'utf8'), after) <= 0) continue;
    if (!mayManage(conn, cursor)) continue;
    const size = listedBytes(cursor);
    if (cursors.length >= limit || (cursors.length > 0 && bytes + size > limits.listCursorsBytesMax)) return { cursors, more: true };
    cursors.push(cursor);
    bytes += size;
  }
  return { cursors, more: false };
}

/**
 * A page of named cursors with their position and lag. A token sees the cursors it may read every
 * key of; an admin sees all. Lags are counted as Stats counts them, within one budget per page
 * (beyond it a lag is reported as a lower bound); other connections run between cursors.
 */
export const listCursors: Handler<ListCursorsRequest, ListCursorsResponse> = async (ctx, conn, request) => {
  const page = pageOf(ctx, conn, request);
  const segments = await ctx.log.listSegments();
  const budget = { keysLeft: limits.statsLagKeysMax };
  const out: CursorState[] = [];
  for (const cursor of page.cursors) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (ctx.log.isClosed) throw new BrokerError(ErrorCode.ShuttingDown, 'the broker is shutting down; list the cursors again once it is back');
    let lag = { lagRecords: 0, lagIsLowerBound: true };
    try {
      lag = await cursorLag(ctx.log, cursor, segments, budget);
    } catch (error) {
      // One cursor whose lag cannot be counted must not take the listing down: reported as a lower bound.
      ctx.logger.warn('cursor_lag_failed', { cursor: cursor.name, error: (error as Error).message });
    }
    out.push({
      name: cursor.name,
      sequence: cursor.sequence,
      keys: 'keys' in cursor.follows ? [...cursor.follows.keys] : [],
      prefix: 'prefix' in cursor.follows ? cursor.follows.prefix : null,
      updatedAtMs: cursor.updatedAtMs,
      lagRecords: lag.lagRecords,
      lagIsLowerBound: lag.lagIsLowerBound,
    });
  }
  return { cursors: out, more: page.more };
};

/** The named cursor, if this connection may manage it; NOT_FOUND or FORBIDDEN otherwise. */
function managedCursor(ctx: BrokerContext, conn: RequestConnection, name: string): ConsumerCursor {
  const cursor = ctx.log.cursors.get(name);
  if (cursor === undefined) throw new BrokerError(ErrorCode.NotFound, `no cursor named ${JSON.stringify(name)}`);
  if (!mayManage(conn, cursor)) throw new BrokerError(ErrorCode.Forbidden, `this token may not read what cursor ${JSON.stringify(name)} follows`);
  return cursor;
}

export const deleteCursor: Handler<DeleteCursorRequest, EmptyResponse> = async (ctx, conn, request) => {
  managedCursor(ctx, conn, request.name);
  await ctx.log.cursors.delete(request.name);
  return {};
};

/** Move an existing cursor (what it follows is kept) to the start, the end, a sequence or a time. */
export const resetCursor: Handler<ResetCursorRequest, ResetCursorResponse> = async (ctx, conn, request) => {
  const cursor = managedCursor(ctx, conn, request.name);
  let sequence: number;
  switch (request.to) {
    case 'EARLIEST':
      sequence = 0;
      break;
    case 'LATEST':
      sequence = ctx.log.visibleSequence;
      break;
    case 'TIME':
      sequence = ctx.log.sequenceAtTime(request.timeMs);
      break;
    default:
      if (request.sequence < 0) throw new BrokerError(ErrorCode.InvalidRequest, `a cursor's sequence is ≥ 0, got ${request.sequence}`);
      sequence = request.sequence;
  }
  await ctx.log.cursors.commit(cursor.name, sequence, cursor.follows);
  return { previousSequence: cursor.sequence, sequence };
};
