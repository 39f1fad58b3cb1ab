import { CliError } from '../CliError.js';
import type { Command } from '../Command.js';

/**
 * The load harness's entry point, found through this package's exports (`odlog/bench`), so the
 * product never imports the harness's code and an installed package runs the harness it ships.
 */
const harnessEntry = 'odlog/bench';

/** What the harness's entry point exports. */
interface BenchHarness {
  runBenchCommand(argv: readonly string[]): Promise<number>;
  benchHelp(): string;
}

async function loadHarness(): Promise<BenchHarness> {
  try {
    return (await import(harnessEntry)) as BenchHarness;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'ERR_PACKAGE_IMPORT_NOT_DEFINED') {
      throw new CliError(`the load harness (${harnessEntry}) is not part of this installation (${(error as Error).message.split('\n')[0]}); reinstall odlog from its package, or run \`npm run build\` in a checkout`, 1);
    }
    throw error;
  }
}

/** `odlog bench`: handed whole to the harness, which parses its own flags. */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'Load-test a broker (or redis and nats as peers): throughput and latency.',
  help: () => 'odlog bench --help prints the load harness options',
  async run(argv) {
    return (await loadHarness()).runBenchCommand(argv);
  },
};
