/**
 * The frames whose exact bytes are committed under test/fixtures/<name>.hex and shown in
 * docs/protocol.md. Values and correlation ids are fixed so the bytes are stable; a change to
 * the wire format changes these bytes and fails GoldenFrames.test.ts. To change the format on
 * purpose, update the fixture (the failing test prints the new hex) and the document together.
 */
import { FrameFlags, type FrameHeader } from '../../../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Append } from '../../../src/protocol/messages/append.js';
import { BackupBegin, BackupEnd, BackupRead } from '../../../src/protocol/messages/backup.js';
import { DeleteKey } from '../../../src/protocol/messages/deleteKey.js';
import { Trim } from '../../../src/protocol/messages/trim.js';
import { DeleteCursor } from '../../../src/protocol/messages/deleteCursor.js';
import { ListCursors } from '../../../src/protocol/messages/listCursors.js';
import { ResetCursor } from '../../../src/protocol/messages/resetCursor.js';
import { errorBody } from '../../../src/protocol/messages/error.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { Seal } from '../../../src/protocol/messages/seal.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import type { BodySchema } from '../../../src/protocol/schema/BodySchema.js';
import { fromHex } from './protocolTestKit.js';

export interface GoldenFrame {
  /** Fixture file name, without `.hex`. */
  readonly name: string;
  readonly header: FrameHeader;
  readonly schema: BodySchema<unknown>;
  readonly value: unknown;
}

function golden<T>(name: string, header: FrameHeader, schema: BodySchema<T>, value: T): GoldenFrame {
  return { name, header, schema: schema as BodySchema<unknown>, value };
}

const request = (messageType: number, correlationId: number, version = 1): FrameHeader => ({ messageType, version, flags: 0, correlationId });
const response = (messageType: number, correlationId: number, version = 1): FrameHeader => ({ messageType, version, flags: FrameFlags.Response, correlationId });

/** 2025-12-02T10:00:00Z in ms: the append time of the version 2 examples (zig-zag varint `80c489e8db66`). */
export const exampleTimeMs = 1_764_669_600_000;

/** record-batch.avsc: [{ key "k", value "v1" }, { key "k", value "v2" }]. */
export const appendRecords = fromHex('04' + '026b' + '047631' + '026b' + '047632' + '00');
/** key-entry-batch.avsc: [{ sequence 42, value "v1" }, { sequence 43, value "v2" }]. */
export const scanEntries = fromHex('04' + '54' + '047631' + '56' + '047632' + '00');
/** entry-batch.avsc: [{ key "k", sequence 42, value "v1" }, { key "k", sequence 43, value "v2" }]. */
export const pushEntries = fromHex('04' + '026b' + '54' + '047631' + '026b' + '56' + '047632' + '00');
/** record-batch.v2.avsc: [{ key "k", value "v1", headers [trace: "abc"] }, { key "k", value "v2", headers [gone: null] }]. */
export const appendRecordsV2 = fromHex('04' + '026b' + '047631' + '02' + '0a7472616365' + '02' + '06616263' + '00' + '026b' + '047632' + '02' + '08676f6e65' + '00' + '00' + '00');
/** key-entry-batch.v2.avsc: [{ sequence 42, offset 0, timestamp T, value "v1", headers [trace: "abc"] }, { sequence 43, offset 1, timestamp T+1, value "v2", headers [] }]. */
export const scanEntriesV2 = fromHex('04' + '54' + '00' + '80c489e8db66' + '047631' + '02' + '0a7472616365' + '02' + '06616263' + '00' + '56' + '02' + '82c489e8db66' + '047632' + '00' + '00');
/** entry-batch.v2.avsc: the same two entries with key "k". */
export const pushEntriesV2 = fromHex('04' + '026b' + '54' + '00' + '80c489e8db66' + '047631' + '02' + '0a7472616365' + '02' + '06616263' + '00' + '026b' + '56' + '02' + '82c489e8db66' + '047632' + '00' + '00');

