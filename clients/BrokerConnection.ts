import { encodeFrame } from '../src/protocol/frame/FrameEncoder.js';
import { FrameDecoder, type FrameSink } from '../src/protocol/frame/FrameDecoder.js';
import { FrameFlags, type Frame, type FrameHeader } from '../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../src/protocol/Message.js';
import { protocolVersion } from '../src/protocol/MessageType.js';
import { ErrorCode } from '../src/protocol/ErrorCode.js';
import { errorBody } from '../src/protocol/messages/error.js';
import { Hello, type HelloResponse } from '../src/protocol/messages/hello.js';
import { ClientClosedError, ConnectionError, errorFromBody, RequestTimeoutError, ThrottledError } from './errors.js';
import type { Transport, TransportFactory } from './transport/Transport.js';

export interface ReconnectOptions {
  /** First delay before reconnecting; doubles per failed attempt (with jitter). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  readonly maxAttempts?: number;
}

export interface BrokerConnectionOptions {
  readonly transports: TransportFactory;
  readonly clientId?: string;
  readonly authToken?: string;
  readonly connectTimeoutMs?: number;
  /** Default deadline of a request (its time waiting for a reconnect included). */
  readonly requestTimeoutMs?: number;
  /** Requests in flight or waiting for a connection; beyond it requests fail with ThrottledError. */
  readonly maxPendingRequests?: number;
  /** false: do not reconnect after a lost connection. */
  readonly reconnect?: ReconnectOptions | false;
  readonly frameBytesMax?: number;
}

interface Pending {
  readonly message: MessageDefinition<unknown, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** The encoded frame, until it is written. */
  frame: Buffer | undefined;
  correlationId: number;
}

type ConnectionEvent = 'connected' | 'disconnected';

/**
 * One multiplexed connection to a broker: many requests in flight, each answered by
 * correlation id in whatever order the broker finishes them; pushes routed by subscription id.
 * Every pending request has a deadline; on a lost connection every in-flight request is
 * rejected (its outcome unknown) and the connection is re-established with backoff, after
 * which queued requests go out and `connected` listeners (consumers re-subscribing) run.
 *
 * @example
 * const conn = await BrokerConnection.open({ transports: socketTransports({ host: '127.0.0.1', port: 7070 }) });
 * const pong = await conn.request(Ping, { timeMs: Date.now() });
 */
export class BrokerConnection implements FrameSink {
  private transport: Transport | undefined;
  private decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: Pending[] = [];
  private readonly pushHandlers = new Map<number, (frame: Frame) => void>();
  private readonly listeners: { [event in ConnectionEvent]: Set<() => void> } = { connected: new Set(), disconnected: new Set() };
  private outgoing: Buffer[] = [];
  private flushScheduled = false;
  private nextCorrelationId = 1;
  private closed = false;
  private reconnecting = false;
  private helloResponse: HelloResponse | undefined;
  private closingReason: string | undefined;
  private readonly options: Required<Omit<BrokerConnectionOptions, 'authToken' | 'reconnect'>> & Pick<BrokerConnectionOptions, 'authToken' | 'reconnect'>;

  private constructor(options: BrokerConnectionOptions) {
    this.options = {
      transports: options.transports,
      clientId: options.clientId ?? `odlog-client-${process.pid}`,
      authToken: options.authToken,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxPendingRequests: options.maxPendingRequests ?? 1024,
      reconnect: options.reconnect,
      frameBytesMax: options.frameBytesMax ?? 16 * 1024 * 1024,
    };
    this.decoder = new FrameDecoder(this.options.frameBytesMax);
  }

  /** Connect and say Hello; rejects with ConnectionError (or the broker's error) if that fails. */
  static async open(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const connection = new BrokerConnection(options);
    try {
      await connection.establish();
    } catch (error) {
      // The caller gets no object to close: make sure nothing keeps reconnecting behind its back.
      connection.close();
      throw error;
    }
    return connection;
  }

  /** The broker's Hello answer (version, limits) from the latest connection. */
  get hello(): HelloResponse {
    if (this.helloResponse === undefined) throw new ConnectionError('not connected');
    return this.helloResponse;
  }

  get isConnected(): boolean {
    return this.transport !== undefined && this.helloResponse !== undefined;
  }

