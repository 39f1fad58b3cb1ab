import type { Socket } from 'node:net';
import { logConnectionClosed } from './ConnectionClosedLog.js';
import { ErrorCode } from '../protocol/ErrorCode.js';
import { encodeFrame } from '../protocol/frame/FrameEncoder.js';
import { FrameDecoder, type FrameSink } from '../protocol/frame/FrameDecoder.js';
import { FrameFlags, type Frame, type FrameHeader } from '../protocol/frame/FrameHeader.js';
import { messageTypeName, MessageType } from '../protocol/MessageType.js';
import { baseProtocolVersion, isProtocolVersion, protocolVersions, type ProtocolVersion } from '../protocol/ProtocolVersion.js';
import { errorBody } from '../protocol/messages/error.js';
import { limits } from '../limits.js';
import { Permissions } from './auth/Permissions.js';
import type { BrokerContext } from './BrokerContext.js';
import { BrokerError, toErrorBody } from './BrokerError.js';
import type { RequestConnection } from './handlers/Handler.js';
import { routes, type Route } from './handlers/RequestRouter.js';
import { OutboundQueue } from './OutboundQueue.js';
import type { Subscription } from './subscriptions/Subscription.js';

interface HeldRequest {
  readonly frame: Frame;
  readonly route: Route<unknown, unknown>;
  readonly request: unknown;
  readonly version: ProtocolVersion;
  readonly reserve: number;
}

/** The most bytes a request's response can take (scans and listings are bounded by their limits). */
function responseBytesBound(messageType: number, request: unknown): number {
  if (messageType === MessageType.Scan) {
    const { limit, maxBytes } = request as { limit: number; maxBytes: number };
    return Math.min(Math.max(1, maxBytes), limits.scanBytesMax) + limits.scanEntryOverheadBytes * Math.min(Math.max(1, limit), limits.scanEntriesMax) + limits.responseOverheadBytes;
  }
  if (messageType === MessageType.ListKeys) return limits.listKeysBytesMax + limits.responseOverheadBytes;
  if (messageType === MessageType.Stats) return limits.statsResponseBytesMax;
  if (messageType === MessageType.ListCursors) return limits.listCursorsBytesMax + limits.responseOverheadBytes;
  if (messageType === MessageType.BackupRead) return limits.backupReadBytesMax + limits.responseOverheadBytes;
  return limits.responseOverheadBytes;
}

/**
 * One client connection: decodes frames, serves requests concurrently (responses go out as they
 * complete, in any order), and keeps every per-connection bound: requests in flight, output
 * bytes (reading stops while the client does not read; a client that never reads is cut off),
 * subscriptions, Hello, idle and partial-frame deadlines.
 *
 * Every connection is logged twice at debug level, whatever ends it: `connection_opened`, and
 * `connection_closed` with its duration, requests, bytes in and out and the reason it closed.
 */
