import { ConnectionError } from '../../../clients/errors.js';
import type { TransportFactory } from '../../../clients/transport/Transport.js';
import { EntryBatchWriter } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { walkRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { encodeFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameDecoder } from '../../../src/protocol/frame/FrameDecoder.js';
import { FrameFlags, type Frame } from '../../../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../../../src/protocol/Message.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Append, type AppendRequest, type AppendResponse } from '../../../src/protocol/messages/append.js';
import { Credit, type CreditRequest } from '../../../src/protocol/messages/credit.js';
import { Unsubscribe, type UnsubscribeRequest } from '../../../src/protocol/messages/unsubscribe.js';
import { CommitCursor, type CommitCursorRequest } from '../../../src/protocol/messages/commitCursor.js';
import { GetCursor, type GetCursorRequest } from '../../../src/protocol/messages/getCursor.js';
import { errorBody } from '../../../src/protocol/messages/error.js';
import { Hello, type BrokerLimits, type HelloRequest } from '../../../src/protocol/messages/hello.js';
import { Ping, type PingRequest } from '../../../src/protocol/messages/ping.js';
import { Subscribe, type SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import { SubscriptionEndPush } from '../../../src/protocol/messages/subscriptionEnd.js';
import { MemoryConnection } from './MemoryConnection.js';

const messages = new Map<number, MessageDefinition<unknown, unknown>>(
  [Hello, Ping, Append, Subscribe, Credit, Unsubscribe, CommitCursor, GetCursor].map((m) => [m.type, m as MessageDefinition<unknown, unknown>]),
);

/** A request as the fake broker received it, decoded with the protocol's own schemas. */
export interface ReceivedRequest<Body = unknown> {
  readonly name: string;
  readonly type: number;
  readonly correlationId: number;
  readonly body: Body;
  readonly connection: MemoryConnection;
}

/** What to do with a request: answer it as a broker would, keep it unanswered for the test, or drop the connection it came on. */
export type RequestPolicy = 'answer' | 'hold' | 'drop-connection';

export interface StoredEntry {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly sequence: number;
}

interface FakeSubscription {
  readonly connection: MemoryConnection;
  readonly id: number;
  readonly keys: Buffer[];
  readonly prefix: Buffer | null;
  nextSequence: number;
  creditRecords: number;
}

export const fakeLimits: BrokerLimits = {
  frameBytesMax: 16 * 1024 * 1024,
  keyBytesMax: 64,
  valueBytesMax: 1024,
  batchRecordsMax: 1000,
  batchBytesMax: 1024 * 1024,
  inFlightRequestsMax: 1024,
  subscriptionsPerConnectionMax: 64,
  producerWindowBatches: 64,
};

/**
 * A broker in memory, enough of one for the client's unit tests: it speaks the real protocol
 * (frames and Avro bodies through `src/protocol`) over MemoryConnections, keeps a log in an array,
 * deduplicates producer batches, serves subscriptions within their credit, and stores cursors.
 * Tests steer it: refuse or hang connection attempts, hold requests (to answer them later, in any
 * order), drop connections, and push or end subscriptions by hand.
 *
 * @example
 * const broker = new FakeBroker();
 * const client = await OdlogClient.connect({ transports: broker.transports() });
 */
export class FakeBroker {
  readonly connections: MemoryConnection[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** The header of every frame received, in order. */
  readonly frames: { readonly messageType: number; readonly version: number }[] = [];
  /** Requests kept unanswered by the policy, in arrival order. */
  readonly held: ReceivedRequest[] = [];
  readonly log: StoredEntry[] = [];
  readonly cursors = new Map<string, number>();
  readonly subscriptions: FakeSubscription[] = [];
  /** false: connection attempts fail as a stopped broker's would (ECONNREFUSED). */
  accepting = true;
  /** true: connection attempts neither succeed nor fail until the client's timeout or abort. */
  hangConnects = false;
  connectAttempts = 0;
  /** The timeout the client gave each connection attempt. */
  readonly connectTimeoutsMs: number[] = [];
  /** Aborted connection attempts (the client was closed while connecting). */
  abortedConnects = 0;
  policy: (request: ReceivedRequest) => RequestPolicy = () => 'answer';
  /**
   * It speaks protocol version 1 only. false: it answers any Hello with version 1 (as a version 2
   * broker answers a client offering 1); true: it refuses a Hello offering another version with
   * UNSUPPORTED_VERSION, as brokers from before version 2 do.
   */
  refusesNewerHello = false;
  private readonly producerBatches = new Map<string, AppendResponse>();

  /** The factory a client connects through. */
  transports(): TransportFactory {
    return (timeoutMs, signal) =>
      new Promise((resolve, reject) => {
        this.connectAttempts++;
        this.connectTimeoutsMs.push(timeoutMs);
        if (!this.accepting) {
          setImmediate(() => reject(new ConnectionError('cannot connect to odlog broker at fake:0: connect ECONNREFUSED (fake broker stopped)')));
          return;
        }
        if (!this.hangConnects) {
          const connection = this.accept();
          setImmediate(() => resolve(connection.clientEnd));
          return;
        }
        const timer = setTimeout(() => reject(new ConnectionError(`cannot connect to odlog broker at fake:0: no connection within ${timeoutMs} ms`)), timeoutMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          this.abortedConnects++;
          reject(new ConnectionError('connecting to odlog broker at fake:0 was aborted'));
        });
      });
  }

  /** Requests received with this message name, in arrival order. */
  received<Body>(name: string): ReceivedRequest<Body>[] {
    return this.requests.filter((r) => r.name === name) as ReceivedRequest<Body>[];
  }

  /** Close every open connection, as a broker crash would. */
  dropConnections(): void {
    for (const connection of this.connections) connection.close(new Error('connection reset by fake broker'));
    this.subscriptions.length = 0;
  }

  /** Stop: drop every connection and refuse new ones. */
  stop(): void {
    this.accepting = false;
    this.dropConnections();
  }

  /** Answer `request` as a broker would (for a held one, now). */
  answer(request: ReceivedRequest): void {
    const at = this.held.indexOf(request);
    if (at >= 0) this.held.splice(at, 1);
    this.serve(request);
  }

  /** Apply a held Append, but lose its answer: the connection drops before it is sent. */
  applyAndDrop(request: ReceivedRequest): void {
    const at = this.held.indexOf(request);
    if (at >= 0) this.held.splice(at, 1);
    this.append(request.body as AppendRequest);
    request.connection.close(new Error('connection reset by fake broker'));
  }

  respond<Res>(request: ReceivedRequest, message: MessageDefinition<unknown, Res>, body: Res): void {
    request.connection.toClient(encodeFrame({ messageType: message.type, version: protocolVersion, flags: FrameFlags.Response, correlationId: request.correlationId }, message.response.at(protocolVersion), body));
  }

  fail(request: ReceivedRequest, code: number, message: string): void {
    const body = { code, message, retryable: false, conflictKey: null, conflictLastSequence: null };
    request.connection.toClient(encodeFrame({ messageType: request.type, version: protocolVersion, flags: FrameFlags.Response | FrameFlags.Error, correlationId: request.correlationId }, errorBody.at(protocolVersion), body));
  }

  /** Append records directly (as another client would). */
  store(records: readonly { key: string | Buffer; value: string | Buffer }[]): number {
    const start = this.log.length;
    for (const r of records) this.log.push({ key: Buffer.from(r.key), value: Buffer.from(r.value), sequence: this.log.length });
    this.pumpAll();
    return start;
  }

  /** Push entries to a subscription by hand (whatever its credit): duplicates, gaps, anything. */
  push(connection: MemoryConnection, subscriptionId: number, entries: readonly StoredEntry[], nextSequence: number): void {
    const writer = new EntryBatchWriter(true);
    for (const e of entries) writer.add(e.key, e.sequence, e.value);
    connection.toClient(encodeFrame({ messageType: SubscriptionBatchPush.type, version: protocolVersion, flags: FrameFlags.Push, correlationId: subscriptionId }, SubscriptionBatchPush.body.at(protocolVersion), { entries: writer.finish(), nextSequence }));
  }

  /** End a subscription with `code`, as the broker does (SHUTTING_DOWN before closing, for example). */
  end(subscription: FakeSubscription, code: number, message: string): void {
    const at = this.subscriptions.indexOf(subscription);
    if (at >= 0) this.subscriptions.splice(at, 1);
    subscription.connection.toClient(
      encodeFrame({ messageType: SubscriptionEndPush.type, version: protocolVersion, flags: FrameFlags.Push, correlationId: subscription.id }, SubscriptionEndPush.body.at(protocolVersion), { code, message, nextSequence: subscription.nextSequence }),
    );
  }

  private accept(): MemoryConnection {
    const decoder = new FrameDecoder(fakeLimits.frameBytesMax);
    const connection: MemoryConnection = new MemoryConnection((chunk) =>
      decoder.push(chunk, {
        frame: (frame) => this.onFrame(connection, frame),
        oversized: () => connection.close(new Error('oversized frame')),
        malformed: () => connection.close(new Error('malformed stream')),
      }),
    );
    this.connections.push(connection);
    return connection;
  }

  private onFrame(connection: MemoryConnection, frame: Frame): void {
    this.frames.push({ messageType: frame.messageType, version: frame.version });
    const message = messages.get(frame.messageType);
    const request: ReceivedRequest = {
      name: message?.name ?? `type ${frame.messageType}`,
      type: frame.messageType,
      correlationId: frame.correlationId,
      body: message?.request.at(protocolVersion).decode(frame.body),
      connection,
    };
    this.requests.push(request);
    const policy = this.policy(request);
    if (policy === 'hold') this.held.push(request);
    else if (policy === 'drop-connection') connection.close(new Error('connection reset by fake broker'));
    else this.serve(request);
  }

  private serve(request: ReceivedRequest): void {
    if (!request.connection.isOpen) return;
    switch (request.type) {
      case Hello.type:
        if (this.refusesNewerHello && (request.body as HelloRequest).protocolVersion !== 1) {
          this.fail(request, ErrorCode.UnsupportedVersion, `this broker speaks protocol version 1, the client asked for ${(request.body as HelloRequest).protocolVersion}`);
          return;
        }
        this.respond(request, Hello, { protocolVersion, brokerVersion: 'fake', authenticated: false, supportedMessages: [...messages.keys()], limits: fakeLimits });
        return;
      case Ping.type:
        this.respond(request, Ping, { timeMs: (request.body as PingRequest).timeMs, brokerTimeMs: Date.now() });
        return;
      case Append.type:
        this.respond(request, Append, this.append(request.body as AppendRequest));
        this.pumpAll();
        return;
      case Subscribe.type:
        this.subscribe(request as ReceivedRequest<SubscribeRequest>);
        return;
      case Credit.type: {
        const body = request.body as CreditRequest;
        const subscription = this.subscriptions.find((s) => s.connection === request.connection && s.id === body.subscriptionId);
        if (subscription === undefined) {
          this.fail(request, ErrorCode.NotFound, `no subscription ${body.subscriptionId}`);
          return;
        }
        subscription.creditRecords += body.records;
        this.respond(request, Credit, {});
        this.pump(subscription);
        return;
      }
      case Unsubscribe.type: {
        const body = request.body as UnsubscribeRequest;
        const at = this.subscriptions.findIndex((s) => s.connection === request.connection && s.id === body.subscriptionId);
        if (at >= 0) this.subscriptions.splice(at, 1);
        this.respond(request, Unsubscribe, {});
        return;
      }
      case CommitCursor.type: {
        const body = request.body as CommitCursorRequest;
        this.cursors.set(body.name, body.sequence);
        this.respond(request, CommitCursor, {});
        return;
      }
      case GetCursor.type: {
        const { name } = request.body as GetCursorRequest;
        const sequence = this.cursors.get(name);
        this.respond(request, GetCursor, { cursor: sequence === undefined ? null : { name, sequence, keys: [], prefix: null, updatedAtMs: 0 } });
        return;
      }
      default:
        this.fail(request, ErrorCode.UnknownMessage, `the fake broker does not serve ${request.name}`);
    }
  }

  private append(body: AppendRequest): AppendResponse {
    const identity = body.producerId === null ? undefined : `${body.producerId}/${body.batchNumber}`;
    const seen = identity === undefined ? undefined : this.producerBatches.get(identity);
    if (seen !== undefined) return { ...seen, duplicate: true };
    const walked = walkRecordBatch(body.records, fakeLimits.batchRecordsMax);
    const startSequence = this.log.length;
    for (let i = 0; i < walked.count; i++) {
      const o = walked.offsets;
      this.log.push({ key: Buffer.from(body.records.subarray(o[4 * i], o[4 * i + 1])), value: Buffer.from(body.records.subarray(o[4 * i + 2], o[4 * i + 3])), sequence: this.log.length });
    }
    const result = { startSequence, count: walked.count, duplicate: false };
    if (identity !== undefined) this.producerBatches.set(identity, result);
    return result;
  }

  private subscribe(request: ReceivedRequest<SubscribeRequest>): void {
    const body = request.body;
    const cursor = body.cursor === null ? undefined : this.cursors.get(body.cursor);
    const start = cursor ?? (body.from === 'EARLIEST' ? 0 : body.from === 'LATEST' ? this.log.length : body.sequence);
    const subscription: FakeSubscription = { connection: request.connection, id: body.subscriptionId, keys: body.keys, prefix: body.prefix, nextSequence: start, creditRecords: body.creditRecords };
    this.subscriptions.push(subscription);
    this.respond(request, Subscribe, { subscriptionId: body.subscriptionId, startSequence: start });
    this.pump(subscription);
  }

  private pumpAll(): void {
    for (const subscription of this.subscriptions) this.pump(subscription);
  }

  /** Push what the subscription follows from its position, within its credit. */
  private pump(subscription: FakeSubscription): void {
    const entries: StoredEntry[] = [];
    let next = subscription.nextSequence;
    for (; next < this.log.length && entries.length < subscription.creditRecords; next++) {
      const entry = this.log[next];
      const follows = subscription.prefix !== null ? entry.key.subarray(0, subscription.prefix.length).equals(subscription.prefix) : subscription.keys.some((k) => k.equals(entry.key));
      if (follows) entries.push(entry);
    }
    if (next === subscription.nextSequence) return;
    subscription.nextSequence = next;
    subscription.creditRecords -= entries.length;
    if (entries.length > 0) this.push(subscription.connection, subscription.id, entries, next);
  }
}
