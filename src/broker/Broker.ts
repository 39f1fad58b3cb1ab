import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { encodeFrame } from '../protocol/frame/FrameEncoder.js';
import { FrameFlags } from '../protocol/frame/FrameHeader.js';
import { ErrorCode } from '../protocol/ErrorCode.js';
import { baseProtocolVersion } from '../protocol/ProtocolVersion.js';
import { errorBody } from '../protocol/messages/error.js';
import { LogDb } from '../storage/index.js';
import { limits } from '../limits.js';
import { BackupSessions, backupTmpDir } from './backup/BackupSessions.js';
import { TokenAuthenticator } from './auth/TokenAuthenticator.js';
import type { BrokerContext } from './BrokerContext.js';
import { toErrorBody, BrokerError } from './BrokerError.js';
import { BrokerStartError, listenError } from './BrokerStartError.js';
import { BrokerStats } from './BrokerStats.js';
import type { BrokerConfig } from './config/BrokerConfig.js';
import { Connection } from './Connection.js';
import { delay, settledWithin } from './Delay.js';
import { KafkaListener } from './kafka/KafkaListener.js';
import { routes } from './handlers/RequestRouter.js';
import { Logger } from './Logger.js';
import { LongPollRegistry } from './LongPollRegistry.js';
import { brokerMetricsText, type ConnectionTotals } from './metrics/BrokerMetrics.js';
import { MetricsServer } from './metrics/MetricsServer.js';
import { SubscriptionRegistry } from './subscriptions/SubscriptionRegistry.js';
import { loadTlsFiles } from './TlsFiles.js';
import { brokerVersion } from './version.js';

/** What `Broker.stop` leaves behind, for the `stopped` log line. */
interface StoppedLog {
  readonly committedSequence: number;
  readonly durableSequence: number;
}

