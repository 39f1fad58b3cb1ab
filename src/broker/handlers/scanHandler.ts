import { limits } from '../../limits.js';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import { EntryBatchWriter } from '../../protocol/batch/EntryBatchCodec.js';
import type { ScanRequest, ScanResponse } from '../../protocol/messages/scan.js';
import type { ProtocolVersion } from '../../protocol/ProtocolVersion.js';
import { BrokerError } from '../BrokerError.js';
import type { BrokerContext } from '../BrokerContext.js';
import type { Handler } from './Handler.js';

/**
 * One page. `maxBytes` bounds the value bytes the storage reads; in version 2 the page also stops
 * once its encoding (headers included) reaches maxBytes, so headers cannot swell a page past it
 * (by more than its last entry).
 */
function scanOnce(ctx: BrokerContext, request: ScanRequest, start: number, version: ProtocolVersion): { entries: Buffer; count: number; nextSequence: number } {
  const maxBytes = clamp(request.maxBytes, limits.scanBytesMax);
  const iterator = ctx.log.scan(request.key, { start, end: request.end ?? undefined }, { limit: clamp(request.limit, limits.scanEntriesMax), maxBytes });
  const writer = new EntryBatchWriter(false, version);
  if (version === 1) {
    for (let r = iterator.nextSync(); !r.done; r = iterator.nextSync()) writer.add(undefined, r.value.sequence, r.value.value);
  } else {
    for (let r = iterator.nextSync(); !r.done; r = iterator.nextSync()) {
      const e = r.value;
      writer.add(undefined, e.sequence, e.value, 0, e.value.length, e.offset, e.timestamp, e.headers);
      // The iterator's nextSequence is the last yielded + 1 while it is not drained: a lossless resume point.
      if (writer.byteLength >= maxBytes) break;
    }
  }
  return { entries: writer.finish(), count: writer.count, nextSequence: iterator.nextSequence };
}

/**
 * Where a scan starts: `start`, or in version 2 with `startTimeMs` the key's first entry appended
 * at or after that time when it is later. With no such entry, the range holds nothing at or after
 * the time that is visible now: the scan starts at the visible end (capped at `end`), where a
 * long-poll waits for the key's next entry.
 */
function startOf(ctx: BrokerContext, request: ScanRequest): number {
  if (request.startTimeMs === null) return request.start;
  // Both reads are synchronous: no commit becomes visible between them.
  const visible = ctx.log.visibleSequence;
  const found = ctx.log.entryAtTime(request.key, request.startTimeMs, { end: visible });
  const at = found?.sequence ?? visible;
  return Math.min(Math.max(request.start, at), request.end ?? Number.MAX_SAFE_INTEGER);
}

/** A page of one key; with maxWaitMs, waits for the key's next commit when the page is empty. */
export const scan: Handler<ScanRequest, ScanResponse> = async (ctx, conn, request, version) => {
  if (!conn.permissions.canRead(request.key)) {
    throw new BrokerError(ErrorCode.Forbidden, `this token may not read key ${JSON.stringify(request.key.toString('utf8'))}`);
  }
  if (request.end !== null && request.start > request.end) throw new BrokerError(ErrorCode.InvalidRequest, `range start ${request.start} is after its end ${request.end}`);
  const start = startOf(ctx, request);
  let page = scanOnce(ctx, request, start, version);
  const wait = Math.min(Math.max(0, request.maxWaitMs), limits.longPollWaitMsMax);
  const end = request.end ?? Number.MAX_SAFE_INTEGER;
  if (page.count === 0 && wait > 0 && page.nextSequence < end && !ctx.shuttingDown) {
    // Registered in the same tick as the scan: no commit can slip in between unseen.
    await ctx.longPolls.wait(request.key.toString('latin1'), wait, conn);
    if (!ctx.log.isClosed) page = scanOnce(ctx, request, start, version);
  }
  return { entries: page.entries, nextSequence: page.nextSequence };
};

function clamp(n: number, max: number): number {
  return Math.max(1, Math.min(n, max));
}
