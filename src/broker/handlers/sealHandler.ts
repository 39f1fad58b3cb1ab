import type { EmptyRequest } from '../../protocol/messages/empty.js';
import type { SealResponse } from '../../protocol/messages/seal.js';
import type { LogDb } from '../../storage/index.js';
import type { Handler } from './Handler.js';
import { requireAdmin } from './queryHandlers.js';

/**
 * Seal the active segment and say which segment that sealed, or null when there was nothing to
 * seal (the active segment was empty or already sealed). Version 1 answers with an empty body.
 *
 * The storage's seal() does not say what it did; this compares the sealed segments before and
 * after it. A segment sealed meanwhile by the storage's own interval or size policy, or by another
 * Seal at the same moment, is reported as this one's.
 */
export const seal: Handler<EmptyRequest, SealResponse> = async (ctx, conn) => {
  requireAdmin(conn, 'Seal');
  return { sealedSegment: await sealReporting(ctx.log) };
};

async function sealReporting(log: LogDb): Promise<number | null> {
  const sealedBefore = new Set((await log.listSegments()).filter((s) => s.sealed).map((s) => s.id));
  await log.seal();
  const newlySealed = (await log.listSegments()).filter((s) => s.sealed && !sealedBefore.has(s.id));
  return newlySealed.length > 0 ? newlySealed[newlySealed.length - 1].id : null;
}
