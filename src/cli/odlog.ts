#!/usr/bin/env node
import { BrokerRequestError, ClientClosedError, ConnectionError, ProtocolVersionError, RequestTimeoutError } from '../../clients/errors.js';
import { UsageError } from '../args/UsageError.js';
import { ConfigError } from '../broker/config/BrokerConfig.js';
import { brokerVersion } from '../broker/version.js';
import { CliError } from './CliError.js';
import { commands } from './commandTable.js';
import { exitQuietlyOnClosedStdout } from './output/Output.js';

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: odlog COMMAND [options]        (odlog COMMAND --help for its options and examples)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Every command that talks to a broker takes --broker HOST[:PORT] (or ODLOG_BROKER; default',
    '127.0.0.1:7070), --token T (or ODLOG_TOKEN), --tls-ca FILE or --tls, and --encoding utf8|base64.',
    '',
    '  -V, --version   print the version',
    '  -h, --help      print this help',
    '',
    'Exit status: 0 done; 1 the broker refused or failed a request; 2 no broker could be reached;',
    '64 usage mistake; 65 bad input data; 66 an input file cannot be read.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(globalHelp() + '\n');
    return 64;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(globalHelp() + '\n');
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`odlog ${brokerVersion}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest[0] === undefined) {
      process.stdout.write(globalHelp() + '\n');
      return 0;
    }
    const topic = commands.find((c) => c.name === rest[0]);
    if (topic === undefined) throw new UsageError(`unknown command ${JSON.stringify(rest[0])}; see odlog --help`);
    return topic.run(['--help']);
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}; see odlog --help`);
  return command.run(rest);
}

/** One line for the failures a user can act on; a stack only for what is a bug. */
function report(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`odlog: ${message}\n`);
    return 64;
  }
  if (error instanceof CliError) {
    process.stderr.write(`odlog: ${message}\n`);
    return error.exitCode;
  }
  if (
    error instanceof BrokerRequestError ||
    error instanceof ConnectionError ||
    error instanceof RequestTimeoutError ||
    error instanceof ClientClosedError ||
    error instanceof ProtocolVersionError ||
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
  ) {
    process.stderr.write(`odlog: ${message}\n`);
    return 1;
  }
  process.stderr.write(`odlog: ${error instanceof Error && error.stack ? error.stack : message}\n`);
  return 1;
}

exitQuietlyOnClosedStdout();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
