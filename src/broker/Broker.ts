import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { encodeFrame } from '../protocol/frame/FrameEncoder.js';
import { FrameFlags } from '../protocol/frame/FrameHeader.js';
import { ErrorCode } from '../protocol/ErrorCode.js';
import { protocolVersion } from '../protocol/MessageType.js';
import { errorBody } from '../protocol/messages/error.js';
import { LogDb } from '../storage/index.js';
import { limits } from '../limits.js';
import { TokenAuthenticator } from './auth/TokenAuthenticator.js';
import type { BrokerContext } from './BrokerContext.js';
import { toErrorBody, BrokerError } from './BrokerError.js';
import { BrokerStats } from './BrokerStats.js';
import type { BrokerConfig } from './config/BrokerConfig.js';
import { Connection } from './Connection.js';
import { routes } from './handlers/RequestRouter.js';
import { Logger } from './Logger.js';
import { LongPollRegistry } from './LongPollRegistry.js';
import { SubscriptionRegistry } from './subscriptions/SubscriptionRegistry.js';
import { brokerVersion } from './version.js';

/**
 * The broker: a TCP (or TLS) server joining the wire protocol to one LogDb.
 *
 * @example
 * const broker = await Broker.start({ ...config, port: 0 });
 * console.log(broker.address); // { host: '127.0.0.1', port: 41234 }
 * await broker.shutdown();
 */
export class Broker {
  private readonly connections = new Set<Connection>();
  private connectionCounter = 0;
  private stopping: Promise<void> | undefined;
  private readonly ctx: BrokerContext & { shuttingDown: boolean };

  private constructor(
    private readonly server: Server,
    readonly log: LogDb,
    readonly config: BrokerConfig,
    readonly logger: Logger,
  ) {
    const subscriptions = new SubscriptionRegistry();
    const longPolls = new LongPollRegistry();
    this.ctx = {
      log,
      config,
      stats: new BrokerStats(),
      subscriptions,
      longPolls,
      logger,
      authenticator: new TokenAuthenticator(config.authToken, config.tokens),
      brokerVersion,
      supportedMessages: [...routes.keys()],
      shuttingDown: false,
      connectionCount: () => this.connections.size,
    };
    log.onVisible((chunk) => {
      longPolls.onChunk(chunk);
      subscriptions.onChunk(chunk);
    });
    // A TLS server's 'connection' socket is the raw one, before the handshake: serve the TLS socket.
    server.on(config.tlsCert !== undefined ? 'secureConnection' : 'connection', (socket: Socket) => this.accept(socket));
  }

  /** Open the log and listen. Rejects (with a one-line reason) if either fails. */
  static async start(config: BrokerConfig, logger = new Logger(config.logLevel)): Promise<Broker> {
    const log = await LogDb.open({
      path: config.dataDir,
      durability: config.durability,
      readVisibility: config.readVisibility,
      segmentation: { sealIntervalMs: config.sealIntervalMs, sealBytes: config.sealBytes },
      retention: { retentionMs: config.retentionMs, retentionBytes: config.retentionBytes, checkIntervalMs: config.retentionCheckIntervalMs },
      keyBytesMax: config.keyBytesMax,
      valueBytesMax: config.valueBytesMax,
      batchRecordsMax: config.batchRecordsMax,
      batchBytesMax: config.batchBytesMax,
      writeQueueBytesMax: config.writeQueueBytesMax,
    });
    const server =
      config.tlsCert !== undefined && config.tlsKey !== undefined
        ? createTlsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), handshakeTimeout: config.helloTimeoutMs })
        : createTcpServer();
    // A TLS connection is only seen after its handshake, so the limit on sockets is the server's own.
    if (config.tlsCert !== undefined) server.maxConnections = config.connectionsMax;
    const broker = new Broker(server, log, config, logger);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await log.close();
      throw error;
    }
    server.on('error', (error) => logger.error('server_error', { error: error.message }));
    logger.info('listening', { address: `${broker.address.host}:${broker.address.port}`, dataDir: config.dataDir, durability: config.durability });
    return broker;
  }

  get address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: this.config.host, port: this.config.port };
    return { host: a.address, port: a.port };
  }

  get isTls(): boolean {
    return this.config.tlsCert !== undefined;
  }

  /**
   * Stop accepting, answer new requests with SHUTTING_DOWN, let in-flight requests finish (up to
   * the grace period), end subscriptions, commit and close the log.
   */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.stopping ??= this.stop(reason);
    return this.stopping;
  }

  private async stop(reason: string): Promise<void> {
    this.logger.info('shutting_down', { reason, connections: this.connections.size });
    this.ctx.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.ctx.longPolls.releaseAll();
    const idle = Promise.all([...this.connections].map((c) => c.idle()));
    const grace = new Promise<void>((resolve) => setTimeout(resolve, limits.shutdownGraceMs).unref());
    await Promise.race([idle, grace]);
    await new Promise((resolve) => setTimeout(resolve, limits.shutdownLingerMs).unref());
    for (const c of this.connections) c.close(ErrorCode.ShuttingDown, 'the broker is shutting down');
    const gone = Promise.all([...this.connections].map((c) => c.whenClosed));
    await Promise.race([gone, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
    for (const c of this.connections) c.destroy();
    await closed;
    await this.log.close();
    this.logger.info('stopped', { reason });
  }

  private accept(socket: Socket): void {
    if (this.ctx.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.config.connectionsMax) {
      this.logger.warn('connection_refused', { remote: `${socket.remoteAddress}:${socket.remotePort}`, reason: 'connectionsMax', max: this.config.connectionsMax });
      const body = toErrorBody(new BrokerError(ErrorCode.LimitExceeded, `the broker has ${this.config.connectionsMax} connections already (connectionsMax); retry later`));
      socket.on('error', () => undefined);
      socket.end(encodeFrame({ messageType: 0, version: protocolVersion, flags: FrameFlags.Response | FrameFlags.Error, correlationId: 0 }, errorBody, body));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const connection = new Connection(++this.connectionCounter, socket, this.ctx, (c) => this.connections.delete(c));
    this.connections.add(connection);
    this.logger.debug('connection_opened', { connection: connection.id, remote: connection.remote });
  }
}