export const goldenFrames: readonly GoldenFrame[] = [
  golden('hello.request', request(MessageType.Hello, 1), Hello.request.at(1), { protocolVersion: 1, clientId: 'demo', authToken: 's3cr3t' }),
  golden('hello.response', response(MessageType.Hello, 1), Hello.response.at(1), {
    protocolVersion: 1,
    brokerVersion: '0.1.0',
    authenticated: true,
    supportedMessages: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    limits: {
      frameBytesMax: 16_777_216,
      keyBytesMax: 4096,
      valueBytesMax: 8_388_608,
      batchRecordsMax: 100_000,
      batchBytesMax: 16_777_216,
      inFlightRequestsMax: 1024,
      subscriptionsPerConnectionMax: 256,
      producerWindowBatches: 64,
    },
  }),
  golden('append.request', request(MessageType.Append, 2), Append.request.at(1), {
    producerId: 'p1',
    batchNumber: 7,
    awaitDurable: true,
    timeoutMs: 1000,
    expect: [{ key: Buffer.from('k'), lastSequence: 41 }],
    records: appendRecords,
  }),
  golden('append.response', response(MessageType.Append, 2), Append.response.at(1), { startSequence: 42, count: 2, duplicate: false }),
  golden('append.error-conflict', { messageType: MessageType.Append, version: 1, flags: FrameFlags.Response | FrameFlags.Error, correlationId: 3 }, errorBody.at(1), {
    code: 8,
    message: 'expected key "k" to have last sequence 41, but it is 43',
    retryable: false,
    conflictKey: Buffer.from('k'),
    conflictLastSequence: 43,
  }),
  golden('scan.request', request(MessageType.Scan, 4), Scan.request.at(1), { key: Buffer.from('k'), start: 42, end: null, limit: 100, maxBytes: 65536, maxWaitMs: 5000, startTimeMs: null }),
  golden('scan.response', response(MessageType.Scan, 4), Scan.response.at(1), { entries: scanEntries, nextSequence: 44 }),
  golden('subscription-batch.push', { messageType: MessageType.SubscriptionBatch, version: 1, flags: FrameFlags.Push, correlationId: 5 }, SubscriptionBatchPush.body.at(1), {
    entries: pushEntries,
    nextSequence: 44,
  }),
  // ---- version 2 ----
  golden('hello.request.v2', request(MessageType.Hello, 1), Hello.request.at(1), { protocolVersion: 2, clientId: 'demo', authToken: 's3cr3t' }),
  golden('append.request.v2', request(MessageType.Append, 2, 2), Append.request.at(2), {
    producerId: 'p1',
    batchNumber: 7,
    awaitDurable: true,
    timeoutMs: 1000,
    expect: [],
    records: appendRecordsV2,
  }),
  golden('append.response.v2', response(MessageType.Append, 2, 2), Append.response.at(2), { startSequence: 42, count: 2, duplicate: false }),
  golden('scan.request.v2', request(MessageType.Scan, 4, 2), Scan.request.at(2), { key: Buffer.from('k'), start: 0, end: null, limit: 100, maxBytes: 65536, maxWaitMs: 5000, startTimeMs: exampleTimeMs }),
  golden('scan.response.v2', response(MessageType.Scan, 4, 2), Scan.response.at(2), { entries: scanEntriesV2, nextSequence: 44 }),
  golden('subscribe.request.v2', request(MessageType.Subscribe, 6, 2), Subscribe.request.at(2), {
    subscriptionId: 5,
    keys: [Buffer.from('k')],
    prefix: null,
    from: 'TIME',
    sequence: 0,
    cursor: null,
    creditRecords: 100,
    creditBytes: 1_048_576,
    timeMs: exampleTimeMs,
  }),
  golden('subscribe.response.v2', response(MessageType.Subscribe, 6, 2), Subscribe.response.at(2), { subscriptionId: 5, startSequence: 42 }),
  golden('subscription-batch.push.v2', { messageType: MessageType.SubscriptionBatch, version: 2, flags: FrameFlags.Push, correlationId: 5 }, SubscriptionBatchPush.body.at(2), {
    entries: pushEntriesV2,
    nextSequence: 44,
  }),
  golden('hello.response.v2', response(MessageType.Hello, 1), Hello.response.at(1), {
    protocolVersion: 2,
    brokerVersion: '0.1.0',
    authenticated: true,
    supportedMessages: Array.from({ length: 18 }, (_, i) => i + 1),
    limits: {
      frameBytesMax: 16_777_216,
      keyBytesMax: 4096,
      valueBytesMax: 8_388_608,
      batchRecordsMax: 100_000,
      batchBytesMax: 16_777_216,
      inFlightRequestsMax: 1024,
      subscriptionsPerConnectionMax: 256,
      producerWindowBatches: 64,
    },
  }),
  golden('seal.response.v2', response(MessageType.Seal, 10, 2), Seal.response.at(2), { sealedSegment: 3 }),
  golden('seal.response.v2-nothing', response(MessageType.Seal, 11, 2), Seal.response.at(2), { sealedSegment: null }),
  // ---- cursor administration (the same in every version; shown in version 2 frames) ----
  golden('list-cursors.request', request(MessageType.ListCursors, 7, 2), ListCursors.request.at(2), { prefix: 'bill', after: null, limit: 100 }),
  golden('list-cursors.response', response(MessageType.ListCursors, 7, 2), ListCursors.response.at(2), {
    cursors: [{ name: 'billing', sequence: 42, keys: [Buffer.from('k')], prefix: null, updatedAtMs: exampleTimeMs, lagRecords: 2, lagIsLowerBound: false }],
    more: false,
  }),
  golden('reset-cursor.request', request(MessageType.ResetCursor, 8, 2), ResetCursor.request.at(2), { name: 'billing', to: 'TIME', sequence: 0, timeMs: exampleTimeMs }),
  golden('reset-cursor.response', response(MessageType.ResetCursor, 8, 2), ResetCursor.response.at(2), { previousSequence: 42, sequence: 40 }),
  golden('delete-cursor.request', request(MessageType.DeleteCursor, 9, 2), DeleteCursor.request.at(2), { name: 'billing' }),
  golden('delete-cursor.response', response(MessageType.DeleteCursor, 9, 2), DeleteCursor.response.at(2), {}),
  // ---- trim, delete and backup (the same in every version; shown in version 2 frames) ----
  golden('trim.request', request(MessageType.Trim, 12, 2), Trim.request.at(2), { key: Buffer.from('orders'), beforeSequence: 42 }),
  golden('trim.response', response(MessageType.Trim, 12, 2), Trim.response.at(2), { removed: 3 }),
  golden('delete-key.request', request(MessageType.DeleteKey, 13, 2), DeleteKey.request.at(2), { key: Buffer.from('orders') }),
  golden('delete-key.response', response(MessageType.DeleteKey, 13, 2), DeleteKey.response.at(2), { removed: 5 }),
  golden('backup-begin.request', request(MessageType.BackupBegin, 14, 2), BackupBegin.request.at(2), {}),
  golden('backup-begin.response', response(MessageType.BackupBegin, 14, 2), BackupBegin.response.at(2), { backupId: 1, fileName: 'log.mdb', bytes: 1_048_576, sequence: 44 }),
  golden('backup-read.request', request(MessageType.BackupRead, 15, 2), BackupRead.request.at(2), { backupId: 1, offset: 0, maxBytes: 4 }),
  golden('backup-read.response', response(MessageType.BackupRead, 15, 2), BackupRead.response.at(2), { chunk: Buffer.from('de0bc0be', 'hex') }),
  golden('backup-end.request', request(MessageType.BackupEnd, 16, 2), BackupEnd.request.at(2), { backupId: 1 }),
  golden('backup-end.response', response(MessageType.BackupEnd, 16, 2), BackupEnd.response.at(2), {}),
];
