import { entryBatchFiles, keyEntryBatchFiles, recordBatchFiles } from './batch/batchSchemas.js';
import type { MessageDefinition, PushDefinition } from './Message.js';
import { Append } from './messages/append.js';
import { BackupBegin, BackupEnd, BackupRead } from './messages/backup.js';
import { CommitCursor } from './messages/commitCursor.js';
import { DeleteCursor } from './messages/deleteCursor.js';
import { DeleteKey } from './messages/deleteKey.js';
import { Count } from './messages/count.js';
import { Credit } from './messages/credit.js';
import { errorBody } from './messages/error.js';
import { Flush } from './messages/flush.js';
import { GetCursor } from './messages/getCursor.js';
import { Hello } from './messages/hello.js';
import { ListCursors } from './messages/listCursors.js';
import { ListKeys } from './messages/listKeys.js';
import { ListSegments } from './messages/listSegments.js';
import { Ping } from './messages/ping.js';
import { ResetCursor } from './messages/resetCursor.js';
import { Scan } from './messages/scan.js';
import { Seal } from './messages/seal.js';
import { Stats } from './messages/stats.js';
import { Subscribe } from './messages/subscribe.js';
import { Trim } from './messages/trim.js';
import { SubscriptionBatchPush } from './messages/subscriptionBatch.js';
import { SubscriptionEndPush } from './messages/subscriptionEnd.js';
import { Unsubscribe } from './messages/unsubscribe.js';
import { protocolVersions } from './ProtocolVersion.js';
import type { PublishedSchema, VersionedBody } from './schema/BodySchema.js';

/** Every request/response message of the protocol, in type order. */
export const messages: readonly MessageDefinition<unknown, unknown>[] = [
  Hello,
  Ping,
  Append,
  Scan,
  Subscribe,
  Credit,
  Unsubscribe,
  Count,
  ListKeys,
  ListSegments,
  Seal,
  Flush,
  CommitCursor,
  GetCursor,
  Stats,
  ListCursors,
  DeleteCursor,
  ResetCursor,
  Trim,
  DeleteKey,
  BackupBegin,
  BackupRead,
  BackupEnd,
] as unknown as readonly MessageDefinition<unknown, unknown>[];

/** Every push of the protocol. */
export const pushes: readonly PushDefinition<unknown>[] = [SubscriptionBatchPush, SubscriptionEndPush] as unknown as readonly PushDefinition<unknown>[];

/** Schemas that are not a message's: the error body and the batches nested in bytes fields. */
const otherSchemas: readonly PublishedSchema[] = [
  ...protocolVersions.map((v) => errorBody.byVersion[v]),
  ...protocolVersions.flatMap((v) => [recordBatchFiles[v], keyEntryBatchFiles[v], entryBatchFiles[v]]),
];

/**
 * Every schema the protocol publishes as `src/protocol/schemas/<file>.avsc`, once each, sorted by
 * file name: what `npm run schemas` writes and what the tests compare the checked-in files with.
 */
export function publishedSchemas(): PublishedSchema[] {
  const bodies: readonly VersionedBody<unknown>[] = [...messages.flatMap((m) => [m.request, m.response]), ...pushes.map((p) => p.body)];
  const byFile = new Map<string, PublishedSchema>();
  for (const p of [...bodies.flatMap((body) => protocolVersions.map((v) => body.byVersion[v])), ...otherSchemas]) {
    const seen = byFile.get(p.file);
    if (seen !== undefined && seen.schema !== p.schema) throw new Error(`two different schemas are published as ${p.file}.avsc`);
    byFile.set(p.file, p);
  }
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The text of a published schema's `.avsc` file: its JSON, two-space indented, with a final newline. */
export function schemaFileText(p: PublishedSchema): string {
  return JSON.stringify(p.schema, null, 2) + '\n';
}
