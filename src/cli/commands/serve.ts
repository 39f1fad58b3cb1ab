import { Broker } from '../../broker/Broker.js';
import { brokerHelp, loadBrokerConfig } from '../../broker/config/BrokerConfig.js';
import { Logger } from '../../broker/Logger.js';

/** `odlog serve`: run the broker until SIGTERM/SIGINT, then shut down cleanly. */
export async function serve(argv: readonly string[]): Promise<number> {
  const config = loadBrokerConfig(argv);
  if (config.help) {
    console.log(brokerHelp());
    return 0;
  }
  const logger = new Logger(config.logLevel);
  const broker = await Broker.start(config, logger);
  const { host, port } = broker.address;
  console.log(`odlog listening on ${host}:${port} (data ${config.dataDir}, durability ${config.durability}${broker.isTls ? ', tls' : ''})`);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.error('forced_exit', { signal });
        process.exit(130);
      }
      broker.shutdown(signal).then(resolve, (error: unknown) => {
        logger.error('shutdown_failed', { error: (error as Error).message });
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}