export class Connection implements RequestConnection, FrameSink {
  private readonly decoder: FrameDecoder;
  private readonly out: OutboundQueue;
  private inFlight = 0;
  private authenticated: boolean;
  private principal = 'anonymous';
  private grant: Permissions = Permissions.full;
  private paused = false;
  private framesDecoded = 0;
  /** Bytes promised to responses of requests in flight (see responseBytesBound). */
  private reserved = 0;
  private readonly held: HeldRequest[] = [];
  private closed = false;
  private partialFrameTimer: NodeJS.Timeout | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private drainWaiters: (() => void)[] = [];
  private markClosed: () => void = () => undefined;
  private readonly openedAtMs = Date.now();
  private requests = 0;
  private bytesIn = 0;
  /** Why the connection is closing, once the broker or the peer decided it (first reason wins). */
  private closeReason: string | undefined;
  /** Closed by the broker for breaking a bound (logged at info), rather than in the normal course. */
  private cutOff = false;
  /** A connection-level error was sent: frames after it are ignored while the socket closes. */
  private streamRefused = false;
  readonly remote: string;
  readonly subscriptions = new Map<number, Subscription>();
  /** Resolves once the socket is closed and the connection torn down. */
  readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly ctx: BrokerContext,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(ctx.config.frameBytesMax);
    this.out = new OutboundQueue(socket, (bytes) => (ctx.stats.sentBytesTotal += bytes));
    this.authenticated = !ctx.authenticator.required;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.setTimeout(ctx.config.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => this.onIdle());
    socket.on('error', (error) => {
      this.closeReason ??= `socket error: ${error.message}`;
      ctx.logger.debug('connection_error', { connection: id, error: error.message });
    });
    socket.on('end', () => (this.closeReason ??= 'closed by the client'));
    socket.on('close', () => this.teardown());
    if (ctx.authenticator.required) {
      this.helloTimer = setTimeout(() => this.abort('no valid Hello in time'), ctx.config.helloTimeoutMs);
    }
  }

  get permissions(): Permissions {
    return this.grant;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Bytes queued for this client and not yet taken by the kernel. */
  get outputQueuedBytes(): number {
    return this.out.pendingBytes;
  }

  authenticate(principal: string, permissions: Permissions): void {
    this.authenticated = true;
    this.principal = principal;
    this.grant = permissions;
    clearTimeout(this.helloTimer);
  }

  // ---- PushOutput ---------------------------------------------------------------------------------

  canPush(): boolean {
    return !this.closed && this.out.pendingBytes < this.ctx.config.outputBufferBytesMax;
  }

  push(frame: Buffer): void {
    this.send(frame);
  }

  delivered(records: number): void {
    this.ctx.stats.delivered(records);
  }

  // ---- FrameSink ------------------------------------------------------------------------------------

  frame(frame: Frame): void {
    if (this.streamRefused) return;
    this.framesDecoded++;
    this.requests++;
    this.ctx.stats.request(frame.messageType);
    if (frame.correlationId === 0) {
      // The broker's own frames with correlation id 0 are connection-level errors: an answer to
      // a request carrying 0 could not be told apart from one, so the stream is refused instead.
      return this.refuseStream('correlation id 0 is reserved for connection-level errors; number requests from 1');
    }
    const route = routes.get(frame.messageType);
    const version = frame.version;
    if (!isProtocolVersion(version)) {
      return this.fail(frame, new BrokerError(ErrorCode.UnsupportedVersion, `protocol version ${version} is not supported; this broker speaks ${protocolVersions.join(' and ')}`));
    }
    if ((frame.flags & (FrameFlags.Response | FrameFlags.Push | FrameFlags.Error)) !== 0) {
      return this.fail(frame, new BrokerError(ErrorCode.InvalidRequest, 'clients send requests only (no RESPONSE, PUSH or ERROR flag)'));
    }
    if (route === undefined) {
      return this.fail(frame, new BrokerError(ErrorCode.UnknownMessage, `message type ${frame.messageType} is not one this broker serves`));
    }
    if (this.ctx.shuttingDown) return this.fail(frame, new BrokerError(ErrorCode.ShuttingDown, 'the broker is shutting down; reconnect to it (or another) shortly'));
    if (!this.authenticated && frame.messageType !== MessageType.Hello) {
      return this.fail(frame, new BrokerError(ErrorCode.Unauthorized, 'send Hello with a valid auth token first'));
    }
    if (this.inFlight >= this.ctx.config.inFlightRequestsMax) {
      return this.fail(frame, new BrokerError(ErrorCode.Throttled, `more than ${this.ctx.config.inFlightRequestsMax} requests in flight on this connection; wait for responses`));
    }
    let request: unknown;
    try {
      // Each frame is read in its own version, and answered in it.
      request = route.message.request.at(version).decode(frame.body);
    } catch (error) {
      return this.fail(frame, error);
    }
    const reserve = responseBytesBound(frame.messageType, request);
    if (this.held.length > 0 || !this.hasRoomFor(reserve)) {
      // Serve it once the client has read enough: a client that never reads cannot make the
      // broker build responses without end. Reading stops meanwhile, so this list holds at most
      // what one chunk carried.
      this.held.push({ frame, route, request, version, reserve });
      this.socket.pause();
      return;
    }
    this.dispatch(frame, route, request, version, reserve);
  }

  private dispatch(frame: Frame, route: Route<unknown, unknown>, request: unknown, version: ProtocolVersion, reserve: number): void {
    this.inFlight++;
    this.reserved += reserve;
    const done = (): void => {
      this.reserved -= reserve;
      this.requestDone();
    };
    const startedAt = frame.messageType === MessageType.Append ? performance.now() : 0;
    let result: unknown;
    try {
      result = route.handler(this.ctx, this, request, version);
    } catch (error) {
      this.fail(frame, error);
      done();
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (response) => {
          if (startedAt > 0) this.ctx.stats.appendAck.observe((performance.now() - startedAt) / 1000);
          this.respond(frame, response);
        },
        (error: unknown) => this.fail(frame, error),
      ).finally(done);
    } else {
      this.respond(frame, result);
      done();
    }
  }

  /**
   * Whether to start a request whose response may take `bytes`: only while the client reads (its
   * queued output is under the bound) and while the responses still being built (long-polls
   * waiting, scans) could not together take more than a few times the bound.
   */
  private hasRoomFor(bytes: number): boolean {
    const bound = this.ctx.config.outputBufferBytesMax;
    const pending = this.out.pendingBytes;
    if (pending === 0 && this.reserved === 0) return true;
    return pending < bound && this.reserved + bytes <= limits.responseReservationFactor * bound;
  }

  /** Serve held requests while there is room; read again once none is left. */
  private releaseHeld(): void {
    while (this.held.length > 0 && !this.closed && this.hasRoomFor(this.held[0].reserve)) {
      const next = this.held.shift() as HeldRequest;
      if (this.inFlight >= this.ctx.config.inFlightRequestsMax) {
        this.fail(next.frame, new BrokerError(ErrorCode.Throttled, `more than ${this.ctx.config.inFlightRequestsMax} requests in flight on this connection; wait for responses`));
        continue;
      }
      this.dispatch(next.frame, next.route, next.request, next.version, next.reserve);
    }
    if (this.held.length === 0 && !this.paused && !this.closed) this.socket.resume();
  }

  oversized(length: number, header: FrameHeader | undefined): void {
    if (this.streamRefused) return;
    this.ctx.logger.warn('frame_too_large', { connection: this.id, length, max: this.ctx.config.frameBytesMax });
    this.fail(header ?? { messageType: 0, version: baseProtocolVersion, flags: 0, correlationId: 0 }, new BrokerError(ErrorCode.FrameTooLarge, `a frame of ${length} bytes is over frameBytesMax (${this.ctx.config.frameBytesMax}); it was skipped`));
  }

  malformed(reason: string): void {
    this.ctx.logger.warn('stream_unparseable', { connection: this.id, reason });
    this.refuseStream(`the stream cannot be parsed (${reason})`);
  }

  /** A connection-level INVALID_REQUEST (message type 0, correlation id 0), then close. */
  private refuseStream(reason: string): void {
    this.streamRefused = true;
    this.closeReason ??= `protocol violation: ${reason}`;
    this.cutOff = true;
    this.fail({ messageType: 0, version: baseProtocolVersion, flags: 0, correlationId: 0 }, new BrokerError(ErrorCode.InvalidRequest, `${reason}; closing the connection`));
    this.out.flush();
    this.socket.end();
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  /** Resolve once no request is in flight (or at once). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** End every subscription with `code` (shutdown), flush and close. */
  close(code: number, message: string, reason: string): void {
    this.closeReason ??= reason;
    for (const sub of this.subscriptions.values()) sub.end(code, message);
    this.out.flush();
    this.socket.end();
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.ctx.stats.receivedBytesTotal += chunk.length;
    const framesBefore = this.framesDecoded;
    this.decoder.push(chunk, this);
    // The deadline is per frame: it starts when a frame's first byte is buffered and restarts
    // whenever a frame completes, so steady pipelined traffic that splits frames is never cut off.
    if (this.framesDecoded !== framesBefore || !this.decoder.inFrame) {
      clearTimeout(this.partialFrameTimer);
      this.partialFrameTimer = undefined;
    }
    if (this.decoder.inFrame) {
      this.partialFrameTimer ??= setTimeout(() => this.abort(`a frame did not complete within ${this.ctx.config.partialFrameTimeoutMs} ms`), this.ctx.config.partialFrameTimeoutMs);
    }
  }

  private respond(header: FrameHeader, response: unknown): void {
    const route = routes.get(header.messageType);
    if (route === undefined || this.closed || !isProtocolVersion(header.version)) return;
    const version = header.version;
    this.send(encodeFrame({ messageType: header.messageType, version, flags: FrameFlags.Response, correlationId: header.correlationId }, route.message.response.at(version), response));
  }

  private fail(header: FrameHeader, error: unknown): void {
    const body = toErrorBody(error);
    this.ctx.stats.error(header.messageType, body.code);
    if (body.code === ErrorCode.Internal) this.ctx.logger.error('request_failed', { connection: this.id, message: messageTypeName(header.messageType), error: (error as Error)?.stack ?? String(error) });
    else this.ctx.logger.debug('request_error', { connection: this.id, message: messageTypeName(header.messageType), code: body.code, error: body.message });
    if (this.closed) return;
    // An error is answered in the request's version when the broker speaks it (the body is the same in every version).
    const version = isProtocolVersion(header.version) ? header.version : baseProtocolVersion;
    this.send(encodeFrame({ messageType: header.messageType, version, flags: FrameFlags.Response | FrameFlags.Error, correlationId: header.correlationId }, errorBody.at(version), body));
  }

  private send(frame: Buffer): void {
    if (this.closed) return;
    this.out.send(frame);
    if (!this.paused && this.out.pendingBytes >= this.ctx.config.outputBufferBytesMax) {
      // The client is not reading: stop reading its requests until it does.
      this.paused = true;
      this.socket.pause();
      const stallMs = this.ctx.config.outputStallTimeoutMs;
      this.stallTimer = setTimeout(() => this.abort(`the client read nothing for ${stallMs} ms while ${this.out.pendingBytes} bytes waited (outputStallTimeoutMs)`), stallMs);
    }
  }

  private onDrain(): void {
    if (this.paused && this.out.pendingBytes < this.ctx.config.outputBufferBytesMax / 2) {
      this.paused = false;
      clearTimeout(this.stallTimer);
      if (this.held.length === 0) this.socket.resume();
    }
    this.releaseHeld();
    for (const sub of this.subscriptions.values()) if (!sub.isLive) sub.resume();
  }

  private requestDone(): void {
    this.inFlight--;
    this.releaseHeld();
    if (this.inFlight === 0 && this.held.length === 0 && this.drainWaiters.length > 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private onIdle(): void {
    if (this.inFlight === 0 && this.subscriptions.size === 0 && this.out.pendingBytes === 0) this.abort('idle');
  }

  /** Cut the connection off for breaking a bound or a deadline. */
  private abort(reason: string): void {
    this.closeReason ??= reason;
    this.cutOff = true;
    this.socket.destroy();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.partialFrameTimer);
    clearTimeout(this.helloTimer);
    clearTimeout(this.stallTimer);
    this.out.close();
    for (const sub of this.subscriptions.values()) {
      sub.close();
      this.ctx.subscriptions.remove(sub);
    }
    this.subscriptions.clear();
    this.held.length = 0;
    this.ctx.longPolls.release(this);
    this.ctx.backups.release(this);
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.onClosed(this);
    logConnectionClosed(
      this.ctx.logger,
      'connection_closed',
      { id: this.id, remote: this.remote, principal: this.principal, openedAtMs: this.openedAtMs, requests: this.requests, bytesIn: this.bytesIn, bytesOut: this.out.sentBytes, reason: this.closeReason, cutOff: this.cutOff },
    );
    this.markClosed();
  }
}
