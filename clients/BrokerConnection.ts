import { limits } from '../src/limits.js';
import { encodeFrame } from '../src/protocol/frame/FrameEncoder.js';
import { FrameDecoder, type FrameSink } from '../src/protocol/frame/FrameDecoder.js';
import { FrameFlags, type Frame, type FrameHeader } from '../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../src/protocol/Message.js';
import { baseProtocolVersion, isProtocolVersion, latestProtocolVersion, protocolVersions, type ProtocolVersion } from '../src/protocol/ProtocolVersion.js';
import { ErrorCode } from '../src/protocol/ErrorCode.js';
import { errorBody } from '../src/protocol/messages/error.js';
import { Hello, type HelloResponse } from '../src/protocol/messages/hello.js';
import { ConnectionEvents, type ConnectionEventMap } from './ConnectionEvents.js';
import { BrokerRequestError, ClientClosedError, ConnectionError, ProtocolVersionError, ConnectionLostError, errorFromBody, InvalidArgumentError, RequestTimeoutError, ThrottledError } from './errors.js';
import type { Transport, TransportFactory } from './transport/Transport.js';

export interface ReconnectOptions {
  /** First delay before reconnecting (default 100 ms); doubles per failed attempt (with jitter). */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts (default 5 s). */
  readonly maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  readonly maxAttempts?: number;
  /** Give up once disconnected this long (default: never). */
  readonly giveUpAfterMs?: number;
}

export interface BrokerConnectionOptions {
  readonly transports: TransportFactory;
  readonly clientId?: string;
  readonly authToken?: string;
  /** How long a connection attempt (TCP/TLS and Hello) may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Default deadline of a request, its time waiting for a reconnect included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Requests in flight or waiting for a connection (default 1024); beyond it requests fail with ThrottledError. */
  readonly maxPendingRequests?: number;
  /**
   * How to reconnect after a lost connection (default: forever, with backoff); false: never. When
   * reconnecting gives up, the connection closes with a ConnectionLostError.
   */
  readonly reconnect?: ReconnectOptions | false;
  /** Longest response frame accepted (default 16 MiB, the broker's default). */
  readonly frameBytesMax?: number;
  /**
   * The newest protocol version to offer in Hello (default: the newest this client speaks, 2).
   * The connection speaks what the broker answers: 2 with a broker that speaks it, else 1.
   */
  readonly protocolVersion?: ProtocolVersion;
}

export interface RequestOptions {
  /** Deadline of the request, its wait for a reconnect included (default: the connection's requestTimeoutMs). */
  readonly timeoutMs?: number;
  /**
   * Send it in this protocol version instead of the connection's (for a body holding bytes
   * encoded for that version); at most the connection's version, else ProtocolVersionError.
   */
  readonly version?: ProtocolVersion;
}

/** A response with the protocol version it came in (the request's). */
export interface VersionedResponse<Res> {
  readonly response: Res;
  readonly version: ProtocolVersion;
}

interface Pending {
  readonly message: MessageDefinition<unknown, unknown>;
  readonly resolve: (value: VersionedResponse<unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** The encoded frame, until it is written. */
  frame: Buffer | undefined;
  /** The protocol version `frame` was encoded in. */
  version: ProtocolVersion;
  /** The caller chose the version (its body holds bytes encoded for it): never re-encoded in another. */
  readonly pinned: boolean;
  readonly body: unknown;
  readonly correlationId: number;
}

/**
 * One multiplexed connection to a broker: many requests in flight, each answered by
 * correlation id in whatever order the broker finishes them; pushes routed by subscription id.
 * Every pending request has a deadline; on a lost connection every in-flight request is
 * rejected (its outcome unknown) and the connection is re-established with backoff, after
 * which queued requests go out and `connected` listeners (consumers re-subscribing) run.
 *
 * Until it is closed (by `close()`, or by reconnecting giving up) the connection keeps the
 * process alive, reconnecting included, as a socket would: a script whose only work is a
 * consumer loop runs until the client is closed.
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
  private readonly events = new ConnectionEvents();
  private outgoing: Buffer[] = [];
  private flushScheduled = false;
  private nextCorrelationId = 1;
  /** Hello answered on the current transport. */
  private ready = false;
  /** Why the connection is closed (ClientClosedError or ConnectionLostError); undefined while open. */
  private closedBy: Error | undefined;
  private reconnecting = false;
  /** Ends a reconnect back-off early when the connection is closed. */
  private wakeReconnect: (() => void) | undefined;
  /** Aborts a connection attempt in progress when the connection is closed. */
  private readonly connectAbort = new AbortController();
  private helloResponse: HelloResponse | undefined;
  /** The protocol version of this connection: Hello's answer (requests before it are Hello, in the base version). */
  private version: ProtocolVersion = baseProtocolVersion;
  private closingReason: string | undefined;
  private readonly options: Required<Omit<BrokerConnectionOptions, 'authToken' | 'reconnect' | 'protocolVersion'>> & Pick<BrokerConnectionOptions, 'authToken' | 'reconnect'>;
  private readonly versionOffered: ProtocolVersion;

