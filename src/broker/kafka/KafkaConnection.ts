import type { Socket } from 'node:net';
import { logConnectionClosed } from '../ConnectionClosedLog.js';
import { ApiKey, apiKeyName, isSupportedVersion } from '../../protocol/kafka/ApiKeys.js';
import { encodeApiVersionsUnsupported, isUnsupportedApiVersionsRequest } from '../../protocol/kafka/apis/apiVersions.js';
import { KafkaFrameDecoder } from '../../protocol/kafka/frame/KafkaFrameDecoder.js';
import { decodeRequestHeader, type RequestHeader } from '../../protocol/kafka/frame/RequestHeader.js';
import { KafkaDecodeError } from '../../protocol/kafka/KafkaDecodeError.js';
import { limits } from '../../limits.js';
import { Permissions } from '../auth/Permissions.js';
import type { LogFields } from '../Logger.js';
import { OutboundQueue } from '../OutboundQueue.js';
import type { KafkaClientConnection, KafkaContext } from './KafkaContext.js';
import { CloseConnection } from './CloseConnection.js';
import { answerSaslToken } from './handlers/sasl.js';
import type { KafkaHandler } from './KafkaHandler.js';

/** A request's place in the answer order; `frame` is set once it is served. */
interface Slot {
  ready: boolean;
  frame: Buffer | undefined;
  /** The connection closes once this answer (if any) and every one before it are written. */
  last: boolean;
}

/** Requests a client may send before it authenticated (when the broker has tokens). */
const beforeAuth = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake]);

/**
 * One Kafka client connection. Requests are served concurrently (a Produce is appended while a
 * Fetch long-polls), but answered in the order they arrived, as Kafka clients require.
 *
 * Bounds, as the native listener's: frameBytesMax (refused from the size field, then closed),
 * inFlightRequestsMax (beyond it the connection is not read until answers go out), output bytes
 * (reading stops while the client does not read; cut off after outputStallTimeoutMs), idle,
 * partial-frame and authentication deadlines. What Kafka answers by closing, odlog closes too:
 * an API or version it does not serve, bytes that do not decode, a request before SASL
 * authentication when tokens are required, a failed authentication. Each refusal is logged
 * once per connection and kind, with the client id.
 */
