/**
 * The frames whose exact bytes are committed under test/fixtures/<name>.hex and shown in
 * docs/protocol.md. Values and correlation ids are fixed so the bytes are stable; a change to
 * the wire format changes these bytes and fails GoldenFrames.test.ts. To change the format on
 * purpose, update the fixture (the failing test prints the new hex) and the document together.
 */
import { FrameFlags, type FrameHeader } from '../../../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Append } from '../../../src/protocol/messages/append.js';
import { errorBody } from '../../../src/protocol/messages/error.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
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

const request = (messageType: number, correlationId: number): FrameHeader => ({ messageType, version: 1, flags: 0, correlationId });
const response = (messageType: number, correlationId: number): FrameHeader => ({ messageType, version: 1, flags: FrameFlags.Response, correlationId });

/** record-batch.avsc: [{ key "k", value "v1" }, { key "k", value "v2" }]. */
export const appendRecords = fromHex('04' + '026b' + '047631' + '026b' + '047632' + '00');
/** key-entry-batch.avsc: [{ sequence 42, value "v1" }, { sequence 43, value "v2" }]. */
export const scanEntries = fromHex('04' + '54' + '047631' + '56' + '047632' + '00');
/** entry-batch.avsc: [{ key "k", sequence 42, value "v1" }, { key "k", sequence 43, value "v2" }]. */
export const pushEntries = fromHex('04' + '026b' + '54' + '047631' + '026b' + '56' + '047632' + '00');

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
  golden('scan.request', request(MessageType.Scan, 4), Scan.request.at(1), { key: Buffer.from('k'), start: 42, end: null, limit: 100, maxBytes: 65536, maxWaitMs: 5000 }),
  golden('scan.response', response(MessageType.Scan, 4), Scan.response.at(1), { entries: scanEntries, nextSequence: 44 }),
  golden('subscription-batch.push', { messageType: MessageType.SubscriptionBatch, version: 1, flags: FrameFlags.Push, correlationId: 5 }, SubscriptionBatchPush.body.at(1), {
    entries: pushEntries,
    nextSequence: 44,
  }),
];
