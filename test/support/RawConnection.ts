import { connect, type Socket } from 'node:net';
import { FrameDecoder, type FrameSink } from '../../src/protocol/frame/FrameDecoder.js';
import { encodeFrame } from '../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags, type Frame, type FrameHeader } from '../../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../../src/protocol/Message.js';
import { baseProtocolVersion, isProtocolVersion, type ProtocolVersion } from '../../src/protocol/ProtocolVersion.js';
import { errorBody, type ErrorBody } from '../../src/protocol/messages/error.js';

/**
 * A bare TCP connection speaking odlog frames by hand, for tests of what the broker does with
 * bytes no well-behaved client sends: frames split anywhere, oversized or malformed frames,
 * wrong versions, and clients that stop reading. Every frame received is kept, in order.
 */
export class RawConnection implements FrameSink {
  readonly frames: Frame[] = [];
  /** Connection-level events of the decoder (the broker's stream, not ours). */
  readonly problems: string[] = [];
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private nextCorrelationId = 1;
  /** The protocol version requests are sent in (and their bodies encoded in), unless a header says otherwise. */
  version: ProtocolVersion = baseProtocolVersion;
  private listeners = new Set<() => void>();
  private ended = false;
  private closedFlag = false;
  /** Resolves once the socket is fully closed. */
  readonly whenClosed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk, this);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (error) => this.problems.push(`socket error: ${error.message}`));
    this.whenClosed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedFlag = true;
        this.notify();
        resolve();
      }),
    );
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The broker ended its side (FIN) or the socket closed. */
  get isEnded(): boolean {
    return this.ended || this.closedFlag;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  // ---- FrameSink ----------------------------------------------------------------------------------

  frame(frame: Frame): void {
    // The decoder hands out views into its chunks; keep a copy that later data cannot change.
    this.frames.push({ ...frame, body: Buffer.from(frame.body) });
  }

  oversized(length: number): void {
    this.problems.push(`oversized frame of ${length} bytes from the broker`);
  }

  malformed(reason: string): void {
    this.problems.push(`malformed stream from the broker: ${reason}`);
  }

  // ---- writing ------------------------------------------------------------------------------------

  allocateCorrelationId(): number {
    return this.nextCorrelationId++;
  }

  /** An encoded request frame (not sent). */
  encode<Req>(message: MessageDefinition<Req, unknown>, body: Req, header: Partial<FrameHeader> = {}): Buffer {
    const version = header.version ?? this.version;
    return encodeFrame(
      { messageType: header.messageType ?? message.type, version, flags: header.flags ?? 0, correlationId: header.correlationId ?? this.allocateCorrelationId() },
      // A version this build does not speak still gets a body (version 1's), to see what the broker says.
      message.request.at(isProtocolVersion(version) ? version : baseProtocolVersion),
      body,
    );
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** Write `bytes` in pieces cut at `cuts` (offsets), pausing `pauseMs` between pieces so they arrive apart. */
  async writeInPieces(bytes: Buffer, cuts: readonly number[], pauseMs = 3): Promise<void> {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut <= at) continue;
      await this.write(bytes.subarray(at, cut));
      at = cut;
      if (at < bytes.length) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** Send a request; returns its correlation id. */
  async send<Req>(message: MessageDefinition<Req, unknown>, body: Req, correlationId = this.allocateCorrelationId()): Promise<number> {
    await this.write(this.encode(message, body, { correlationId }));
    return correlationId;
  }

  /** Send a request and wait for its answer: the decoded response, or a RawErrorResponse thrown. */
  async request<Req, Res>(message: MessageDefinition<Req, Res>, body: Req, timeoutMs = 10_000): Promise<Res> {
    const correlationId = await this.send(message, body);
    return decodeResponse(message, await this.response(correlationId, timeoutMs));
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** The response (or error response) to `correlationId`. */
  response(correlationId: number, timeoutMs = 10_000): Promise<Frame> {
    return this.waitForFrame((f) => (f.flags & FrameFlags.Response) !== 0 && f.correlationId === correlationId, `the response to correlation id ${correlationId}`, timeoutMs);
  }

  /** Pushes received so far for a subscription. */
  pushes(subscriptionId: number): Frame[] {
    return this.frames.filter((f) => (f.flags & FrameFlags.Push) !== 0 && f.correlationId === subscriptionId);
  }

  /** The first frame received (so far or later) that matches. */
  async waitForFrame(match: (frame: Frame) => boolean, what: string, timeoutMs = 10_000): Promise<Frame> {
    let found: Frame | undefined;
    await this.waitUntil(() => (found = this.frames.find(match)) !== undefined, what, timeoutMs);
    return found as Frame;
  }

  /** Wait until `condition` holds after some input (a frame, end, close); rejects on timeout. */
  waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; frames so far: ${this.frames.length}, ended: ${this.isEnded}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Stop reading from the socket (the kernel buffers fill, then the broker's output backs up). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** An error response, thrown by RawConnection.request. */
export class RawErrorResponse extends Error {
  constructor(readonly body: ErrorBody) {
    super(`error response ${body.code}: ${body.message}`);
  }
}

export function isErrorFrame(frame: Frame): boolean {
  return (frame.flags & FrameFlags.Error) !== 0;
}

/** The error body of an error frame (throws if the frame is not one). */
export function errorOf(frame: Frame): ErrorBody {
  if (!isErrorFrame(frame)) throw new Error(`frame of type ${frame.messageType} is not an error (flags ${frame.flags})`);
  return errorBody.at(versionOf(frame)).decode(frame.body);
}

/** A response decoded in the version it came in. */
export function decodeResponse<Res>(message: MessageDefinition<unknown, Res>, frame: Frame): Res {
  if (isErrorFrame(frame)) throw new RawErrorResponse(errorBody.at(versionOf(frame)).decode(frame.body));
  return message.response.at(versionOf(frame)).decode(frame.body);
}

function versionOf(frame: Frame): ProtocolVersion {
  return isProtocolVersion(frame.version) ? frame.version : baseProtocolVersion;
}
