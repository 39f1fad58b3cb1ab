import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A minimal RESP2 client for driving Redis in the load harness (no npm Redis client is allowed,
 * and the harness needs only pipelined commands and binary-safe bulk strings).
 *
 * Wire layout (RESP2). Every element starts with a type byte and ends its header with CRLF:
 *
 * ```
 *   +OK\r\n                          simple string      -> string
 *   -ERR unknown command\r\n         error              -> RespReplyError
 *   :1000\r\n                        integer            -> number (bigint beyond 2^53)
 *   $5\r\nhello\r\n                  bulk string        -> Buffer
 *   $-1\r\n                          null bulk string   -> null
 *   *2\r\n$1\r\na\r\n:1\r\n          array              -> RespReply[] (nested to any depth)
 *   *-1\r\n                          null array         -> null
 * ```
 *
 * Commands go out as arrays of bulk strings (`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`).
 * Redis answers in order on a connection, so replies are matched to commands first in, first out.
 */

/** Bounds of the parser and the client; each says what happens at the bound. */
export const respLimits = {
  /** Longest header line (type byte to CRLF) kept while waiting for its end. Redis's own inline
   *  limit is 64 KiB; a longer unterminated line means the stream is not RESP, and the parser
   *  fails with a Protocol error instead of buffering without end. */
  lineBytesMax: 64 * 1024,
  /** Largest bulk string accepted, refused from its header before anything is allocated. Redis's
   *  default proto-max-bulk-len is 512 MiB. */
  bulkBytesMax: 512 * 1024 * 1024,
  /** Elements in one array header; refused from the header. XREAD replies hold one element per
   *  stream and per entry, far below this. */
  arrayItemsMax: 16 * 1024 * 1024,
  /** Nesting of arrays. XREAD replies nest four deep; anything near 64 is a corrupt stream. */
  arrayDepthMax: 64,
  /** Commands sent and not yet answered on one connection. At the bound, `command` and
   *  `pipeline` reject at once with QueueFull (nothing is sent); a pipeline larger than the bound
   *  can never be sent. A pending entry costs a few dozen bytes, so the default is ~50 MiB at most. */
  pendingCommandsMax: 1_048_576,
  /** A command not answered within this is a dead or wedged connection. Replies are FIFO, so one
   *  overdue reply stalls every later one: the connection is failed as a whole. */
  commandTimeoutMs: 30_000,
  /** Outgoing bytes coalesced before one `write`; flushed at this size or on the next microtask. */
  writeCoalesceBytes: 32 * 1024,
  connectTimeoutMs: 10_000,
} as const;

/** A `-` reply. Top-level ones reject `command()`; inside arrays and pipelines they are values. */
export class RespReplyError extends Error {
  override readonly name = 'RespReplyError';
  /** The first word of the reply (`ERR`, `WRONGTYPE`, `NOSCRIPT`, ...), as Redis uses it for a code. */
  readonly prefix: string;
  /** For the bench's error counters, which group failures by `codeName`. */
  readonly codeName: string;

  constructor(readonly reply: string) {
    super(reply);
    const space = reply.indexOf(' ');
    this.prefix = space < 0 ? reply : reply.slice(0, space);
    this.codeName = `redis:${this.prefix}`;
  }
}

export type RespClientErrorCode = 'Protocol' | 'Closed' | 'QueueFull' | 'Timeout' | 'Connect';

/** The connection, not Redis, failed (or refused a command before sending it). */
export class RespClientError extends Error {
  override readonly name = 'RespClientError';
  readonly codeName: string;

  constructor(readonly code: RespClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.codeName = `resp:${code}`;
  }
}

export type RespReply = string | number | bigint | Buffer | null | RespReplyError | RespReply[];
export type RespArg = string | Buffer | number;

/** The parser's bounds (respLimits by default; tests pass small ones). */
export interface RespParserLimits {
  readonly lineBytesMax: number;
  readonly bulkBytesMax: number;
  readonly arrayItemsMax: number;
  readonly arrayDepthMax: number;
}

