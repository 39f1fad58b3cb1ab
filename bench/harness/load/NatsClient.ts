import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A minimal NATS core-protocol client for the load harness (no npm NATS client is allowed); the
 * JetStream layer on top of it lives in NatsLoadClient.
 *
 * Wire layout. Control lines end with CRLF; fields are separated by spaces; payloads follow
 * their control line and end with their own CRLF:
 *
 * ```
 * server -> client
 *   INFO {"server_id":"...","max_payload":1048576,"headers":true,...}\r\n
 *   MSG <subject> <sid> [reply-to] <#payload bytes>\r\n<payload>\r\n
 *   HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>\r\n<headers><payload>\r\n
 *        headers: NATS/1.0[ <status>[ <description>]]\r\n(<Name>: <value>\r\n)*\r\n
 *   PING\r\n   PONG\r\n   +OK\r\n   -ERR '<message>'\r\n
 * client -> server
 *   CONNECT {"verbose":false,"headers":true,"no_responders":true,...}\r\n
 *   PUB <subject> [reply-to] <#bytes>\r\n<payload>\r\n
 *   SUB <subject> [queue group] <sid>\r\n   UNSUB <sid> [max msgs]\r\n   PING\r\n   PONG\r\n
 * ```
 */

/** Bounds of the parser and client; each says what happens at the bound. */
export const natsLimits = {
  /** Longest control line kept while waiting for its CRLF. The server's own max_control_line for
   *  clients is 4 KiB, but its INFO can be longer (cluster URLs); beyond 64 KiB the stream is not
   *  NATS and the parser fails with a Protocol error. */
  controlLineBytesMax: 64 * 1024,
  /** Largest message (headers + payload) accepted, refused from its control line before anything
   *  is allocated. 64 MiB is the hard ceiling of the server's max_payload. */
  messageBytesMax: 64 * 1024 * 1024,
  /** Requests awaiting a reply. At the bound, `request`/`requestAll` reject at once with
   *  QueueFull and publish nothing. */
  requestsInFlightMax: 1_048_576,
  /** A request not answered within this fails with Timeout (the connection stays usable, as
   *  replies are matched by inbox token, not by order). */
  requestTimeoutMs: 30_000,
  /** PINGs sent by `flush` and not yet answered; beyond it, `flush` rejects with QueueFull. */
  pingsInFlightMax: 1024,
  /** Outgoing bytes coalesced before one `write`; flushed at this size or on the next microtask. */
  writeCoalesceBytes: 32 * 1024,
  connectTimeoutMs: 10_000,
} as const;

export type NatsClientErrorCode = 'Protocol' | 'Closed' | 'QueueFull' | 'Timeout' | 'Connect' | 'InvalidArgument' | 'ServerError' | 'NoResponders';

export class NatsClientError extends Error {
  override readonly name = 'NatsClientError';
  readonly codeName: string;

  constructor(readonly code: NatsClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.codeName = `nats:${code}`;
  }
}

/** What the parser produces, one per protocol operation. */
export type NatsFrame =
  | { readonly kind: 'info'; readonly json: string }
  | NatsMessage
  | { readonly kind: 'ping' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'ok' }
  | { readonly kind: 'err'; readonly message: string };

export interface NatsMessage {
  readonly kind: 'msg';
  readonly subject: string;
  readonly sid: number;
  readonly reply: string | undefined;
  /** The raw header block of an HMSG (parse with parseNatsHeaders); undefined for MSG. */
  readonly headers: Buffer | undefined;
  readonly payload: Buffer;
}

/** The parser's bounds (natsLimits by default; tests pass small ones). */
export interface NatsParserLimits {
  readonly controlLineBytesMax: number;
  readonly messageBytesMax: number;
}

const CR = 0x0d;
const LF = 0x0a;
const PING_FRAME = { kind: 'ping' } as const;
const PONG_FRAME = { kind: 'pong' } as const;
const OK_FRAME = { kind: 'ok' } as const;

