import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ApiKey, supportedRange } from '../../../src/protocol/kafka/ApiKeys.js';
import { apiVersionsApi } from '../../../src/protocol/kafka/apis/apiVersions.js';
import type { KafkaApi } from '../../../src/protocol/kafka/apis/KafkaApi.js';
import { saslAuthenticateApi } from '../../../src/protocol/kafka/apis/saslAuthenticate.js';
import { saslHandshakeApi } from '../../../src/protocol/kafka/apis/saslHandshake.js';
import { KafkaFrameDecoder } from '../../../src/protocol/kafka/frame/KafkaFrameDecoder.js';
import { decodeResponseHeader } from '../../../src/protocol/kafka/frame/ResponseFrame.js';
import { KafkaErrorCode, kafkaErrorName } from '../../../src/protocol/kafka/KafkaErrorCode.js';

/** Bounds of the client; each says what happens at the bound. */
export const kafkaClientLimits = {
  /** Largest response frame accepted, refused from its size field (the connection then fails).
   *  A Fetch answer is bounded by the MaxBytes the client asks; 256 MiB is far above any it asks. */
  responseBytesMax: 256 * 1024 * 1024,
  /** Requests sent and not yet answered on one connection; beyond it `request` rejects at once. */
  pendingRequestsMax: 65_536,
  /** A request not answered within this fails the connection (answers are in order: one overdue
   *  answer stalls every later one). Long-polls get their wait on top. */
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
} as const;

export type KafkaClientErrorCode = 'Connect' | 'Closed' | 'Timeout' | 'Protocol' | 'QueueFull' | 'Unsupported' | 'Auth';

/** The connection failed, or the broker cannot serve what the client needs. */
export class KafkaClientError extends Error {
  override readonly name = 'KafkaClientError';
  /** For the bench's error counters, which group failures by `codeName`. */
  readonly codeName: string;

  constructor(readonly code: KafkaClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.codeName = `kafka-client:${code}`;
  }
}

/** A Kafka error code in an answer, as an error (`codeName` is Kafka's name for it). */
export class KafkaResponseError extends Error {
  override readonly name = 'KafkaResponseError';
  readonly codeName: string;

  constructor(readonly errorCode: number, what: string) {
    super(`${what}: ${kafkaErrorName(errorCode)} (${errorCode})`);
    this.codeName = `kafka:${kafkaErrorName(errorCode)}`;
  }
}

export interface KafkaClientOptions {
  readonly clientId?: string;
  /** SASL/PLAIN credentials (odlog: username = token name, password = token). */
  readonly sasl?: { readonly username: string; readonly password: string };
  /** Connect with TLS (trusting `ca` when given, the system's CAs otherwise). */
  readonly tls?: { readonly ca?: string | Buffer };
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

interface Pending {
  readonly correlationId: number;
  readonly decode: (body: Buffer, offset: number) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A minimal Kafka client over one connection, for the load harness and the tests: requests are
 * pipelined and answered in order (as Kafka brokers do), every version is negotiated with
 * ApiVersions v0 when the connection opens (the highest both sides speak), and SASL/PLAIN is
 * done before anything else when credentials are given. Codecs are odlog's (`src/protocol/kafka`).
 *
 * @example
 * const client = await KafkaClient.connect('127.0.0.1:9092');
 * const meta = await client.request(metadataApi, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
 * await client.close();
 */
export class KafkaClient {
  private readonly decoder = new KafkaFrameDecoder(kafkaClientLimits.responseBytesMax);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private failure: Error | undefined;
  private readonly versions = new Map<number, number>();

  private constructor(
    private readonly socket: Socket,
    private readonly options: KafkaClientOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) =>
      this.decoder.push(chunk, {
        frame: (payload) => this.onFrame(payload),
        error: (error) => this.fail(new KafkaClientError('Protocol', error.message, { cause: error })),
      }),
    );
    socket.on('error', (error) => this.fail(new KafkaClientError('Closed', `the connection failed: ${error.message}`, { cause: error })));
    socket.on('close', () => this.fail(new KafkaClientError('Closed', 'the broker closed the connection')));
  }

