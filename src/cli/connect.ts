import { readFileSync } from 'node:fs';
import { ConnectionError, RequestTimeoutError } from '../../clients/errors.js';
import type { ReconnectOptions } from '../../clients/BrokerConnection.js';
import { OdlogClient } from '../../clients/OdlogClient.js';
import { switchFlag, text, valueFlag, type FlagValues } from '../args/Flag.js';
import { parseBrokerAddress, type BrokerAddress } from './BrokerAddress.js';
import { CannotConnectError, fileProblem, InputFileError } from './CliError.js';
import { diagnoseConnection, type TransportWanted } from './ConnectionDiagnosis.js';

/** The flags every command that talks to a broker takes. */
export const connectionFlags = {
  broker: valueFlag('broker', 'HOST[:PORT]', 'the broker to talk to (default $ODLOG_BROKER, else 127.0.0.1:7070; the port defaults to 7070)', text, { example: '--broker 10.0.0.5' }),
  token: valueFlag('token', 'TOKEN', 'auth token (default $ODLOG_TOKEN)', text),
  tlsCa: valueFlag('tls-ca', 'FILE', 'connect with TLS and trust the broker certificate this CA (PEM) signed', text, { example: '--tls-ca ca.pem' }),
  tls: switchFlag('tls', 'connect with TLS, trusting the CAs the system trusts'),
};

export type ConnectionFlagValues = FlagValues<typeof connectionFlags>;

const connectTimeoutMs = 5000;

/** Where the flags (or ODLOG_BROKER) say the broker is. */
export function brokerAddressOf(flags: ConnectionFlagValues): BrokerAddress {
  if (flags.broker !== undefined) return parseBrokerAddress(flags.broker, '--broker');
  const env = process.env.ODLOG_BROKER;
  if (env !== undefined && env !== '') return parseBrokerAddress(env, 'ODLOG_BROKER');
  return parseBrokerAddress('127.0.0.1', 'the default broker');
}

/**
 * A one-shot command rides out a short outage (five attempts, about 3 s); `odlog tail` passes its
 * own policy (`--reconnect-timeout`).
 */
const commandReconnect: ReconnectOptions = { maxAttempts: 5 };

/**
 * Connect as the command line says (`--broker`, `--token`, `--tls-ca`, `--tls`). Failing to
 * connect is one line naming the cause and the fix (nothing listens; TLS on one side only; an
 * untrusted certificate), found by probing the address once the client has given up. Once
 * connected, a lost connection is re-established as `reconnect` says.
 */
export async function connectClient(flags: ConnectionFlagValues, reconnect: ReconnectOptions = commandReconnect): Promise<OdlogClient> {
  const address = brokerAddressOf(flags);
  let ca: Buffer | undefined;
  if (flags.tlsCa !== undefined) {
    try {
      ca = readFileSync(flags.tlsCa);
    } catch (error) {
      throw new InputFileError(`cannot read --tls-ca ${flags.tlsCa} (${fileProblem(error)}); give the PEM file of the CA that signed the broker's certificate`);
    }
  }
  const wanted: TransportWanted = { tls: ca !== undefined || flags.tls === true, ca, caFile: flags.tlsCa };
  try {
    return await OdlogClient.connect({
      broker: address.text,
      token: flags.token,
      tls: wanted.tls ? { ca } : undefined,
      clientId: 'odlog-cli',
      connectTimeoutMs,
      reconnect,
    });
  } catch (error) {
    if (!(error instanceof ConnectionError || error instanceof RequestTimeoutError)) throw error;
    const why = await diagnoseConnection(address, wanted, connectTimeoutMs);
    if (why !== undefined) throw new CannotConnectError(`cannot connect to an odlog broker at ${address.text}: ${why}`);
    const reason = error.message.replace(/^cannot connect to odlog broker at \S+: /, '');
    throw new CannotConnectError(`cannot connect to an odlog broker at ${address.text} (${reason}); start one with \`odlog serve\` (or \`npm start\`), or pass --broker HOST:PORT / set ODLOG_BROKER`);
  }
}

/** Connect, run `work` with the client, and close it whatever happens. */
export async function withClient<T>(flags: ConnectionFlagValues, work: (client: OdlogClient) => Promise<T>): Promise<T> {
  const client = await connectClient(flags);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
