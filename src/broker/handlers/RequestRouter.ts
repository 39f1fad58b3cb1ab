import type { MessageDefinition } from '../../protocol/Message.js';
import { Flush } from '../../protocol/messages/flush.js';
import { Seal } from '../../protocol/messages/seal.js';
import { Append } from '../../protocol/messages/append.js';
import { BackupBegin, BackupEnd, BackupRead } from '../../protocol/messages/backup.js';
import { DeleteKey } from '../../protocol/messages/deleteKey.js';
import { Trim } from '../../protocol/messages/trim.js';
import { Count } from '../../protocol/messages/count.js';
import { DeleteCursor } from '../../protocol/messages/deleteCursor.js';
import { ListCursors } from '../../protocol/messages/listCursors.js';
import { ResetCursor } from '../../protocol/messages/resetCursor.js';
import { Credit } from '../../protocol/messages/credit.js';
import { Unsubscribe } from '../../protocol/messages/unsubscribe.js';
import { CommitCursor } from '../../protocol/messages/commitCursor.js';
import { GetCursor } from '../../protocol/messages/getCursor.js';
import { Hello } from '../../protocol/messages/hello.js';
import { ListKeys } from '../../protocol/messages/listKeys.js';
import { ListSegments } from '../../protocol/messages/listSegments.js';
import { Ping } from '../../protocol/messages/ping.js';
import { Scan } from '../../protocol/messages/scan.js';
import { Stats } from '../../protocol/messages/stats.js';
import { Subscribe } from '../../protocol/messages/subscribe.js';
import { append } from './appendHandler.js';
import { backupBegin, backupEnd, backupRead } from './backupHandlers.js';
import { deleteKey, trim } from './lifecycleHandlers.js';
import { deleteCursor, listCursors, resetCursor } from './cursorAdminHandlers.js';
import { commitCursor, getCursor } from './cursorHandlers.js';
import type { Handler } from './Handler.js';
import { hello, ping } from './helloHandlers.js';
import { count, flush, listKeys, listSegments } from './queryHandlers.js';
import { seal } from './sealHandler.js';
import { scan } from './scanHandler.js';
import { stats } from './statsHandler.js';
import { credit, subscribe, unsubscribe } from './subscriptionHandlers.js';

/** A message definition with the handler that serves it. */
export interface Route<Req, Res> {
  readonly message: MessageDefinition<Req, Res>;
  readonly handler: Handler<Req, Res>;
}

function route<Req, Res>(message: MessageDefinition<Req, Res>, handler: Handler<Req, Res>): [number, Route<unknown, unknown>] {
  return [message.type, { message, handler } as unknown as Route<unknown, unknown>];
}

/** Every request type the broker serves. */
export const routes: ReadonlyMap<number, Route<unknown, unknown>> = new Map([
  route(Hello, hello),
  route(Ping, ping),
  route(Append, append),
  route(Scan, scan),
  route(Subscribe, subscribe),
  route(Credit, credit),
  route(Unsubscribe, unsubscribe),
  route(Count, count),
  route(ListKeys, listKeys),
  route(ListSegments, listSegments),
  route(Seal, seal),
  route(Flush, flush),
  route(CommitCursor, commitCursor),
  route(GetCursor, getCursor),
  route(Stats, stats),
  route(ListCursors, listCursors),
  route(DeleteCursor, deleteCursor),
  route(ResetCursor, resetCursor),
  route(Trim, trim),
  route(DeleteKey, deleteKey),
  route(BackupBegin, backupBegin),
  route(BackupRead, backupRead),
  route(BackupEnd, backupEnd),
]);
