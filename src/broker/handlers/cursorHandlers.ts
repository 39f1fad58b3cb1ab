import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { EmptyResponse } from '../../protocol/messages/empty.js';
import type { CommitCursorRequest } from '../../protocol/messages/commitCursor.js';
import type { GetCursorRequest, GetCursorResponse } from '../../protocol/messages/getCursor.js';
import type { ConsumerCursor, CursorSelector } from '../../storage/index.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler, RequestConnection } from './Handler.js';

function canReadAll(conn: RequestConnection, follows: CursorSelector): boolean {
  return 'prefix' in follows ? conn.permissions.canReadPrefix(follows.prefix) : follows.keys.every((k) => conn.permissions.canRead(k));
}

export function checkReadable(conn: RequestConnection, follows: CursorSelector, name: string): void {
  if (!canReadAll(conn, follows)) throw new BrokerError(ErrorCode.Forbidden, `this token may not read what cursor ${JSON.stringify(name)} follows`);
}

/** Whether a connection may see and manage a cursor: it may read every key the cursor follows, or it is admin. */
export function mayManage(conn: RequestConnection, cursor: ConsumerCursor): boolean {
  return conn.permissions.admin || canReadAll(conn, cursor.follows);
}

export const commitCursor: Handler<CommitCursorRequest, EmptyResponse> = async (ctx, conn, request) => {
  if ((request.keys.length > 0) === (request.prefix !== null)) throw new BrokerError(ErrorCode.InvalidRequest, 'a cursor follows keys or a prefix (exactly one of the two)');
  const keyBytesMax = ctx.config.keyBytesMax;
  if (request.prefix !== null && request.prefix.length > keyBytesMax) throw new BrokerError(ErrorCode.InvalidRequest, `a cursor's prefix is at most ${keyBytesMax} bytes`);
  if (request.keys.some((k) => k.length === 0 || k.length > keyBytesMax)) throw new BrokerError(ErrorCode.InvalidRequest, `a cursor's keys are 1..${keyBytesMax} bytes`);
  const follows: CursorSelector = request.prefix !== null ? { prefix: Buffer.from(request.prefix) } : { keys: request.keys.map((k) => Buffer.from(k)) };
  checkReadable(conn, follows, request.name);
  // Names are global: moving someone else's cursor needs the right to read what it follows now.
  const existing = ctx.log.cursors.get(request.name);
  if (existing !== undefined) checkReadable(conn, existing.follows, request.name);
  await ctx.log.cursors.commit(request.name, request.sequence, follows);
  return {};
};

export const getCursor: Handler<GetCursorRequest, GetCursorResponse> = (ctx, conn, request) => {
  const cursor = ctx.log.cursors.get(request.name);
  if (cursor === undefined) return { cursor: null };
  if (!conn.permissions.admin) checkReadable(conn, cursor.follows, request.name);
  return {
    cursor: {
      name: cursor.name,
      sequence: cursor.sequence,
      keys: 'keys' in cursor.follows ? [...cursor.follows.keys] : [],
      prefix: 'prefix' in cursor.follows ? cursor.follows.prefix : null,
      updatedAtMs: cursor.updatedAtMs,
    },
  };
};