interface MessageHead {
  readonly subject: string;
  readonly sid: number;
  readonly reply: string | undefined;
  readonly headerBytes: number; // -1 for MSG
  readonly totalBytes: number;
}

interface PendingBody extends MessageHead {
  readonly buf: Buffer; // body + CRLF
  filled: number;
}

/**
 * Bytes in, frames out; knows nothing of sockets. Feed it chunks split at any byte; it calls
 * `onFrame` for each complete operation, in order. Payloads are views into the fed chunk when
 * they arrived whole (never written to by the parser), copies otherwise. A malformed stream
 * throws NatsClientError('Protocol') and leaves the parser unusable.
 */
export class NatsParser {
  private partial: Buffer | undefined;
  private body: PendingBody | undefined;
  private failed = false;

  constructor(
    private readonly onFrame: (frame: NatsFrame) => void,
    private readonly limits: NatsParserLimits = natsLimits,
  ) {}

  feed(chunk: Buffer): void {
    if (this.failed) throw new NatsClientError('Protocol', 'parser already failed');
    try {
      this.parse(chunk);
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  private parse(chunk: Buffer): void {
    let data = chunk;
    let pos = 0;
    if (this.body !== undefined) {
      pos = this.fillBody(data, 0);
      if (this.body !== undefined) return;
    }
    if (this.partial !== undefined) {
      data = Buffer.concat([this.partial, data.subarray(pos)]);
      pos = 0;
      this.partial = undefined;
    }
    const end = data.length;
    while (pos < end) {
      const lf = data.indexOf(LF, pos);
      if (lf < 0) {
        if (end - pos > this.limits.controlLineBytesMax) throw protocolError(`control line longer than ${this.limits.controlLineBytesMax} bytes`);
        this.partial = Buffer.from(data.subarray(pos));
        return;
      }
      if (lf - pos > this.limits.controlLineBytesMax) throw protocolError(`control line longer than ${this.limits.controlLineBytesMax} bytes`);
      if (lf === pos || data[lf - 1] !== CR) throw protocolError('control line not ended by CRLF');
      const line = data.toString('utf8', pos, lf - 1);
      pos = lf + 1;
      const space = line.search(/[ \t]/);
      const op = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const rest = space < 0 ? '' : line.slice(space + 1).trim();
      switch (op) {
        case 'MSG':
        case 'HMSG': {
          const head = this.messageHeader(op, rest);
          const need = head.totalBytes + 2;
          if (end - pos >= need) {
            if (data[pos + need - 2] !== CR || data[pos + need - 1] !== LF) throw protocolError('message not ended by CRLF');
            this.message(head, data.subarray(pos, pos + need - 2));
            pos += need;
          } else {
            this.body = { ...head, buf: Buffer.allocUnsafe(need), filled: 0 };
            pos = this.fillBody(data, pos);
          }
          break;
        }
        case 'PING':
          this.onFrame(PING_FRAME);
          break;
        case 'PONG':
          this.onFrame(PONG_FRAME);
          break;
        case '+OK':
          this.onFrame(OK_FRAME);
          break;
        case '-ERR':
          this.onFrame({ kind: 'err', message: rest.replace(/^'(.*)'$/, '$1') });
          break;
        case 'INFO':
          this.onFrame({ kind: 'info', json: rest });
          break;
        default:
          throw protocolError(`unknown operation ${JSON.stringify(op.slice(0, 32))}`);
      }
    }
  }

  /** Parse `<subject> <sid> [reply] [<hdr bytes>] <total bytes>`, checking the size before anything is allocated for the body. */
  private messageHeader(op: 'MSG' | 'HMSG', args: string): MessageHead {
    const f = args.includes('\t') || args.includes('  ') ? args.split(/[ \t]+/) : args.split(' ');
    const sizes = op === 'MSG' ? 1 : 2;
    if (f.length !== 2 + sizes && f.length !== 3 + sizes) throw protocolError(`${op} with ${f.length} arguments`);
    const sid = decimal(f[1], 'sid');
    const reply = f.length === 3 + sizes ? f[2] : undefined;
    const total = decimal(f[f.length - 1], 'size');
    const headerBytes = op === 'HMSG' ? decimal(f[f.length - 2], 'header size') : -1;
    if (headerBytes > total) throw protocolError(`header size ${headerBytes} exceeds total ${total}`);
    if (total > this.limits.messageBytesMax) throw protocolError(`message of ${total} bytes exceeds ${this.limits.messageBytesMax}`);
    return { subject: f[0], sid, reply, headerBytes, totalBytes: total };
  }

  private fillBody(data: Buffer, pos: number): number {
    const body = this.body as PendingBody;
    const take = Math.min(body.buf.length - body.filled, data.length - pos);
    data.copy(body.buf, body.filled, pos, pos + take);
    body.filled += take;
    if (body.filled < body.buf.length) return pos + take;
    const n = body.buf.length - 2;
    if (body.buf[n] !== CR || body.buf[n + 1] !== LF) throw protocolError('message not ended by CRLF');
    this.body = undefined;
    this.message(body, body.buf.subarray(0, n));
    return pos + take;
  }

  private message(p: MessageHead, bytes: Buffer): void {
    const headers = p.headerBytes >= 0 ? bytes.subarray(0, p.headerBytes) : undefined;
    const payload = p.headerBytes >= 0 ? bytes.subarray(p.headerBytes) : bytes;
    this.onFrame({ kind: 'msg', subject: p.subject, sid: p.sid, reply: p.reply, headers, payload });
  }
}

function protocolError(reason: string): NatsClientError {
  return new NatsClientError('Protocol', `malformed NATS protocol: ${reason}`);
}

function decimal(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw protocolError(`bad ${what} ${JSON.stringify(text.slice(0, 32))}`);
  return Number(text);
}

export interface NatsHeaders {
  /** The status code of a status message (100 for flow control and heartbeats, 503 for no responders). */
  readonly status: number | undefined;
  readonly description: string;
  /** Header names as sent (NATS header names are case-sensitive in practice). */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

/** Parse an HMSG header block (`NATS/1.0[ status[ description]]\r\nName: value\r\n...\r\n\r\n`). */
export function parseNatsHeaders(block: Buffer): NatsHeaders {
  const lines = block.toString('utf8').split('\r\n');
  const first = /^NATS\/1\.0(?: (\d{3})(?: (.*))?)?$/.exec(lines[0]);
  if (first === null) throw protocolError(`bad header version line ${JSON.stringify(lines[0].slice(0, 64))}`);
  const values = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw protocolError(`bad header line ${JSON.stringify(line.slice(0, 64))}`);
    const name = line.slice(0, colon);
    const list = values.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    values.set(name, list);
  }
  return { status: first[1] === undefined ? undefined : Number(first[1]), description: first[2] ?? '', values };
}

/** The fields of the server's INFO that this client uses. */
export interface NatsServerInfo {
  readonly server_id: string;
  readonly version: string;
  readonly max_payload: number;
  readonly headers: boolean;
  readonly jetstream: boolean;
}

export interface NatsClientOptions {
  readonly name?: string;
  readonly requestTimeoutMs?: number;
  readonly requestsInFlightMax?: number;
  readonly connectTimeoutMs?: number;
}

/** One request or a whole `requestAll`; each entry in `pending` refers to it with its index. */
interface RequestGroup {
  readonly replies: NatsMessage[];
  remaining: number;
  settled: boolean;
  readonly resolve: (replies: NatsMessage[]) => void;
  readonly reject: (error: Error) => void;
}

interface PendingRequest {
  readonly group: RequestGroup;
  readonly index: number;
  readonly deadline: number;
}

/**
 * One NATS connection: publish, subscribe, and request/reply over a single wildcard inbox
 * subscription (`_INBOX.<random>.*`; the last token says which request a reply answers), so
 * thousands of requests are pipelined without a SUB each.
 *
 * Deadlines: every request gets the same timeout, so deadlines grow in the order requests are
 * made; the pending map keeps that order, and one timer armed for its oldest entry is enough.
 *
 * Errors: the server closes the connection after nearly every -ERR (authorization, maximum
 * payload, parser errors), so this client treats every -ERR as fatal.
 */
export class NatsClient {
  private readonly parser: NatsParser;
  private readonly subscriptions = new Map<number, (message: NatsMessage) => void>();
  private nextSid = 2; // 1 is the request inbox
  private readonly inbox: string;
  private nextToken = 0;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly pongWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private failure: NatsClientError | undefined;
  private readonly closed: Promise<void>;
  private readonly requestTimeoutMs: number;
  private readonly requestsInFlightMax: number;

  private constructor(private readonly transport: Duplex, readonly info: NatsServerInfo, parser: NatsParser, options: NatsClientOptions) {
    this.parser = parser;
    this.requestTimeoutMs = options.requestTimeoutMs ?? natsLimits.requestTimeoutMs;
    this.requestsInFlightMax = options.requestsInFlightMax ?? natsLimits.requestsInFlightMax;
    this.inbox = `_INBOX.${randomBytes(12).toString('hex')}.`;
    this.closed = new Promise((resolve) => {
      transport.once('close', () => {
        this.fail(new NatsClientError('Closed', 'connection closed'));
        resolve();
      });
    });
    transport.on('error', (error: Error) => this.fail(new NatsClientError('Closed', `connection failed: ${error.message}`, { cause: error })));
    this.subscriptions.set(1, (message) => this.onReply(message));
    this.writeText(`SUB ${this.inbox}* 1\r\n`);
  }

  /** Connect over TCP to `host:port`, then handshake (see `handshake`). */
  static connect(address: string, options: NatsClientOptions = {}): Promise<NatsClient> {
    const colon = address.lastIndexOf(':');
    const port = Number(address.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return Promise.reject(new NatsClientError('Connect', `address must be host:port, got ${JSON.stringify(address)}`));
    const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      socket.once('error', (error) => reject(new NatsClientError('Connect', `cannot connect to ${address}: ${error.message}`, { cause: error })));
      socket.once('connect', () => {
        socket.setNoDelay(true);
        NatsClient.handshake(socket, options).then(resolve, reject);
      });
    });
  }

  /**
   * Over any Duplex (tests use an in-memory one): wait for INFO, send CONNECT (verbose off, so no
   * +OK per operation; headers and no_responders on, so a publish to a subject no stream listens
   * on fails at once with a 503 instead of timing out) and a PING, and resolve at the PONG.
   */
  static handshake(transport: Duplex, options: NatsClientOptions = {}): Promise<NatsClient> {
    return new Promise((resolve, reject) => {
      let client: NatsClient | undefined;
      let info: NatsServerInfo | undefined;
      const timeoutMs = options.connectTimeoutMs ?? natsLimits.connectTimeoutMs;
      const timer = setTimeout(() => fail(new NatsClientError('Connect', `no NATS handshake within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        transport.destroy();
        reject(error);
      };
      const onFrame = (frame: NatsFrame): void => {
        if (client !== undefined) {
          client.onFrame(frame);
          return;
        }
        if (frame.kind === 'err') fail(new NatsClientError('ServerError', `server refused the connection: ${frame.message}`));
        else if (frame.kind === 'info' && info === undefined) {
          try {
            info = validateInfo(frame.json);
          } catch (error) {
            fail(error as Error);
            return;
          }
          const connect = { verbose: false, pedantic: false, headers: true, no_responders: true, echo: true, protocol: 1, lang: 'node-odlog-bench', version: '0.1.0', name: options.name ?? 'odlog-bench' };
          transport.write(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
        } else if (frame.kind === 'ping') transport.write('PONG\r\n');
        else if (frame.kind === 'pong' && info !== undefined) {
          clearTimeout(timer);
          transport.removeListener('data', onData);
          transport.removeListener('close', onClose);
          client = new NatsClient(transport, info, parser, options);
          transport.on('data', (chunk: Buffer) => client?.onData(chunk));
          resolve(client);
        }
      };
      const parser = new NatsParser(onFrame);
      const onData = (chunk: Buffer): void => {
        try {
          parser.feed(chunk);
        } catch (error) {
          fail(error as Error);
        }
      };
      const onClose = (): void => fail(new NatsClientError('Connect', 'connection closed during the NATS handshake'));
      transport.on('data', onData);
      transport.once('close', onClose);
    });
  }

  /** Fire and forget. Throws InvalidArgument for a subject with whitespace or a payload over max_payload. */
  publish(subject: string, payload: Buffer, reply?: string): void {
    if (this.failure !== undefined) throw this.failure;
    this.write(encodePub(subject, reply, payload, this.info.max_payload));
  }

  subscribe(subject: string, onMessage: (message: NatsMessage) => void): number {
    if (this.failure !== undefined) throw this.failure;
    checkSubject(subject);
    const sid = this.nextSid++;
    this.subscriptions.set(sid, onMessage);
    this.writeText(`SUB ${subject} ${sid}\r\n`);
    return sid;
  }

  /** Messages already on their way may still arrive; they are dropped, since the handler is gone. */
  unsubscribe(sid: number): void {
    if (!this.subscriptions.delete(sid) || this.failure !== undefined) return;
    this.writeText(`UNSUB ${sid}\r\n`);
  }

  request(subject: string, payload: Buffer): Promise<NatsMessage> {
    return this.requestAll([subject], [payload]).then((replies) => replies[0]);
  }

  /**
   * Publish each payload to its subject with its own reply inbox, all in one write, and resolve
   * with every reply in order once all have arrived (a single timeout or failure rejects it).
   */
  requestAll(subjects: readonly string[], payloads: readonly Buffer[]): Promise<NatsMessage[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const n = subjects.length;
    if (n !== payloads.length) return Promise.reject(new NatsClientError('InvalidArgument', `${n} subjects for ${payloads.length} payloads`));
    if (n === 0) return Promise.resolve([]);
    if (this.pending.size + n > this.requestsInFlightMax) {
      return Promise.reject(new NatsClientError('QueueFull', `${this.pending.size} requests in flight, ${n} more would exceed ${this.requestsInFlightMax}`));
    }
    const tokens: string[] = new Array(n);
    const heads: string[] = new Array(n);
    let size = 0;
    try {
      for (let i = 0; i < n; i++) {
        tokens[i] = (this.nextToken++).toString(36);
        heads[i] = pubHead(subjects[i], this.inbox + tokens[i], payloads[i], this.info.max_payload);
        size += Buffer.byteLength(heads[i]) + payloads[i].length + 2;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const frame = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < n; i++) {
      at += frame.write(heads[i], at, 'utf8');
      at += payloads[i].copy(frame, at);
      frame[at++] = CR;
      frame[at++] = LF;
    }
    return new Promise((resolve, reject) => {
      const group: RequestGroup = { replies: new Array(n), remaining: n, settled: false, resolve, reject };
      const deadline = performance.now() + this.requestTimeoutMs;
      for (let i = 0; i < n; i++) this.pending.set(tokens[i], { group, index: i, deadline });
      if (this.timer === undefined) this.arm(deadline);
      this.write(frame);
    });
  }

  /** A PING/PONG round trip: everything written before it has been processed by the server. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pongWaiters.length >= natsLimits.pingsInFlightMax) return Promise.reject(new NatsClientError('QueueFull', `${natsLimits.pingsInFlightMax} PINGs unanswered`));
    return new Promise((resolve, reject) => {
      this.pongWaiters.push({ resolve, reject });
      this.writeText('PING\r\n');
    });
  }

  /** Fails everything pending with Closed and ends the connection. */
  async close(): Promise<void> {
    this.fail(new NatsClientError('Closed', 'client closed'));
    await this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      this.parser.feed(chunk);
    } catch (error) {
      // A subscription handler that throws is a bug in the caller; failing the connection makes it loud.
      this.fail(error instanceof NatsClientError ? error : new NatsClientError('Protocol', `a message handler threw: ${String(error)}`, { cause: error }));
    }
  }

  private onFrame(frame: NatsFrame): void {
    switch (frame.kind) {
      case 'msg':
        this.subscriptions.get(frame.sid)?.(frame);
        break;
      case 'ping':
        this.writeText('PONG\r\n');
        break;
      case 'pong':
        this.pongWaiters.shift()?.resolve();
        break;
      case 'ok':
      case 'info': // later INFOs announce cluster changes; nothing here depends on them
        break;
      case 'err':
        this.fail(new NatsClientError('ServerError', `server error: ${frame.message}`));
        break;
    }
  }

  private onReply(message: NatsMessage): void {
    const token = message.subject.slice(this.inbox.length);
    const entry = this.pending.get(token);
    if (entry === undefined) return; // timed out earlier
    this.pending.delete(token);
    const group = entry.group;
    if (group.settled) return;
    group.replies[entry.index] = message;
    if (--group.remaining === 0) {
      group.settled = true;
      group.resolve(group.replies);
    }
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  /** Expire the overdue front of the pending map (oldest first), then re-arm for the new oldest. */
  private onTimer(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const [token, entry] of this.pending) {
      if (entry.deadline > now) {
        this.arm(entry.deadline);
        return;
      }
      this.pending.delete(token);
      if (!entry.group.settled) {
        entry.group.settled = true;
        entry.group.reject(new NatsClientError('Timeout', `no reply within ${this.requestTimeoutMs} ms`));
      }
    }
  }

  private writeText(text: string): void {
    this.write(Buffer.from(text));
  }

  private write(frame: Buffer): void {
    this.out.push(frame);
    this.outBytes += frame.length;
    if (this.outBytes >= natsLimits.writeCoalesceBytes) this.flushOut();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushOut());
    }
  }

  private flushOut(): void {
    this.flushScheduled = false;
    if (this.outBytes === 0 || this.failure !== undefined) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.transport.write(data);
  }

  private fail(error: NatsClientError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.out = [];
    this.outBytes = 0;
    this.transport.destroy();
    const groups = new Set<RequestGroup>();
    for (const entry of this.pending.values()) groups.add(entry.group);
    this.pending.clear();
    for (const group of groups) {
      if (group.settled) continue;
      group.settled = true;
      group.reject(error);
    }
    for (const waiter of this.pongWaiters.splice(0)) waiter.reject(error);
    this.subscriptions.clear();
  }
}

function validateInfo(json: string): NatsServerInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new NatsClientError('Protocol', `INFO is not JSON: ${json.slice(0, 64)}`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || typeof o.max_payload !== 'number') throw new NatsClientError('Protocol', 'INFO without max_payload');
  return {
    server_id: String(o.server_id ?? ''),
    version: String(o.version ?? ''),
    max_payload: o.max_payload,
    headers: o.headers === true,
    jetstream: o.jetstream === true,
  };
}

function checkSubject(subject: string): void {
  if (subject.length === 0 || /[\s]/.test(subject)) throw new NatsClientError('InvalidArgument', `bad subject ${JSON.stringify(subject)}`);
}

/** The control line of a PUB, after checking what the server would refuse. */
function pubHead(subject: string, reply: string | undefined, payload: Buffer, maxPayload: number): string {
  checkSubject(subject);
  if (payload.length > maxPayload) throw new NatsClientError('InvalidArgument', `payload of ${payload.length} bytes exceeds the server's max_payload ${maxPayload}`);
  return reply === undefined ? `PUB ${subject} ${payload.length}\r\n` : `PUB ${subject} ${reply} ${payload.length}\r\n`;
}

/** `PUB <subject> [reply] <n>\r\n<payload>\r\n` in one buffer. */
function encodePub(subject: string, reply: string | undefined, payload: Buffer, maxPayload: number): Buffer {
  const head = pubHead(subject, reply, payload, maxPayload);
  const headBytes = Buffer.byteLength(head);
  const buf = Buffer.allocUnsafe(headBytes + payload.length + 2);
  buf.write(head, 0, 'utf8');
  payload.copy(buf, headBytes);
  buf[buf.length - 2] = CR;
  buf[buf.length - 1] = LF;
  return buf;
}