interface ArrayFrame {
  readonly items: RespReply[];
  filled: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Bytes in, replies out. Knows nothing of sockets: feed it chunks split at any byte and it calls
 * `onReply` once per complete top-level reply, in order. Bulk strings are views into the fed
 * chunk when they arrived whole (the parser never writes to them), copies otherwise.
 *
 * A malformed stream throws a RespClientError('Protocol'); the parser is unusable after that,
 * as the stream has no resynchronisation point.
 */
export class RespParser {
  /** An incomplete header line (type byte included), carried to the next chunk. */
  private partial: Buffer | undefined;
  /** A bulk string body (plus its CRLF) that is still arriving. */
  private bulk: { buf: Buffer; filled: number } | undefined;
  private readonly stack: ArrayFrame[] = [];
  private failed = false;

  constructor(
    private readonly onReply: (reply: RespReply) => void,
    private readonly limits: RespParserLimits = respLimits,
  ) {}

  /** True while a reply has begun and not ended (useful to tell a clean end of stream from a cut one). */
  get inReply(): boolean {
    return this.partial !== undefined || this.bulk !== undefined || this.stack.length > 0;
  }

  feed(chunk: Buffer): void {
    if (this.failed) throw new RespClientError('Protocol', 'parser already failed');
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
    if (this.bulk !== undefined) {
      pos = this.fillBulk(data, 0);
      if (this.bulk !== undefined) return;
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
        if (end - pos > this.limits.lineBytesMax) throw protocolError(`header line longer than ${this.limits.lineBytesMax} bytes`);
        this.partial = Buffer.from(data.subarray(pos));
        return;
      }
      if (lf - pos > this.limits.lineBytesMax) throw protocolError(`header line longer than ${this.limits.lineBytesMax} bytes`);
      if (lf === pos || data[lf - 1] !== CR) throw protocolError('header line not ended by CRLF');
      const cr = lf - 1;
      const type = data[pos];
      const bodyStart = pos + 1;
      pos = lf + 1;
      switch (type) {
        case 0x2b: // +
          this.value(data.toString('utf8', bodyStart, cr));
          break;
        case 0x2d: // -
          this.value(new RespReplyError(data.toString('utf8', bodyStart, cr)));
          break;
        case 0x3a: // :
          this.value(parseInteger(data, bodyStart, cr));
          break;
        case 0x24: { // $
          const n = toLength(parseInteger(data, bodyStart, cr));
          if (n === -1) {
            this.value(null);
            break;
          }
          if (n < -1) throw protocolError(`bulk length ${n}`);
          if (n > this.limits.bulkBytesMax) throw protocolError(`bulk string of ${n} bytes exceeds ${this.limits.bulkBytesMax}`);
          if (end - pos >= n + 2) {
            if (data[pos + n] !== CR || data[pos + n + 1] !== LF) throw protocolError('bulk string not ended by CRLF');
            const value = data.subarray(pos, pos + n);
            pos += n + 2;
            this.value(value);
            break;
          }
          this.bulk = { buf: Buffer.allocUnsafe(n + 2), filled: 0 };
          pos = this.fillBulk(data, pos);
          break;
        }
        case 0x2a: { // *
          const n = toLength(parseInteger(data, bodyStart, cr));
          if (n === -1) this.value(null);
          else if (n < -1) throw protocolError(`array length ${n}`);
          else if (n === 0) this.value([]);
          else {
            if (n > this.limits.arrayItemsMax) throw protocolError(`array of ${n} items exceeds ${this.limits.arrayItemsMax}`);
            if (this.stack.length >= this.limits.arrayDepthMax) throw protocolError(`arrays nested deeper than ${this.limits.arrayDepthMax}`);
            this.stack.push({ items: new Array<RespReply>(n), filled: 0 });
          }
          break;
        }
        default:
          throw protocolError(`unknown reply type byte 0x${type.toString(16)}`);
      }
    }
  }

  /** Copy body bytes into the pending bulk; returns the position after what was used. */
  private fillBulk(data: Buffer, pos: number): number {
    const bulk = this.bulk as { buf: Buffer; filled: number };
    const take = Math.min(bulk.buf.length - bulk.filled, data.length - pos);
    data.copy(bulk.buf, bulk.filled, pos, pos + take);
    bulk.filled += take;
    if (bulk.filled < bulk.buf.length) return pos + take;
    const n = bulk.buf.length - 2;
    if (bulk.buf[n] !== CR || bulk.buf[n + 1] !== LF) throw protocolError('bulk string not ended by CRLF');
    this.bulk = undefined;
    this.value(bulk.buf.subarray(0, n));
    return pos + take;
  }