  private constructor(options: BrokerConnectionOptions) {
    this.options = {
      transports: options.transports,
      clientId: options.clientId ?? `odlog-client-${process.pid}`,
      authToken: options.authToken,
      connectTimeoutMs: options.connectTimeoutMs ?? limits.clientConnectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? limits.clientRequestTimeoutMs,
      maxPendingRequests: options.maxPendingRequests ?? limits.clientPendingRequestsMax,
      reconnect: options.reconnect,
      frameBytesMax: options.frameBytesMax ?? limits.clientFrameBytesMax,
    };
    if (options.protocolVersion !== undefined && !isProtocolVersion(options.protocolVersion)) {
      throw new InvalidArgumentError(`protocolVersion must be one of ${protocolVersions.join(', ')}, got ${String(options.protocolVersion)}`);
    }
    this.versionOffered = options.protocolVersion ?? latestProtocolVersion;
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

  /** The protocol version the broker speaks with this client (from the latest Hello). */
  get protocolVersion(): ProtocolVersion {
    return this.version;
  }

  get isConnected(): boolean {
    return this.transport !== undefined && this.ready;
  }

  /** Closed by `close()` or because reconnecting gave up; requests then fail at once. */
  get isClosed(): boolean {
    return this.closedBy !== undefined;
  }

  /**
   * Listen to a connection event (see ConnectionEventMap); returns a function that stops listening.
   *
   * @example
   * connection.on('error', (error) => console.error(`broker lost for good: ${error.message}`));
   */
  on<E extends keyof ConnectionEventMap>(event: E, listener: ConnectionEventMap[E]): () => void {
    return this.events.on(event, listener);
  }

  /** Send a request; resolves with its response or rejects with a typed error. */
  async request<Req, Res>(message: MessageDefinition<Req, Res>, body: Req, options: RequestOptions = {}): Promise<Res> {
    return (await this.requestVersioned(message, body, options)).response;
  }

  /**
   * Send a request; resolves with its response and the protocol version it came in (which says
   * how to read the batches nested in it), or rejects with a typed error.
   */
  requestVersioned<Req, Res>(message: MessageDefinition<Req, Res>, body: Req, options: RequestOptions = {}): Promise<VersionedResponse<Res>> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedError());
    // Hello is not counted: a connection full of requests waiting for a reconnect must still reconnect.
    if (message.type !== Hello.type && this.pending.size + this.waiting.length >= this.options.maxPendingRequests) {
      return Promise.reject(new ThrottledError(ErrorCode.Throttled, `${this.options.maxPendingRequests} requests are already pending on this connection; wait for some to finish`));
    }
    const correlationId = this.allocateCorrelationId();
    // Hello goes in the base version, which every broker reads; the rest in the connection's,
    // or in the one the caller encoded nested bytes for (a broker speaks every version up to its newest).
    const version = message.type === Hello.type ? baseProtocolVersion : (options.version ?? this.version);
    if (version > this.version) return Promise.reject(versionTooNew(message.name, version, this.version));
    let frame: Buffer;
    try {
      frame = encodeRequest(message, body, version, correlationId);
    } catch (error) {
      return Promise.reject(new InvalidArgumentError(`the ${message.name} request cannot be encoded: ${(error as Error).message}`));
    }
    return new Promise<VersionedResponse<Res>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      const entry: Pending = {
        message: message as MessageDefinition<unknown, unknown>,
        resolve: resolve as (value: VersionedResponse<unknown>) => void,
        reject,
        frame,
        version,
        pinned: options.version !== undefined,
        body,
        correlationId,
        timer: setTimeout(() => {
          this.forget(entry);
          reject(new RequestTimeoutError(`${message.name} got no answer within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      if (this.isConnected || (message.type === Hello.type && this.transport !== undefined)) this.dispatch(entry);
      else this.waiting.push(entry);
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

  /**
   * Close now: pending requests reject with ClientClosedError, reconnecting stops, `closed`
   * listeners (consumers ending their iterators) run. Idempotent.
   */
  close(): void {
    this.shutDown(new ClientClosedError('the client was closed'));
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
      const version = isProtocolVersion(frame.version) ? frame.version : baseProtocolVersion;
      if ((frame.flags & FrameFlags.Error) !== 0) entry.reject(errorFromBody(errorBody.at(version).decode(frame.body)));
      else entry.resolve({ response: entry.message.response.at(version).decode(frame.body), version });
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
    if (this.transport !== undefined) this.dropTransport(this.transport, new ConnectionError(`the broker's stream could not be parsed: ${reason}`));
  }

  // ---- internals ------------------------------------------------------------------------------------

  private closedError(): Error {
    const closedBy = this.closedBy as Error;
    return closedBy instanceof ConnectionLostError ? new ConnectionLostError(closedBy.message) : new ClientClosedError('the client is closed');
  }

  private allocateCorrelationId(): number {
    do {
      this.nextCorrelationId = (this.nextCorrelationId + 1) >>> 0 || 1;
    } while (this.pending.has(this.nextCorrelationId));
    return this.nextCorrelationId;
  }

  private dispatch(entry: Pending): void {
    if (entry.pinned && entry.version > this.version) {
      // Queued while the connection was down, and the broker it came back to is older.
      this.forget(entry);
      entry.reject(versionTooNew(entry.message.name, entry.version, this.version));
      return;
    }
    if (entry.message.type !== Hello.type && !entry.pinned && entry.version !== this.version) {
      // Queued while the connection was down, and the broker it came back to speaks another version.
      try {
        entry.frame = encodeRequest(entry.message, entry.body, this.version, entry.correlationId);
        entry.version = this.version;
      } catch (error) {
        this.forget(entry);
        entry.reject(new InvalidArgumentError(`the ${entry.message.name} request cannot be sent in protocol version ${this.version}: ${(error as Error).message}`));
        return;
      }
    }
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

  /** Reject every request in flight (their outcome is unknown) and, with `alsoWaiting`, those not yet sent. */
  private rejectPending(error: Error, alsoWaiting: boolean): void {
    const entries = [...this.pending.values(), ...(alsoWaiting ? this.waiting.splice(0) : [])];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }

  /** Open a transport and say Hello on it; on success, queued requests go out and `connected` runs. */
  private async establish(): Promise<void> {
    const transport = await this.options.transports(this.options.connectTimeoutMs, this.connectAbort.signal);
    if (this.closedBy !== undefined) {
      transport.close();
      throw this.closedError();
    }
    this.transport = transport;
    this.ready = false;
    this.outgoing = [];
    this.decoder = new FrameDecoder(this.options.frameBytesMax);
    transport.onData((chunk) => {
      if (this.transport === transport) this.decoder.push(chunk, this);
    });
    transport.onClose((error) => {
      const reason = this.closingReason ?? error?.message;
      this.closingReason = undefined;
      this.dropTransport(transport, new ConnectionError(`connection to the broker lost${reason ? `: ${reason}` : ''}`));
    });
    try {
      this.helloResponse = await this.sayHello();
      const answered = this.helloResponse.protocolVersion;
      if (!isProtocolVersion(answered) || answered > this.versionOffered) {
        throw new ConnectionError(`the broker answered Hello with protocol version ${answered}, which this client did not offer (it speaks 1 to ${this.versionOffered})`);
      }
      this.version = answered;
    } catch (error) {
      if (this.transport === transport) this.transport = undefined;
      transport.close();
      throw error;
    }
    if (this.transport !== transport) throw new ConnectionError('connection to the broker lost right after Hello');
    this.ready = true;
    for (const entry of this.waiting.splice(0)) this.dispatch(entry);
    this.events.emit('connected');
  }

  /**
   * Hello, offering the newest version this client speaks. A broker older than version 2 answers
   * an offer above 1 with UNSUPPORTED_VERSION: then offer 1.
   */
  private async sayHello(): Promise<HelloResponse> {
    const say = (protocolVersion: ProtocolVersion): Promise<HelloResponse> =>
      this.request(Hello, { protocolVersion, clientId: this.options.clientId, authToken: this.options.authToken ?? null }, { timeoutMs: this.options.connectTimeoutMs });
    try {
      return await say(this.versionOffered);
    } catch (error) {
      if (!(error instanceof BrokerRequestError) || error.code !== ErrorCode.UnsupportedVersion || this.versionOffered === baseProtocolVersion) throw error;
      return say(baseProtocolVersion);
    }
  }

  /**
   * `transport` is gone (closed by the broker, the network, or us after a stream error). Before
   * Hello completed, only the Hello in flight fails (establish() reports it); after, every request
   * in flight fails, those waiting stay, and reconnecting starts.
   */
  private dropTransport(transport: Transport, cause: Error): void {
    if (this.transport !== transport) return;
    this.transport = undefined;
    this.outgoing = [];
    transport.close();
    const wasReady = this.ready;
    this.ready = false;
    this.rejectPending(cause, false);
    if (!wasReady || this.closedBy !== undefined) return;
    this.events.emit('disconnected', { cause });
    if (this.options.reconnect === false) this.shutDown(new ConnectionLostError(`${cause.message} (reconnecting is off)`));
    else void this.reconnectLoop(cause);
  }

  /**
   * Reconnect with exponential backoff (jittered) until connected, closed, or a give-up bound is
   * reached. The back-off timer is deliberately not unref()ed: a consumer waiting for the broker
   * to come back is work, and the process must not exit under it.
   */
  private async reconnectLoop(cause: Error): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const r = this.options.reconnect === false ? {} : (this.options.reconnect ?? {});
    const initial = r.initialDelayMs ?? limits.clientReconnectDelayInitialMs;
    const max = r.maxDelayMs ?? limits.clientReconnectDelayMaxMs;
    const since = Date.now();
    let lastError = cause;
    try {
      for (let attempt = 1; this.closedBy === undefined; attempt++) {
        const downMs = Date.now() - since;
        if (r.maxAttempts !== undefined && attempt > r.maxAttempts) {
          this.shutDown(new ConnectionLostError(`gave up reconnecting to the broker after ${attempt - 1} attempts: ${lastError.message}`));
          return;
        }
        if (r.giveUpAfterMs !== undefined && downMs >= r.giveUpAfterMs) {
          this.shutDown(new ConnectionLostError(`gave up reconnecting to the broker after ${(downMs / 1000).toFixed(1)} s disconnected (${attempt - 1} attempts): ${lastError.message}`));
          return;
        }
        let delayMs = Math.min(max, initial * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        // The last attempt is made when the give-up time comes, not a whole back-off after it.
        if (r.giveUpAfterMs !== undefined) delayMs = Math.min(delayMs, r.giveUpAfterMs - downMs);
        this.events.emit('reconnecting', { attempt, delayMs, cause: lastError });
        await this.backOff(delayMs);
        if (this.closedBy !== undefined) return;
        try {
          await this.establish();
          this.events.emit('reconnected', { attempts: attempt, downtimeMs: Date.now() - since });
          return;
        } catch (error) {
          lastError = error as Error;
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private backOff(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeReconnect = undefined;
        resolve();
      }, delayMs);
      this.wakeReconnect = () => {
        clearTimeout(timer);
        this.wakeReconnect = undefined;
        resolve();
      };
    });
  }

  /** Close for good with `reason`: fail every pending request with it, stop reconnecting, tell listeners. */
  private shutDown(reason: ClientClosedError | ConnectionLostError): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    this.flush();
    this.rejectPending(reason, true);
    this.wakeReconnect?.();
    this.connectAbort.abort();
    const transport = this.transport;
    this.transport = undefined;
    this.ready = false;
    transport?.close();
    const lost = reason instanceof ConnectionLostError ? reason : undefined;
    if (lost !== undefined) this.events.emit('error', lost);
    this.events.emit('closed', { error: lost });
  }
}

function versionTooNew(what: string, version: ProtocolVersion, spoken: ProtocolVersion): ProtocolVersionError {
  return new ProtocolVersionError(`${what} was encoded for protocol version ${version}, but the broker speaks ${spoken}`, spoken);
}

function encodeRequest(message: MessageDefinition<unknown, unknown>, body: unknown, version: ProtocolVersion, correlationId: number): Buffer {
  return encodeFrame({ messageType: message.type, version, flags: 0, correlationId }, message.request.at(version), body);
}

function safeErrorMessage(body: Buffer): string {
  try {
    return errorBody.at(baseProtocolVersion).decode(body).message;
  } catch {
    return 'the broker reported an unreadable error';
  }
}