export class KafkaConnection implements KafkaClientConnection {
  private readonly decoder: KafkaFrameDecoder;
  private readonly out: OutboundQueue;
  private readonly slots: Slot[] = [];
  private readonly held: Buffer[] = [];
  private inFlight = 0;
  private closing = false;
  private closed = false;
  private outputPaused = false;
  private sasl: 'none' | 'v0' | 'v1' = 'none';
  private isAuthenticated: boolean;
  private grant: Permissions = Permissions.full;
  private principalName = 'anonymous';
  private partialFrameTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly refusalsLogged = new Set<string>();
  private readonly openedAtMs = Date.now();
  private requests = 0;
  private bytesIn = 0;
  private closeReason: string | undefined;
  private cutOff = false;
  private drainWaiters: (() => void)[] = [];
  private markClosed: () => void = () => undefined;
  clientId = '';
  readonly remote: string;
  readonly remoteHost: string;
  readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly ctx: KafkaContext,
    private readonly routes: ReadonlyMap<number, KafkaHandler>,
    readonly advertised: { readonly host: string; readonly port: number },
    private readonly onClosed: (connection: KafkaConnection) => void,
  ) {
    this.decoder = new KafkaFrameDecoder(ctx.config.frameBytesMax);
    this.out = new OutboundQueue(socket, (bytes) => (ctx.stats.sentBytesTotal += bytes));
    this.isAuthenticated = !ctx.authenticator.required;
    this.remoteHost = socket.remoteAddress ?? '';
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.setTimeout(ctx.config.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => {
      if (this.inFlight === 0 && this.out.pendingBytes === 0) this.abort('idle');
    });
    socket.on('error', (error) => {
      this.closeReason ??= `socket error: ${error.message}`;
      ctx.logger.debug('kafka_connection_error', { connection: id, error: error.message });
    });
    socket.on('end', () => (this.closeReason ??= 'closed by the client'));
    socket.on('close', () => this.teardown());
    if (ctx.authenticator.required) {
      this.authTimer = setTimeout(() => {
        this.refuse('auth_timeout', { reason: `no SASL/PLAIN authentication within ${ctx.config.helloTimeoutMs} ms (helloTimeoutMs)` });
        this.abort('no SASL authentication in time');
      }, ctx.config.helloTimeoutMs);
    }
  }

  get permissions(): Permissions {
    return this.grant;
  }

  get principal(): string {
    return this.principalName;
  }

  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  saslHandshake(version: number): void {
    this.sasl = version === 0 ? 'v0' : 'v1';
  }

  authenticate(principal: string, permissions: Permissions): void {
    this.isAuthenticated = true;
    this.principalName = principal;
    this.grant = permissions;
    this.sasl = 'none';
    clearTimeout(this.authTimer);
  }

  refuse(kind: string, fields: LogFields): void {
    if (this.refusalsLogged.has(kind) || this.refusalsLogged.size >= limits.kafkaRefusalsLoggedMax) return;
    this.refusalsLogged.add(kind);
    this.ctx.logger.warn('kafka_refused', { kind, connection: this.id, client: this.clientId, remote: this.remote, principal: this.principalName, ...fields });
  }

  /** Resolve once no request is in flight (or at once). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stop serving, write the answers of requests already served, and close. */
  close(reason: string): void {
    this.closeReason ??= reason;
    this.stopAfterPending();
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  // ---- input ----------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.ctx.stats.receivedBytesTotal += chunk.length;
    const before = this.requests;
    this.decoder.push(chunk, {
      frame: (payload) => this.onFrame(payload),
      error: (error) => {
        this.refuse(error.code === 'FRAME_TOO_LARGE' ? 'frame_too_large' : 'unparseable_stream', { reason: error.message });
        this.cutOff = true;
        this.closeReason ??= `protocol violation: ${error.message}`;
        this.stopAfterPending();
      },
    });
    // The deadline is per frame: it restarts whenever a frame completes.
    if (this.requests !== before || !this.decoder.inFrame) {
      clearTimeout(this.partialFrameTimer);
      this.partialFrameTimer = undefined;
    }
    if (this.decoder.inFrame && !this.closing) {
      this.partialFrameTimer ??= setTimeout(() => this.abort(`a frame did not complete within ${this.ctx.config.partialFrameTimeoutMs} ms`), this.ctx.config.partialFrameTimeoutMs);
    }
  }

  private onFrame(payload: Buffer): void {
    this.requests++;
    if (this.closing) return;
    if (this.held.length > 0 || !this.hasRoom()) {
      // Served once answers go out; reading stops meanwhile, so this holds at most one chunk's frames.
      this.held.push(payload);
      this.socket.pause();
      return;
    }
    this.serve(payload);
  }

  private hasRoom(): boolean {
    return this.inFlight < this.ctx.config.inFlightRequestsMax && !this.outputPaused;
  }

  private serve(payload: Buffer): void {
    if (this.sasl === 'v0') {
      // After SaslHandshake v0 the token comes as a bare frame, and its answer is one too.
      this.sasl = 'none';
      const answer = answerSaslToken(this.ctx, this, payload);
      this.slots.push({ ready: true, frame: answer, last: answer === undefined });
      if (answer === undefined) {
        this.cutOff = true;
        this.closeReason ??= 'SASL authentication failed';
        this.stopAfterPending();
      }
      this.flushSlots();
      return;
    }
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(payload);
    } catch (error) {
      this.fatal(error, undefined);
      return;
    }
    this.clientId = header.clientId ?? '';
    this.ctx.stats.kafka.request(header.apiKey);
    if (isUnsupportedApiVersionsRequest(header)) {
      this.slots.push({ ready: true, frame: encodeApiVersionsUnsupported(header.correlationId, this.ctx.apiVersions), last: false });
      this.flushSlots();
      return;
    }
    const handler = this.routes.get(header.apiKey);
    if (handler === undefined || !isSupportedVersion(header.apiKey, header.apiVersion)) {
      this.refuse(`unsupported:${header.apiKey}:${header.apiVersion}`, {
        api: apiKeyName(header.apiKey),
        version: header.apiVersion,
        reason: handler === undefined ? 'this API is not served; closing the connection as Kafka does' : 'this version is not served (see ApiVersions); closing the connection as Kafka does',
      });
      this.closeReason ??= `unsupported request ${apiKeyName(header.apiKey)} v${header.apiVersion}`;
      this.stopAfterPending();
      return;
    }
    if (this.ctx.shuttingDown) {
      // Kafka clients take a closed connection as "retry elsewhere, or here once it is back".
      this.closeReason ??= 'broker shutdown';
      this.stopAfterPending();
      return;
    }
    if (!this.isAuthenticated && !beforeAuth.has(header.apiKey) && !(header.apiKey === ApiKey.SaslAuthenticate && this.sasl === 'v1')) {
      this.refuse('unauthenticated', { api: apiKeyName(header.apiKey), reason: 'the broker has tokens: authenticate with SASL/PLAIN (username = token name, password = token) first' });
      this.closeReason ??= `${apiKeyName(header.apiKey)} before SASL authentication`;
      this.cutOff = true;
      this.stopAfterPending();
      return;
    }
    this.dispatch(header, payload, handler);
  }

  private dispatch(header: RequestHeader, payload: Buffer, handler: KafkaHandler): void {
    const slot: Slot = { ready: false, frame: undefined, last: false };
    this.slots.push(slot);
    this.inFlight++;
    let result: Promise<Buffer | undefined> | Buffer | undefined;
    const fail = (error: unknown): void => {
      slot.last = true; // set first: nothing after this request is answered
      if (error instanceof CloseConnection) {
        // Answered (when there is an answer) and closed, as Kafka does; the handler logged why.
        this.cutOff = true;
        this.closeReason ??= error.reason;
        this.stopAfterPending();
        this.finish(slot, error.answer);
        return;
      }
      this.fatal(error, header);
      this.finish(slot, undefined);
    };
    try {
      result = handler(this.ctx, this, header, payload);
    } catch (error) {
      fail(error);
      return;
    }
    if (result instanceof Promise) result.then((frame) => this.finish(slot, frame), fail);
    else this.finish(slot, result);
  }

  private finish(slot: Slot, frame: Buffer | undefined): void {
    slot.ready = true;
    slot.frame = frame;
    this.inFlight--;
    this.flushSlots();
    this.releaseHeld();
    if (this.inFlight === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** The request cannot be answered: close once the answers before it are written. */
  private fatal(error: unknown, header: RequestHeader | undefined): void {
    const api = header === undefined ? 'request header' : `${apiKeyName(header.apiKey)} v${header.apiVersion}`;
    if (error instanceof KafkaDecodeError) {
      this.refuse(`malformed:${header?.apiKey ?? -1}`, { api, code: error.code, reason: error.message });
      this.cutOff = true;
    } else {
      this.ctx.logger.error('kafka_request_failed', { connection: this.id, client: this.clientId, api, error: (error as Error)?.stack ?? String(error) });
    }
    this.closeReason ??= `${api} could not be served: ${(error as Error)?.message ?? String(error)}`;
    this.stopAfterPending();
  }

  /** Serve no more requests; close once the answers of those already taken are written. */
  private stopAfterPending(): void {
    if (this.closing) return;
    this.closing = true;
    this.held.length = 0;
    clearTimeout(this.partialFrameTimer);
    if (!this.slots.some((s) => s.last)) this.slots.push({ ready: true, frame: undefined, last: true });
    this.flushSlots();
  }

  private releaseHeld(): void {
    while (this.held.length > 0 && !this.closing && this.hasRoom()) this.serve(this.held.shift() as Buffer);
    if (this.held.length === 0 && !this.outputPaused && !this.closed && !this.closing) this.socket.resume();
  }

  // ---- output ---------------------------------------------------------------------------------------

  private flushSlots(): void {
    while (this.slots.length > 0 && this.slots[0].ready) {
      const slot = this.slots.shift() as Slot;
      if (slot.last) {
        if (slot.frame !== undefined) this.send(slot.frame);
        this.slots.length = 0;
        this.out.flush();
        this.socket.end();
        // Read on (and drop) until the client closes its side too, so 'close' comes.
        this.socket.resume();
        return;
      }
      if (slot.frame !== undefined) this.send(slot.frame);
    }
  }

  private send(frame: Buffer): void {
    if (this.closed) return;
    this.out.send(frame);
    if (!this.outputPaused && this.out.pendingBytes >= this.ctx.config.outputBufferBytesMax) {
      // The client is not reading: stop reading its requests until it does.
      this.outputPaused = true;
      this.socket.pause();
      const stallMs = this.ctx.config.outputStallTimeoutMs;
      this.stallTimer = setTimeout(() => this.abort(`the client read nothing for ${stallMs} ms while ${this.out.pendingBytes} bytes waited (outputStallTimeoutMs)`), stallMs);
    }
  }

  private onDrain(): void {
    if (this.outputPaused && this.out.pendingBytes < this.ctx.config.outputBufferBytesMax / 2) {
      this.outputPaused = false;
      clearTimeout(this.stallTimer);
      this.releaseHeld();
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  private abort(reason: string): void {
    this.closeReason ??= reason;
    this.cutOff = true;
    this.socket.destroy();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    clearTimeout(this.partialFrameTimer);
    clearTimeout(this.authTimer);
    clearTimeout(this.stallTimer);
    this.out.close();
    this.held.length = 0;
    this.ctx.waiters.release(this);
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.onClosed(this);
    logConnectionClosed(
      this.ctx.logger,
      'kafka_connection_closed',
      { id: this.id, remote: this.remote, principal: this.principalName, openedAtMs: this.openedAtMs, requests: this.requests, bytesIn: this.bytesIn, bytesOut: this.out.sentBytes, reason: this.closeReason, cutOff: this.cutOff }, { client: this.clientId },
    );
    this.markClosed();
  }
}
