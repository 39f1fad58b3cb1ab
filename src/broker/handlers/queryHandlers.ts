import { limits } from '../../limits.js';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { EmptyRequest } from '../../protocol/messages/empty.js';
import type { FlushResponse } from '../../protocol/messages/flush.js';
import type { CountRequest, CountResponse } from '../../protocol/messages/count.js';
import type { ListKeysRequest, ListKeysResponse } from '../../protocol/messages/listKeys.js';
import type { ListSegmentsRequest, ListSegmentsResponse } from '../../protocol/messages/listSegments.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler, RequestConnection } from './Handler.js';

function requireAdmin(conn: RequestConnection, what: string): void {
  if (!conn.permissions.admin) throw new BrokerError(ErrorCode.Forbidden, `${what} needs an admin token`);
}

export const count: Handler<CountRequest, CountResponse> = async (ctx, conn, request) => {
  if (!conn.permissions.canRead(request.key)) throw new BrokerError(ErrorCode.Forbidden, `this token may not read key ${JSON.stringify(request.key.toString('utf8'))}`);
  return { count: await ctx.log.count(request.key, { start: request.start, end: request.end ?? undefined }) };
};

/**
 * A page of keys. With a token limited to some prefixes, the listing is cut into the readable
 * prefixes under the requested one and merged, so keys outside them are never revealed.
 */
export const listKeys: Handler<ListKeysRequest, ListKeysResponse> = async (ctx, conn, request) => {
  const limit = Math.max(1, Math.min(request.limit, limits.listKeysMax));
  const range = { start: request.startSegment ?? undefined, end: request.endSegment ?? undefined };
  const wanted = request.prefix ?? Buffer.alloc(0);
  const keys: Buffer[] = [];
  for (const prefix of conn.permissions.readableListingPrefixes(wanted).sort(Buffer.compare)) {
    const options = { prefix: prefix.length > 0 ? prefix : undefined, after: request.after ?? undefined, limit: limit + 1 };
    for await (const key of ctx.log.listKeys(range, options)) keys.push(key);
  }
  keys.sort(Buffer.compare);
  const unique = keys.filter((k, i) => i === 0 || !k.equals(keys[i - 1]));
  const page: Buffer[] = [];
  let bytes = 0;
  for (const key of unique) {
    if (page.length >= limit || (page.length > 0 && bytes + key.length + 5 > limits.listKeysBytesMax)) break;
    page.push(key);
    bytes += key.length + 5;
  }
  return { keys: page, more: unique.length > page.length };
};

export const listSegments: Handler<ListSegmentsRequest, ListSegmentsResponse> = async (ctx, _conn, request) => {
  const segments = await ctx.log.listSegments({ start: request.start, end: request.end ?? undefined });
  return { segments: segments.map(({ id, startSeq, startTimeMs, endSeq, sealed, records, bytes, lastAppendTimeMs }) => ({ id, startSeq, startTimeMs, endSeq, sealed, records, bytes, lastAppendTimeMs })) };
};

export const flush: Handler<EmptyRequest, FlushResponse> = async (ctx) => {
  await ctx.log.flush();
  return { durableSequence: ctx.log.durableSequence };
};

export { requireAdmin };
