import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { DeleteKeyRequest, DeleteKeyResponse } from '../../protocol/messages/deleteKey.js';
import type { TrimRequest, TrimResponse } from '../../protocol/messages/trim.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler, RequestConnection } from './Handler.js';

/** Removing records takes what adding them takes: `append` permission on the key. */
function checkMayRemove(conn: RequestConnection, key: Buffer, what: string): void {
  if (!conn.permissions.canAppend(key)) throw new BrokerError(ErrorCode.Forbidden, `this token may not append to key ${JSON.stringify(key.toString('utf8'))}, which ${what} needs`);
}

/**
 * Trim: the key's entries below `beforeSequence` go (LogDb.trim), answered once that is durable.
 * Subscriptions are not told: one positioned below the trim point reads on from the first entry
 * that remains (docs/protocol.md, "Trim and DeleteKey").
 */
export const trim: Handler<TrimRequest, TrimResponse> = async (ctx, conn, request) => {
  checkMayRemove(conn, request.key, 'Trim');
  if (request.beforeSequence < 0) throw new BrokerError(ErrorCode.InvalidRequest, `beforeSequence is a sequence (≥ 0), got ${request.beforeSequence}`);
  const removed = await ctx.log.trim(request.key, { before: request.beforeSequence });
  ctx.logger.info('key_trimmed', { connection: conn.id, key: request.key.toString('utf8'), before: request.beforeSequence, removed });
  return { removed };
};

/** DeleteKey: every entry of the key goes and the key leaves the listings (LogDb.deleteKey). */
export const deleteKey: Handler<DeleteKeyRequest, DeleteKeyResponse> = async (ctx, conn, request) => {
  checkMayRemove(conn, request.key, 'DeleteKey');
  const removed = await ctx.log.deleteKey(request.key);
  ctx.logger.info('key_deleted', { connection: conn.id, key: request.key.toString('utf8'), removed });
  return { removed };
};
