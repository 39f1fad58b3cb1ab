import { readFileSync } from 'node:fs';
import { OdlogClient } from '../../clients/OdlogClient.js';
import { ConnectionError } from '../../clients/errors.js';
import { stringOption, type CliArgs } from './CliArgs.js';

/** The broker is unreachable: the CLI prints this one line and exits 2. */
export class CannotConnectError extends Error {
  override readonly name = 'CannotConnectError';
}

/** Connect as the command line says (`--broker`, `--token`, `--tls-ca`), failing in one line. */
export async function connectClient(args: CliArgs): Promise<OdlogClient> {
  const broker = stringOption(args, 'broker') ?? process.env.ODLOG_BROKER ?? '127.0.0.1:7070';
  const ca = stringOption(args, 'tls-ca');
  try {
    return await OdlogClient.connect({
      broker,
      token: stringOption(args, 'token'),
      tls: ca !== undefined || args.options.has('tls') ? { ca: ca !== undefined ? readFileSync(ca) : undefined } : undefined,
      clientId: 'odlog-cli',
      reconnect: { maxAttempts: 5 },
    });
  } catch (error) {
    if (error instanceof ConnectionError) {
      const reason = error.message.replace(/^cannot connect to odlog broker at [^:]+:\d+: /, '');
      throw new CannotConnectError(`cannot connect to an odlog broker at ${broker} (${reason}); start one with \`odlog serve\` (or \`npm start\`), or pass --broker HOST:PORT / set ODLOG_BROKER`);
    }
    throw error;
  }
}