/**
 * The broker: a TCP (or TLS) server joining the wire protocol to one LogDb, and optionally a
 * Prometheus endpoint.
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
  /** TLS only: raw sockets open (in their handshake or served) and TLS sockets served. */
  private readonly rawSockets = new Set<Socket>();
  private secureSockets = 0;
  /** Sockets refused at connectionsMax, reading their LIMIT_EXCEEDED frame. */
  private readonly refused = new Set<Socket>();
  private metrics: MetricsServer | undefined;
  private kafka: KafkaListener | undefined;

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
      backups: new BackupSessions(log, backupTmpDir(config.dataDir), { backupsMax: limits.backupsMax, idleTimeoutMs: limits.backupIdleTimeoutMs }, logger),
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
    if (this.isTls) {
      // A TLS server's 'connection' socket is the raw one, before the handshake; the connection is
      // served (or refused with a frame) once the handshake is done.
      server.on('connection', (raw: Socket) => this.admitHandshake(raw));
      server.on('secureConnection', (socket: Socket) => {
        this.secureSockets++;
        socket.once('close', () => this.secureSockets--);
        this.accept(socket);
      });
      server.on('tlsClientError', (error, socket) => logger.debug('tls_handshake_failed', { remote: `${socket.remoteAddress}:${socket.remotePort}`, error: error.message }));
    } else {
      server.on('connection', (socket: Socket) => this.accept(socket));
    }
  }

  /**
   * Check the TLS files, open the log and listen (and serve metrics when configured). Rejects
   * with a BrokerStartError (one line naming the cause and the fix) or a LogError; nothing is
   * left open when it rejects.
   */
  static async start(config: BrokerConfig, logger = new Logger(config.logLevel)): Promise<Broker> {
    if (config.metricsPort !== undefined && config.metricsPort > 65535) throw new BrokerStartError(`metricsPort must be 0..65535, got ${config.metricsPort}`);
    if (config.outputStallTimeoutMs < 1) throw new BrokerStartError('outputStallTimeoutMs must be at least 1 ms');
    // Checked before the log is opened: a TLS mistake should not cost opening (and closing) it.
    const tls = config.tlsCert !== undefined && config.tlsKey !== undefined ? loadTlsFiles(config.tlsCert, config.tlsKey) : undefined;
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
      memtableBytesMax: config.memtableBytesMax,
      keyRetention: config.keyRetention,
      memtableKeysMax: config.memtableKeysMax,
    });
    // The log's lock is held now: no other broker writes copies into this data directory.
    BackupSessions.removeLeftovers(backupTmpDir(config.dataDir), logger);
    const server = tls !== undefined ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: config.helloTimeoutMs }) : createTcpServer();
    const broker = new Broker(server, log, config, logger);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, 'the broker', config.host, config.port, '--host', '--port')));
        server.listen(config.port, config.host, () => resolve());
      });
      server.removeAllListeners('error');
      server.on('error', (error) => logger.error('server_error', { error: error.message }));
      if (config.metricsPort !== undefined) {
        broker.metrics = await MetricsServer.listen(config.metricsHost ?? config.host, config.metricsPort, () => brokerMetricsText(broker.ctx, () => broker.connectionTotals()), logger);
      }
      if (config.kafkaPort !== undefined) broker.kafka = await KafkaListener.start({ log, config, logger, stats: broker.ctx.stats, tls });
    } catch (error) {
      await broker.metrics?.close();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
      await log.close();
      throw error;
    }
    logger.info('listening', {
      address: `${broker.address.host}:${broker.address.port}`,
      dataDir: config.dataDir,
      durability: config.durability,
      tls: broker.isTls,
      metrics: broker.metricsAddress !== undefined ? `${broker.metricsAddress.host}:${broker.metricsAddress.port}` : undefined,
      kafka: broker.kafkaAddress !== undefined ? `${broker.kafkaAddress.host}:${broker.kafkaAddress.port}` : undefined,
      pid: process.pid,
    });
    return broker;
  }

  get address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: this.config.host, port: this.config.port };
    return { host: a.address, port: a.port };
  }

  /** Where `GET /metrics` is served, when it is. */
  get metricsAddress(): { readonly host: string; readonly port: number } | undefined {
    return this.metrics?.address;
  }

  /** Where the Kafka listener listens, when it does (`kafkaPort`). */
  get kafkaAddress(): { readonly host: string; readonly port: number } | undefined {
    return this.kafka?.address;
  }

  get isTls(): boolean {
    return this.config.tlsCert !== undefined;
  }

  /**
   * Stop accepting, answer new requests with SHUTTING_DOWN, let in-flight requests finish (up to
   * the grace period), end subscriptions, close connections, then commit, flush and close the
   * log (which releases the data directory's lock). Resolves once all of that is done.
   */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.stopping ??= this.stop(reason);
    return this.stopping;
  }

  private async stop(reason: string): Promise<void> {
    this.logger.info('shutting_down', { reason, connections: this.connections.size });
    this.ctx.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const metricsClosed = this.metrics?.close();
    const kafkaStopped = this.kafka?.shutdown();
    this.ctx.longPolls.releaseAll();
    const idle = Promise.all([...this.connections].map((c) => c.idle()));
    if (!(await settledWithin(idle, limits.shutdownGraceMs))) this.logger.warn('shutdown_grace_over', { graceMs: limits.shutdownGraceMs });
    await delay(limits.shutdownLingerMs);
    for (const c of this.connections) c.close(ErrorCode.ShuttingDown, 'the broker is shutting down', 'broker shutdown');
    await settledWithin(Promise.all([...this.connections].map((c) => c.whenClosed)), limits.shutdownCloseWaitMs);
    for (const c of this.connections) c.destroy('broker shutdown: the client did not close in time');
    for (const socket of this.refused) socket.destroy();
    // TLS handshakes still under way have nothing to drain.
    for (const raw of this.rawSockets) raw.destroy();
    await closed;
    await metricsClosed;
    await kafkaStopped;
    await this.ctx.backups.closeAll();
    const end = await this.closeLog();
    this.logger.info('stopped', { reason, committedSequence: end.committedSequence, durableSequence: end.durableSequence });
  }

  /** Close the log: queued appends are committed and everything committed is made durable first. */
  private async closeLog(): Promise<StoppedLog> {
    await this.log.close();
    return { committedSequence: this.log.committedSequence, durableSequence: this.log.durableSequence };
  }

  private connectionTotals(): ConnectionTotals {
    let requestsInFlight = 0;
    let outputQueuedBytes = 0;
    for (const c of this.connections) {
      requestsInFlight += c.requestsInFlight;
      outputQueuedBytes += c.outputQueuedBytes;
    }
    return { connections: this.connections.size, requestsInFlight, outputQueuedBytes };
  }

  /**
   * TLS: a raw socket starting its handshake. Handshakes under way count against connectionsMax
   * on their own (a handshake costs memory and CPU before any frame can be sent); beyond it the
   * socket is closed at once. It cannot be sent a frame: it has not spoken TLS yet.
   */
  private admitHandshake(raw: Socket): void {
    const handshaking = this.rawSockets.size - this.secureSockets;
    if (this.ctx.shuttingDown || handshaking >= this.config.connectionsMax) {
      if (!this.ctx.shuttingDown) {
        this.ctx.stats.connectionsRefusedTotal++;
        this.logger.warn('connection_refused', { remote: `${raw.remoteAddress}:${raw.remotePort}`, reason: 'TLS handshakes under way at connectionsMax', max: this.config.connectionsMax });
      }
      raw.destroy();
      return;
    }
    this.rawSockets.add(raw);
    raw.once('close', () => this.rawSockets.delete(raw));
  }

  private accept(socket: Socket): void {
    if (this.ctx.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.config.connectionsMax) {
      this.refuse(socket);
      return;
    }
    this.ctx.stats.connectionsAcceptedTotal++;
    const connection = new Connection(++this.connectionCounter, socket, this.ctx, (c) => this.connections.delete(c));
    this.connections.add(connection);
    this.logger.debug('connection_opened', { connection: connection.id, remote: connection.remote, tls: this.isTls });
  }

  /** Beyond connectionsMax: a connection-level LIMIT_EXCEEDED frame (through TLS when TLS is served), then close. */
  private refuse(socket: Socket): void {
    this.ctx.stats.connectionsRefusedTotal++;
    this.logger.warn('connection_refused', { remote: `${socket.remoteAddress}:${socket.remotePort}`, reason: 'connectionsMax', max: this.config.connectionsMax });
    const body = toErrorBody(new BrokerError(ErrorCode.LimitExceeded, `the broker has ${this.config.connectionsMax} connections already (connectionsMax); retry later`));
    this.refused.add(socket);
    socket.on('error', () => undefined);
    socket.end(encodeFrame({ messageType: 0, version: baseProtocolVersion, flags: FrameFlags.Response | FrameFlags.Error, correlationId: 0 }, errorBody.at(baseProtocolVersion), body));
    // Bounded: a refused client that never reads is cut off after the linger.
    const timer = setTimeout(() => socket.destroy(), limits.refusedConnectionLingerMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.refused.delete(socket);
    });
  }
}
