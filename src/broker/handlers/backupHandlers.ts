import { limits } from '../../limits.js';
import type { BackupBeginResponse, BackupEndRequest, BackupReadRequest, BackupReadResponse } from '../../protocol/messages/backup.js';
import type { EmptyRequest, EmptyResponse } from '../../protocol/messages/empty.js';
import type { Handler } from './Handler.js';
import { requireAdmin } from './queryHandlers.js';

/** BackupBegin (admin): a compacted copy of the log on the broker's disk, for this connection to read. */
export const backupBegin: Handler<EmptyRequest, BackupBeginResponse> = async (ctx, conn) => {
  requireAdmin(conn, 'BackupBegin');
  return ctx.backups.begin(conn);
};

/** BackupRead: a chunk of this connection's copy, at most backupReadBytesMax. */
export const backupRead: Handler<BackupReadRequest, BackupReadResponse> = async (ctx, conn, request) => {
  const maxBytes = Math.max(1, Math.min(request.maxBytes, limits.backupReadBytesMax));
  return { chunk: await ctx.backups.read(conn, request.backupId, request.offset, maxBytes) };
};

/** BackupEnd: the copy is deleted. */
export const backupEnd: Handler<BackupEndRequest, EmptyResponse> = async (ctx, conn, request) => {
  await ctx.backups.end(conn, request.backupId);
  return {};
};