  on(event: ConnectionEvent, listener: () => void): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Send a request; resolves with its response or rejects with a typed error. */
  request<Req, Res>(message: MessageDefinition<Req, Res>, body: Req, options: { timeoutMs?: number } = {}): Promise<Res> {
    if (this.closed) return Promise.reject(new ClientClosedError('the client is closed'));
    if (this.pending.size + this.waiting.length >= this.options.maxPendingRequests) {
      return Promise.reject(new ThrottledError(ErrorCode.Throttled, `${this.options.maxPendingRequests} requests are already pending on this connection; wait for some to finish`));
    }
    return new Promise<Res>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      const entry: Pending = {
        message: message as MessageDefinition<unknown, unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
        frame: undefined,
        correlationId: 0,
        timer: setTimeout(() => {
          this.forget(entry);
          reject(new RequestTimeoutError(`${message.name} got no answer within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      entry.correlationId = this.allocateCorrelationId();
      entry.frame = encodeFrame({ messageType: message.type, version: protocolVersion, flags: 0, correlationId: entry.correlationId }, message.request, body);
      if (this.isConnected || message.type === Hello.type) this.dispatch(entry);
      else if (this.options.reconnect === false) {
        this.forget(entry);
        reject(new ConnectionError('not connected to the broker (and reconnecting is off)'));
      } else this.waiting.push(entry);
    });
  }

  /** Route pushes tagged with `subscriptionId` to `handler`. */
  onPush(subscriptionId: number, handler: (frame: Frame) => void): void {
    this.pushHandlers.set(subscriptionId, handler);
  }

  offPush(subscriptionId: number): void {
    this.pushHandlers.delete(subscriptionId);
  }

  /** Bytes written but not yet taken by the transport. */
  get writableBytes(): number {
    return this.transport?.writableBytes ?? 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    const error = new ClientClosedError('the client was closed');
    for (const entry of [...this.pending.values(), ...this.waiting.splice(0)]) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
    this.transport?.close();
    this.transport = undefined;
  }

  // ---- FrameSink ------------------------------------------------------------------------------------

  frame(frame: Frame): void {
    if (frame.correlationId === 0 && (frame.flags & FrameFlags.Error) !== 0) {
      // Connection-level error (connection limit, unparseable stream): the broker closes next.
      this.closingReason = safeErrorMessage(frame.body);
      return;
    }
    if ((frame.flags & FrameFlags.Push) !== 0) {
      this.pushHandlers.get(frame.correlationId)?.(frame);
      return;
    }
    const entry = this.pending.get(frame.correlationId);
    if (entry === undefined) return; // timed out meanwhile
    this.pending.delete(frame.correlationId);
    clearTimeout(entry.timer);
    try {
      if ((frame.flags & FrameFlags.Error) !== 0) entry.reject(errorFromBody(errorBody.decode(frame.body)));
      else entry.resolve(entry.message.response.decode(frame.body));
    } catch (error) {
      entry.reject(new ConnectionError(`the broker's ${entry.message.name} response could not be decoded: ${(error as Error).message}`));
    }
  }

  oversized(length: number, header: FrameHeader | undefined): void {
    const entry = header !== undefined ? this.pending.get(header.correlationId) : undefined;
    if (entry !== undefined) {
      this.forget(entry);
      entry.reject(new ConnectionError(`the broker's response of ${length} bytes is over this client's frameBytesMax`));
    }
  }

  malformed(reason: string): void {
    this.transport?.close();
    this.lost(new ConnectionError(`the broker's stream could not be parsed: ${reason}`));
  }

  // ---- internals ------------------------------------------------------------------------------------

  private allocateCorrelationId(): number {
    do {
      this.nextCorrelationId = (this.nextCorrelationId + 1) >>> 0 || 1;
    } while (this.pending.has(this.nextCorrelationId));
    return this.nextCorrelationId;
  }

  private dispatch(entry: Pending): void {
    this.pending.set(entry.correlationId, entry);
    this.outgoing.push(entry.frame as Buffer);
    entry.frame = undefined;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Requests made in one tick go out in one write.
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outgoing.length === 0 || this.transport === undefined) return;
    const frames = this.outgoing;
    this.outgoing = [];
    if (frames.length === 1) this.transport.write(frames[0]);
    else this.transport.writeMany(frames);
  }

  private forget(entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry.correlationId);
    const at = this.waiting.indexOf(entry);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  private async establish(): Promise<void> {
    const transport = await this.options.transports(this.options.connectTimeoutMs);
    if (this.closed) {
      transport.close();
      throw new ClientClosedError('the client was closed');
    }
    this.transport = transport;
    this.decoder = new FrameDecoder(this.options.frameBytesMax);
    transport.onData((chunk) => this.decoder.push(chunk, this));
    transport.onClose((error) => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      const reason = this.closingReason ?? error?.message;
      this.closingReason = undefined;
      this.lost(new ConnectionError(`connection to the broker lost${reason ? `: ${reason}` : ''}`));
    });
    try {
      this.helloResponse = await this.request(Hello, { protocolVersion, clientId: this.options.clientId, authToken: this.options.authToken ?? null }, { timeoutMs: this.options.connectTimeoutMs });
    } catch (error) {
      this.transport = undefined;
      transport.close();
      throw error;
    }
    for (const entry of this.waiting.splice(0)) this.dispatch(entry);
    for (const listener of this.listeners.connected) listener();
  }

  /** The connection is gone: fail what was in flight, keep what waits, and reconnect. */
  private lost(error: Error): void {
    this.helloResponse = undefined;
    this.outgoing = [];
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
    for (const listener of this.listeners.disconnected) listener();
    if (!this.closed && this.options.reconnect !== false) void this.reconnectLoop();
    else {
      for (const entry of this.waiting.splice(0)) {
        clearTimeout(entry.timer);
        entry.reject(error);
      }
    }
  }

  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const r = this.options.reconnect === false ? {} : (this.options.reconnect ?? {});
    const initial = r.initialDelayMs ?? 100;
    const max = r.maxDelayMs ?? 5000;
    try {
      for (let attempt = 0; !this.closed; attempt++) {
        if (r.maxAttempts !== undefined && attempt >= r.maxAttempts) {
          const error = new ConnectionError(`gave up reconnecting to the broker after ${attempt} attempts`);
          for (const entry of this.waiting.splice(0)) {
            clearTimeout(entry.timer);
            entry.reject(error);
          }
          return;
        }
        const delay = Math.min(max, initial * 2 ** attempt) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        if (this.closed) return;
        try {
          await this.establish();
          return;
        } catch {
          // try again after a longer pause
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }
}

function safeErrorMessage(body: Buffer): string {
  try {
    return errorBody.decode(body).message;
  } catch {
    return 'the broker reported an unreadable error';
  }
}
