import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { limits } from '../../limits.js';
import type { LogDb } from '../../storage/index.js';
import { TokenAuthenticator } from '../auth/TokenAuthenticator.js';
import { listenError } from '../BrokerStartError.js';
import type { BrokerStats } from '../BrokerStats.js';
import type { BrokerConfig } from '../config/BrokerConfig.js';
import type { Logger } from '../Logger.js';
import { FetchWaiters } from './FetchWaiters.js';
import { GroupCoordinator } from './group/GroupCoordinator.js';
import { IdempotentProducers } from './IdempotentProducers.js';
import { KafkaConnection } from './KafkaConnection.js';
import type { KafkaContext } from './KafkaContext.js';
import { kafkaApiVersions, kafkaRoutes } from './KafkaRoutes.js';

/** What the listener shares with the native one. */
export interface KafkaListenerOptions {
  readonly log: LogDb;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly stats: BrokerStats;
  /** PEM certificate and key: serve TLS (the native listener's). */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
}

const wildcards = new Set(['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

/**
 * The Kafka listener (`odlog serve --kafka-port 9092`): the Kafka wire protocol on the broker's
 * log, with its durability, tokens (through SASL/PLAIN), TLS and bounds. See docs/kafka.md.
 *
 * @example
 * const kafka = await KafkaListener.start({ log, config, logger, stats });
 * console.log(kafka.address); // { host: '127.0.0.1', port: 9092 }
 * await kafka.shutdown(); // before the log is closed
 */
export class KafkaListener {
  private readonly connections = new Set<KafkaConnection>();
  private connectionCounter = 0;
  private readonly ctx: KafkaContext & { shuttingDown: boolean };
  private readonly stopVisible: () => void;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: KafkaListenerOptions,
  ) {
    const { log, config, logger, stats } = options;
    const waiters = new FetchWaiters();
    this.ctx = {
      log,
      config,
      logger,
      stats,
      authenticator: new TokenAuthenticator(config.authToken, config.tokens),
      coordinator: new GroupCoordinator(
        { activeGroupsMax: limits.kafkaActiveGroupsMax, membersPerGroupMax: limits.kafkaGroupMembersMax, sessionTimeoutMsMin: limits.kafkaSessionTimeoutMsMin, sessionTimeoutMsMax: limits.kafkaSessionTimeoutMsMax },
        logger,
      ),
      waiters,
      producers: new IdempotentProducers(limits.kafkaProducerSequencesMax, (id) => log.producerLastBatch(id)),
      apiVersions: kafkaApiVersions,
      shuttingDown: false,
    };
    this.stopVisible = log.onVisible((chunk) => waiters.onChunk(chunk));
    server.maxConnections = config.connectionsMax;
    server.on('drop', (data) => logger.warn('kafka_connection_refused', { remote: `${data?.remoteAddress}:${data?.remotePort}`, reason: 'connectionsMax', max: config.connectionsMax }));
    if (options.tls !== undefined) {
      server.on('secureConnection', (socket: Socket) => this.accept(socket));
      server.on('tlsClientError', (error, socket) => logger.debug('kafka_tls_handshake_failed', { remote: `${socket.remoteAddress}:${socket.remotePort}`, error: error.message }));
    } else {
      server.on('connection', (socket: Socket) => this.accept(socket));
    }
  }

  /** Listen on `config.host`:`config.kafkaPort`. Rejects with a BrokerStartError (port in use, ...). */
  static async start(options: KafkaListenerOptions): Promise<KafkaListener> {
    const { config } = options;
    const port = config.kafkaPort ?? 0;
    const server = options.tls !== undefined ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: config.helloTimeoutMs }) : createTcpServer();
    const listener = new KafkaListener(server, options);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, 'the Kafka listener', config.host, port, '--host', '--kafka-port')));
        server.listen(port, config.host, () => resolve());
      });
    } catch (error) {
      listener.stopVisible();
      throw error;
    }
    server.removeAllListeners('error');
    server.on('error', (error) => options.logger.error('kafka_server_error', { error: error.message }));
    return listener;
  }

  get address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: this.options.config.host, port: this.options.config.kafkaPort ?? 0 };
    return { host: a.address, port: a.port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Fetch requests waiting for records (long-polls). */
  get waitingFetches(): number {
    return this.ctx.waiters.size;
  }

  /**
   * Stop accepting, answer waiting fetches and group members at once, let requests in flight
   * finish (up to `graceMs`; a request arriving meanwhile closes its connection, and the client
   * retries once the broker is back), then close every connection. Resolves once every connection
   * is closed; the log is still open until then.
   */
  shutdown(graceMs: number = limits.shutdownGraceMs): Promise<void> {
    this.stopping ??= this.stop(graceMs);
    return this.stopping;
  }

  private async stop(graceMs: number): Promise<void> {
    this.ctx.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Nothing waits for the grace period: fetches are answered now, and members held in JoinGroup
    // or SyncGroup get COORDINATOR_NOT_AVAILABLE (they look for the coordinator again once it is back).
    this.ctx.waiters.releaseAll();
    this.ctx.coordinator.close();
    const idle = Promise.all([...this.connections].map((c) => c.idle()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const c of this.connections) c.close('broker shutdown');
    const allClosed = Promise.all([...this.connections].map((c) => c.whenClosed));
    await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, limits.shutdownCloseWaitMs)))]);
    clearTimeout(timer);
    for (const c of this.connections) c.destroy('broker shutdown: the client did not close in time');
    this.stopVisible();
    await closed;
  }

  private accept(socket: Socket): void {
    if (this.ctx.shuttingDown) {
      socket.destroy();
      return;
    }
    this.ctx.stats.connectionsAcceptedTotal++;
    const connection = new KafkaConnection(++this.connectionCounter, socket, this.ctx, kafkaRoutes, this.advertisedFor(socket), (c) => this.connections.delete(c));
    this.connections.add(connection);
    this.options.logger.debug('kafka_connection_opened', { connection: connection.id, remote: connection.remote, tls: this.options.tls !== undefined });
  }

  /**
   * Where a client is told to connect: the configured advertised host and port, else the
   * address the listener is bound to (never the name `localhost`, which a client may resolve to
   * ::1 while the broker listens on 127.0.0.1), or, when bound to a wildcard, the address this
   * client reached.
   */
  private advertisedFor(socket: Socket): { host: string; port: number } {
    const bound = this.address;
    let host = this.options.config.kafkaAdvertisedHost;
    if (host === undefined) {
      host = wildcards.has(bound.host) ? socket.localAddress ?? bound.host : bound.host;
      if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice('::ffff:'.length);
    }
    return { host, port: this.options.config.kafkaAdvertisedPort ?? bound.port };
  }
}
