#!/usr/bin/env node
import { BrokerRequestError } from '../../clients/errors.js';
import { ConfigError } from '../broker/config/BrokerConfig.js';
import { LogError } from '../storage/errors.js';
import { UsageError as SharedUsageError } from '../args/UsageError.js';
import { parseCliArgs, UsageError } from './CliArgs.js';
import { count, keys, seal, segments, stats } from './commands/admin.js';
import { produce } from './commands/produce.js';
import { scan, tail } from './commands/read.js';
import { serve } from './commands/serve.js';
import { CannotConnectError } from './connect.js';

const usage = `usage: odlog COMMAND [options]

  serve                                  run a broker (odlog serve --help for its options)
  produce KEY [--value V]                append one record, or one per stdin line
  scan KEY [--from SEQ] [--to SEQ] [--limit N]
  tail KEY... | --prefix P [--from earliest|latest|SEQ] [--cursor NAME] [--count N]
  count KEY [--from SEQ] [--to SEQ]
  keys [--prefix P] [--limit N]
  segments
  seal
  stats [--format text|json|prometheus]
  bench [options]                        load test (odlog bench --help)

Common options: --broker HOST:PORT (or ODLOG_BROKER, default 127.0.0.1:7070), --token T (or ODLOG_TOKEN),
  --tls-ca FILE, --format text|json, --encoding utf8|base64 (binary keys and values)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return command === undefined ? 64 : 0;
  }
  if (command === 'serve') return serve(rest);
  if (command === 'bench') {
    // The harness is its own entry point of the package (exports "./bench"): the product never
    // imports its code, and an installed odlog runs the harness it ships.
    const harnessEntry: string = 'odlog/bench';
    const harness = (await import(harnessEntry)) as { runBenchCommand(argv: readonly string[]): Promise<number> };
    return harness.runBenchCommand(rest);
  }
  const args = parseCliArgs(rest);
  if (args.options.has('help')) {
    console.log(usage);
    return 0;
  }
  switch (command) {
    case 'produce':
      return produce(args);
    case 'scan':
      return scan(args);
    case 'tail':
      return tail(args);
    case 'count':
      return count(args);
    case 'keys':
      return keys(args);
    case 'segments':
      return segments(args);
    case 'seal':
      return seal(args);
    case 'stats':
      return stats(args);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; see odlog --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || error instanceof SharedUsageError || error instanceof ConfigError) {
      console.error(`odlog: ${message}`);
      process.exitCode = 64;
    } else if (error instanceof CannotConnectError) {
      console.error(`odlog: ${message}`);
      process.exitCode = 2;
    } else if (error instanceof BrokerRequestError || error instanceof LogError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`odlog: ${message}`);
      process.exitCode = 1;
    } else {
      console.error(`odlog: ${error instanceof Error && error.stack ? error.stack : message}`);
      process.exitCode = 1;
    }
  },
);