  /** Connect to `host:port` (`[v6]:port`), negotiate versions, and authenticate when asked. */
  static async connect(address: string, options: KafkaClientOptions = {}): Promise<KafkaClient> {
    const { host, port } = parseAddress(address);
    const timeoutMs = options.connectTimeoutMs ?? kafkaClientLimits.connectTimeoutMs;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s: Socket = options.tls !== undefined ? connectTls({ host, port, ca: options.tls.ca, servername: isIP(host) === 0 ? host : undefined }) : connectTcp({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new KafkaClientError('Connect', `no connection to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once(options.tls !== undefined ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(new KafkaClientError('Connect', `cannot connect to ${address}: ${error.message}`, { cause: error }));
      });
    });
    const client = new KafkaClient(socket, options);
    try {
      await client.negotiate();
      if (options.sasl !== undefined) await client.authenticate(options.sasl);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** The version used for `api`: the highest both sides speak. Throws Unsupported when there is none. */
  version(api: KafkaApi<unknown, unknown>): number {
    const version = this.versions.get(api.apiKey);
    if (version === undefined) throw new KafkaClientError('Unsupported', `the broker speaks no version of ${api.name} that this client does (${api.minVersion}-${api.maxVersion})`);
    return version;
  }

  /** Whether the broker serves `api` at a version this client speaks. */
  supports(api: KafkaApi<unknown, unknown>): boolean {
    return this.versions.has(api.apiKey);
  }

  /** Send a request and resolve with its decoded answer. */
  request<Req, Res>(api: KafkaApi<Req, Res>, body: Req, options: { version?: number; extraTimeoutMs?: number } = {}): Promise<Res> {
    const version = options.version ?? this.version(api as KafkaApi<unknown, unknown>);
    return this.send(api.encodeRequest(version, { correlationId: this.nextCorrelationId, clientId: this.clientId }, body), (bytes, offset) => api.decodeResponse(version, bytes, offset), options.extraTimeoutMs ?? 0) as Promise<Res>;
  }

  /** Send a request that gets no answer (Produce with acks 0). */
  post<Req, Res>(api: KafkaApi<Req, Res>, body: Req): void {
    if (this.failure !== undefined) throw this.failure;
    const version = this.version(api as KafkaApi<unknown, unknown>);
    this.socket.write(api.encodeRequest(version, { correlationId: this.nextCorrelationId++, clientId: this.clientId }, body));
  }

  /** Requests sent and not answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  close(): void {
    this.fail(new KafkaClientError('Closed', 'the client was closed'));
    this.socket.destroy();
  }

  private get clientId(): string {
    return this.options.clientId ?? 'odlog-bench';
  }

  private async negotiate(): Promise<void> {
    // v0 has the same answer layout in every broker version, and v3+ brokers answer a v0 request.
    const frame = apiVersionsApi.encodeRequest(0, { correlationId: this.nextCorrelationId, clientId: this.clientId }, {});
    const answer = (await this.send(frame, (bytes, offset) => apiVersionsApi.decodeResponse(0, bytes, offset), 0)) as { errorCode: number; apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[] };
    if (answer.errorCode !== KafkaErrorCode.NONE) throw new KafkaResponseError(answer.errorCode, 'ApiVersions');
    for (const theirs of answer.apiKeys) {
      const ours = supportedRange(theirs.apiKey);
      if (ours === undefined) continue;
      const version = Math.min(ours.maxVersion, theirs.maxVersion);
      if (version >= Math.max(ours.minVersion, theirs.minVersion)) this.versions.set(theirs.apiKey, version);
    }
  }

  private async authenticate(sasl: { username: string; password: string }): Promise<void> {
    if (!this.versions.has(ApiKey.SaslAuthenticate)) throw new KafkaClientError('Unsupported', 'the broker has no SaslAuthenticate; this client authenticates with SaslHandshake v1 and SaslAuthenticate only');
    const handshake = await this.request(saslHandshakeApi, { mechanism: 'PLAIN' }, { version: 1 });
    if (handshake.errorCode !== KafkaErrorCode.NONE) throw new KafkaClientError('Auth', `SASL/PLAIN is not enabled (the broker offers ${handshake.mechanisms.join(', ')})`);
    const authBytes = Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8');
    const answer = await this.request(saslAuthenticateApi, { authBytes });
    if (answer.errorCode !== KafkaErrorCode.NONE) throw new KafkaClientError('Auth', `SASL/PLAIN authentication failed: ${answer.errorMessage ?? kafkaErrorName(answer.errorCode)}`);
  }

  private send(frame: Buffer, decode: (body: Buffer, offset: number) => unknown, extraTimeoutMs: number): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending.length >= kafkaClientLimits.pendingRequestsMax) return Promise.reject(new KafkaClientError('QueueFull', `${this.pending.length} requests are already waiting for answers on this connection`));
    const correlationId = this.nextCorrelationId++;
    const timeoutMs = (this.options.requestTimeoutMs ?? kafkaClientLimits.requestTimeoutMs) + extraTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new KafkaClientError('Timeout', `no answer to request ${correlationId} within ${timeoutMs} ms`);
        this.fail(error);
        this.socket.destroy();
      }, timeoutMs);
      this.pending.push({ correlationId, decode, resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  private onFrame(payload: Buffer): void {
    const { correlationId, bodyOffset } = decodeResponseHeader(payload);
    const head = this.pending[0];
    if (head === undefined || head.correlationId !== correlationId) {
      this.fail(new KafkaClientError('Protocol', `an answer to request ${correlationId} came while ${head === undefined ? 'none was pending' : `request ${head.correlationId} was next`}`));
      this.socket.destroy();
      return;
    }
    this.pending.shift();
    clearTimeout(head.timer);
    try {
      head.resolve(head.decode(payload, bodyOffset));
    } catch (error) {
      head.reject(new KafkaClientError('Protocol', `the answer to request ${correlationId} does not decode: ${(error as Error).message}`, { cause: error }));
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
  }
}

function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (m === null) throw new KafkaClientError('Connect', `a Kafka broker address is HOST:PORT or [IPv6]:PORT, got ${JSON.stringify(address)}`);
  return { host: m[1], port: Number(m[2]) };
}
