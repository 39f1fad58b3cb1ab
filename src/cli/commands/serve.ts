import { Broker } from '../../broker/Broker.js';
import { BrokerStartError } from '../../broker/BrokerStartError.js';
import { brokerHelp, loadBrokerConfig } from '../../broker/config/BrokerConfig.js';
import { Logger } from '../../broker/Logger.js';

/**
 * `odlog serve`: run the broker until SIGTERM/SIGINT, then shut down cleanly (drain, commit,
 * flush, close the log, release the data directory) and exit 0. A second signal forces exit 130.
 *
 * Once it listens it prints one line on stdout, the readiness line that supervisors and scripts
 * wait for (a stable interface, see docs/protocol.md section 2):
 *   odlog listening on HOST:PORT (data DIR, durability sync|async[, tls][, metrics http://HOST:PORT/metrics][, kafka HOST:PORT])
 * A broker that cannot start prints one line, `odlog: <cause and fix>`, on stderr and exits 1.
 */
export async function serve(argv: readonly string[]): Promise<number> {
  const config = loadBrokerConfig(argv);
  if (config.help) {
    console.log(brokerHelp());
    return 0;
  }
  const logger = new Logger(config.logLevel);
  let broker: Broker;
  try {
    broker = await Broker.start(config, logger);
  } catch (error) {
    if (!(error instanceof BrokerStartError)) throw error;
    console.error(`odlog: ${error.message}`);
    return 1;
  }
  console.log(readinessLine(broker));
  return new Promise<number>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.error('forced_exit', { signal });
        process.exit(130);
      }
      broker.shutdown(signal).then(
        () => resolve(0),
        (error: unknown) => {
          logger.error('shutdown_failed', { error: (error as Error).message });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** `odlog listening on HOST:PORT (...)`: the port is the one bound (with --port 0, the one chosen). */
function readinessLine(broker: Broker): string {
  const { host, port } = broker.address;
  const details = [`data ${broker.config.dataDir}`, `durability ${broker.config.durability}`];
  if (broker.isTls) details.push('tls');
  const metrics = broker.metricsAddress;
  if (metrics !== undefined) details.push(`metrics http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}/metrics`);
  const kafka = broker.kafkaAddress;
  if (kafka !== undefined) details.push(`kafka ${kafka.host.includes(':') ? `[${kafka.host}]` : kafka.host}:${kafka.port}`);
  return `odlog listening on ${host}:${port} (${details.join(', ')})`;
}
