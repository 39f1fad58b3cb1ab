import { limits } from '../../limits.js';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import { EntryBatchWriter } from '../../protocol/batch/EntryBatchCodec.js';
import type { ScanRequest, ScanResponse } from '../../protocol/messages/scan.js';
import { BrokerError } from '../BrokerError.js';
import type { BrokerContext } from '../BrokerContext.js';
import type { Handler } from './Handler.js';

function scanOnce(ctx: BrokerContext, request: ScanRequest): { entries: Buffer; count: number; nextSequence: number } {
  const iterator = ctx.log.scan(request.key, { start: request.start, end: request.end ?? undefined }, {
    limit: clamp(request.limit, limits.scanEntriesMax),
    maxBytes: clamp(request.maxBytes, limits.scanBytesMax),
  });
  const writer = new EntryBatchWriter(false);
  for (let r = iterator.nextSync(); !r.done; r = iterator.nextSync()) writer.add(undefined, r.value.sequence, r.value.value);
  return { entries: writer.finish(), count: writer.count, nextSequence: iterator.nextSequence };
}

/** A page of one key; with maxWaitMs, waits for the key's next commit when the page is empty. */
export const scan: Handler<ScanRequest, ScanResponse> = async (ctx, conn, request) => {
  if (!conn.permissions.canRead(request.key)) {
    throw new BrokerError(ErrorCode.Forbidden, `this token may not read key ${JSON.stringify(request.key.toString('utf8'))}`);
  }
  let page = scanOnce(ctx, request);
  const wait = Math.min(Math.max(0, request.maxWaitMs), limits.longPollWaitMsMax);
  const end = request.end ?? Number.MAX_SAFE_INTEGER;
  if (page.count === 0 && wait > 0 && page.nextSequence < end && !ctx.shuttingDown) {
    // Registered in the same tick as the scan: no commit can slip in between unseen.
    await ctx.longPolls.wait(request.key.toString('latin1'), wait, conn);
    if (!ctx.log.isClosed) page = scanOnce(ctx, request);
  }
  return { entries: page.entries, nextSequence: page.nextSequence };
};

function clamp(n: number, max: number): number {
  return Math.max(1, Math.min(n, max));
}
