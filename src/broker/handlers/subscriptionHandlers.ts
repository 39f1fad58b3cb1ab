import { limits } from '../../limits.js';
import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { CreditRequest } from '../../protocol/messages/credit.js';
import type { EmptyResponse } from '../../protocol/messages/empty.js';
import type { UnsubscribeRequest } from '../../protocol/messages/unsubscribe.js';
import type { SubscribeRequest, SubscribeResponse } from '../../protocol/messages/subscribe.js';
import { BrokerError } from '../BrokerError.js';
import { selectKeys, selectPrefix, type KeySelection } from '../subscriptions/KeySelection.js';
import { Subscription } from '../subscriptions/Subscription.js';
import { checkReadable } from './cursorHandlers.js';
import type { Handler, RequestConnection } from './Handler.js';

function selectionOf(conn: RequestConnection, request: SubscribeRequest, keyBytesMax: number): KeySelection {
  const hasKeys = request.keys.length > 0;
  if (hasKeys === (request.prefix !== null)) throw new BrokerError(ErrorCode.InvalidRequest, 'a subscription names keys or a prefix (exactly one of the two)');
  if (request.prefix !== null) {
    if (request.prefix.length > keyBytesMax) throw new BrokerError(ErrorCode.InvalidRequest, `prefix is longer than keyBytesMax (${keyBytesMax})`);
    if (!conn.permissions.canReadPrefix(request.prefix)) {
      throw new BrokerError(ErrorCode.Forbidden, `this token may not read every key under prefix ${JSON.stringify(request.prefix.toString('utf8'))}`);
    }
    return selectPrefix(Buffer.from(request.prefix));
  }
  if (request.keys.length > limits.subscriptionKeysMax) throw new BrokerError(ErrorCode.InvalidRequest, `a subscription names at most ${limits.subscriptionKeysMax} keys; use a prefix`);
  for (const key of request.keys) {
    if (key.length === 0 || key.length > keyBytesMax) throw new BrokerError(ErrorCode.InvalidRequest, `subscription keys are 1..${keyBytesMax} bytes`);
    if (!conn.permissions.canRead(key)) throw new BrokerError(ErrorCode.Forbidden, `this token may not read key ${JSON.stringify(key.toString('utf8'))}`);
  }
  return selectKeys(request.keys.map((k) => Buffer.from(k)));
}

export const subscribe: Handler<SubscribeRequest, SubscribeResponse> = (ctx, conn, request, version) => {
  if (conn.subscriptions.size >= ctx.config.subscriptionsPerConnectionMax) {
    throw new BrokerError(ErrorCode.LimitExceeded, `this connection already has ${ctx.config.subscriptionsPerConnectionMax} subscriptions; unsubscribe some or open another connection`);
  }
  if (request.creditRecords < 0 || request.creditBytes < 0) throw new BrokerError(ErrorCode.InvalidRequest, `initial credit cannot be negative (creditRecords ${request.creditRecords}, creditBytes ${request.creditBytes}); grant 0 or more`);
  const selection = selectionOf(conn, request, ctx.config.keyBytesMax);
  let start: number;
  const cursor = request.cursor !== null ? ctx.log.cursors.get(request.cursor) : undefined;
  // A cursor's position is as private as what it follows (GetCursor refuses it the same way).
  if (cursor !== undefined) checkReadable(conn, cursor.follows, cursor.name);
  if (cursor !== undefined) start = cursor.sequence;
  else if (request.from === 'EARLIEST') start = 0;
  else if (request.from === 'LATEST') start = ctx.log.visibleSequence;
  else if (request.from === 'TIME') start = ctx.log.sequenceAtTime(request.timeMs);
  else {
    if (!Number.isSafeInteger(request.sequence) || request.sequence < 0) throw new BrokerError(ErrorCode.InvalidRequest, `sequence must be non-negative, got ${request.sequence}`);
    start = request.sequence;
  }
  const id = request.subscriptionId;
  if (id < 1) throw new BrokerError(ErrorCode.InvalidRequest, `subscription ids are 1..2^31-1 (pushes carry them as correlation ids, and 0 is reserved), got ${id}`);
  if (conn.subscriptions.has(id)) throw new BrokerError(ErrorCode.InvalidRequest, `subscription id ${id} is already in use on this connection`);
  const sub = new Subscription(id, selection, start, { records: request.creditRecords, bytes: request.creditBytes }, ctx.log, conn, limits.pushBytesMax, version);
  conn.subscriptions.set(id, sub);
  ctx.subscriptions.add(sub);
  // Pushes must follow the response on the wire: start once the response is queued.
  setImmediate(() => sub.start());
  return { subscriptionId: id, startSequence: start };
};

function subscriptionOf(conn: RequestConnection, id: number): Subscription {
  const sub = conn.subscriptions.get(id);
  if (sub === undefined) throw new BrokerError(ErrorCode.NotFound, `no subscription ${id} on this connection`);
  return sub;
}

export const credit: Handler<CreditRequest, EmptyResponse> = (_ctx, conn, request) => {
  if (request.records < 0 || request.bytes < 0) throw new BrokerError(ErrorCode.InvalidRequest, 'credit cannot be negative');
  subscriptionOf(conn, request.subscriptionId).grant(request.records, request.bytes);
  return {};
};

export const unsubscribe: Handler<UnsubscribeRequest, EmptyResponse> = (ctx, conn, request) => {
  const sub = subscriptionOf(conn, request.subscriptionId);
  sub.close();
  conn.subscriptions.delete(sub.id);
  ctx.subscriptions.remove(sub);
  return {};
};
