import { fileURLToPath } from 'node:url';
import type { Workload } from '../BenchOptions.js';
import { serverInTempDir, startChildServer } from './ChildServer.js';
import type { RunningTarget, TargetLauncher } from './Target.js';

const cli = fileURLToPath(new URL('../../../src/cli/odlog.js', import.meta.url));

/**
 * `--target kafka` without `--broker`: an odlog broker in its own process, on a temporary data
 * directory, driven through its Kafka listener (`--kafka-port 0`; the address is read from the
 * readiness line's `kafka HOST:PORT`). With `--broker HOST:PORT` the harness drives that broker
 * instead, whatever speaks Kafka there (Kafka, Redpanda, odlog).
 */
export const kafkaTarget: TargetLauncher = {
  kind: 'kafka',
  unavailable: () => undefined,
  async start(workload: Workload): Promise<RunningTarget> {
    return serverInTempDir('odlog-bench-kafka-', async (dataDir) => {
      const { child, address } = await startChildServer(
        process.execPath,
        [cli, 'serve', '--port', '0', '--kafka-port', '0', '--data-dir', dataDir, '--durability', workload.durability, '--connections-max', '4096'],
        /^odlog listening on .*[(,] kafka (\S+?)[,)]/,
      );
      return { child, address, label: `odlog Kafka listener (${workload.durability})` };
    });
  },
};