  /** A complete element: into the innermost open array, or out as a reply. */
  private value(value: RespReply): void {
    let v = value;
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      top.items[top.filled++] = v;
      if (top.filled < top.items.length) return;
      this.stack.pop();
      v = top.items;
    }
    this.onReply(v);
  }
}

function protocolError(reason: string): RespClientError {
  return new RespClientError('Protocol', `malformed RESP reply: ${reason}`);
}

function toLength(n: number | bigint): number {
  if (typeof n === 'bigint') throw protocolError(`length ${n} out of range`);
  return n;
}

/** A signed decimal integer in data[start, end); bigint when it does not fit a double exactly. */
function parseInteger(data: Buffer, start: number, end: number): number | bigint {
  let i = start;
  let negative = false;
  if (data[i] === 0x2d) {
    negative = true;
    i++;
  }
  if (i >= end) throw protocolError('empty integer');
  if (end - i > 15) {
    const text = data.toString('latin1', start, end);
    if (!/^-?\d+$/.test(text)) throw protocolError(`bad integer ${JSON.stringify(text)}`);
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = data[i] - 0x30;
    if (d < 0 || d > 9) throw protocolError(`bad integer ${JSON.stringify(data.toString('latin1', start, end))}`);
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

export interface RespClientOptions {
  /** See respLimits.commandTimeoutMs; a command may pass its own (0: no deadline, for blocking reads). */
  readonly commandTimeoutMs?: number;
  readonly pendingCommandsMax?: number;
  readonly connectTimeoutMs?: number;
}

/** Commands awaiting replies: one entry per `command` or per whole `pipeline`, since replies are FIFO. */
interface Pending {
  readonly expected: number;
  readonly replies: RespReply[];
  /** Absolute ms (performance.now clock); Infinity for none. */
  readonly deadline: number;
  /** A single command rejects on a top-level error reply; a pipeline keeps errors as values. */
  readonly single: boolean;
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One RESP2 connection with pipelining: commands are written as soon as they are issued (coalesced
 * into few writes), and replies are matched FIFO. The transport is any Duplex, so tests can drive
 * the client with an in-memory stream; `connect` uses node:net.
 *
 * Deadlines: one timer, armed for the earliest deadline of any pending command. When it fires
 * with a command overdue, every pending command fails with Timeout and the connection is closed
 * (later replies would otherwise be matched to the wrong commands).
 */
export class RespClient {
  private readonly parser: RespParser;
  /** FIFO with a moving head; answered slots are cleared so their replies can be collected. */
  private readonly queue: (Pending | undefined)[] = [];
  private head = 0;
  private pendingCommands = 0;
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private failure: RespClientError | undefined;
  private readonly closed: Promise<void>;
  private readonly commandTimeoutMs: number;
  private readonly pendingCommandsMax: number;

  constructor(private readonly transport: Duplex, options: RespClientOptions = {}) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? respLimits.commandTimeoutMs;
    this.pendingCommandsMax = options.pendingCommandsMax ?? respLimits.pendingCommandsMax;
    this.parser = new RespParser((reply) => this.onReply(reply));
    transport.on('data', (chunk: Buffer) => {
      if (this.failure !== undefined) return;
      try {
        this.parser.feed(chunk);
      } catch (error) {
        this.fail(error instanceof RespClientError ? error : new RespClientError('Protocol', String(error)));
      }
    });
    this.closed = new Promise((resolve) => {
      transport.once('close', () => {
        this.fail(new RespClientError('Closed', 'connection closed'));
        resolve();
      });
    });
    transport.on('error', (error: Error) => this.fail(new RespClientError('Closed', `connection failed: ${error.message}`, { cause: error })));
  }

  /** Connect over TCP to `host:port` (IPv6 as `[::1]:6379`). */
  static connect(address: string, options: RespClientOptions = {}): Promise<RespClient> {
    const { host, port } = splitAddress(address);
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const timeoutMs = options.connectTimeoutMs ?? respLimits.connectTimeoutMs;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RespClientError('Connect', `no connection to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new RespClientError('Connect', `cannot connect to ${address}: ${error.message}`, { cause: error }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(new RespClient(socket, options));
      });
    });
  }

  /** Commands sent and not yet answered. */
  get pending(): number {
    return this.pendingCommands;
  }

  /** One command; rejects with RespReplyError on an error reply. `timeoutMs: 0` waits forever (blocking reads). */
  command(args: readonly RespArg[], options: { timeoutMs?: number } = {}): Promise<RespReply> {
    return this.enqueue([args], true, options.timeoutMs ?? this.commandTimeoutMs).then((replies) => replies[0]);
  }

  /**
   * Many commands written together; resolves with every reply in order once all have arrived.
   * Error replies are values here (RespReplyError), so one failed command does not hide the
   * others' results.
   */
  pipeline(commands: readonly (readonly RespArg[])[], options: { timeoutMs?: number } = {}): Promise<RespReply[]> {
    if (commands.length === 0) return Promise.resolve([]);
    return this.enqueue(commands, false, options.timeoutMs ?? this.commandTimeoutMs);
  }

  /** Fails every pending command with Closed and ends the connection. */
  async close(): Promise<void> {
    this.fail(new RespClientError('Closed', 'client closed'));
    await this.closed;
  }

  private enqueue(commands: readonly (readonly RespArg[])[], single: boolean, timeoutMs: number): Promise<RespReply[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pendingCommands + commands.length > this.pendingCommandsMax) {
      return Promise.reject(new RespClientError('QueueFull', `${this.pendingCommands} commands pending, ${commands.length} more would exceed ${this.pendingCommandsMax}`));
    }
    const frame = encodeCommands(commands);
    return new Promise<RespReply[]>((resolve, reject) => {
      const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
      this.queue.push({ expected: commands.length, replies: [], deadline, single, resolve: resolve as (value: never) => void, reject });
      this.pendingCommands += commands.length;
      if (deadline < this.timerAt) this.arm(deadline);
      this.write(frame);
    });
  }

  private write(frame: Buffer): void {
    this.out.push(frame);
    this.outBytes += frame.length;
    if (this.outBytes >= respLimits.writeCoalesceBytes) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outBytes === 0 || this.failure !== undefined) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.transport.write(data);
  }

  private onReply(reply: RespReply): void {
    if (this.head >= this.queue.length) {
      this.fail(new RespClientError('Protocol', 'reply received with no command pending'));
      return;
    }
    const entry = this.queue[this.head] as Pending;
    entry.replies.push(reply);
    if (entry.replies.length < entry.expected) return;
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.pendingCommands -= entry.expected;
    if (entry.single && reply instanceof RespReplyError) entry.reject(reply);
    else (entry.resolve as (value: RespReply[]) => void)(entry.replies);
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  /** Runs only at a deadline (never polls): fail if anything is overdue, else re-arm for the new earliest. */
  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let earliest = Infinity;
    for (let i = this.head; i < this.queue.length; i++) {
      const d = (this.queue[i] as Pending).deadline;
      if (d <= now) {
        this.fail(new RespClientError('Timeout', `no reply within the command deadline (${this.pendingCommands} commands pending); connection closed`));
        return;
      }
      if (d < earliest) earliest = d;
    }
    if (earliest < Infinity) this.arm(earliest);
  }

  private fail(error: RespClientError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    this.pendingCommands = 0;
    this.out = [];
    this.outBytes = 0;
    this.transport.destroy();
    for (const entry of entries) entry?.reject(error);
  }
}

/** Every command as an array of bulk strings, all in one buffer (sized first, written once). */
export function encodeCommands(commands: readonly (readonly RespArg[])[]): Buffer {
  let size = 0;
  const parts: (Buffer | string)[][] = [];
  for (const args of commands) {
    const encoded: (Buffer | string)[] = new Array(args.length);
    size += 3 + decimalLength(args.length);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const part = typeof arg === 'number' ? String(arg) : arg;
      const n = typeof part === 'string' ? Buffer.byteLength(part) : part.length;
      encoded[i] = part;
      size += 5 + decimalLength(n) + n;
    }
    parts.push(encoded);
  }
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  for (const args of parts) {
    at += buf.write(`*${args.length}\r\n`, at, 'latin1');
    for (const part of args) {
      const n = typeof part === 'string' ? Buffer.byteLength(part) : part.length;
      at += buf.write(`$${n}\r\n`, at, 'latin1');
      at += typeof part === 'string' ? buf.write(part, at, 'utf8') : part.copy(buf, at);
      buf[at++] = CR;
      buf[at++] = LF;
    }
  }
  return buf;
}

function decimalLength(n: number): number {
  return n < 10 ? 1 : String(n).length;
}

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RespClientError('Connect', `address must be host:port, got ${JSON.stringify(address)}`);
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
}
