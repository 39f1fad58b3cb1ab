import { UsageError } from '../args/UsageError.js';

/** The port a broker listens on unless told otherwise (as redis-cli and kcat default theirs). */
export const defaultBrokerPort = 7070;

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, IPv6 hosts in brackets: what the client library takes. */
  readonly text: string;
}

/**
 * `HOST`, `HOST:PORT`, `[IPV6]`, `[IPV6]:PORT` or a bare IPv6 address; the port defaults to 7070.
 * `source` names where the text came from (`--broker`, `ODLOG_BROKER`) in the error.
 *
 * @example
 * parseBrokerAddress('127.0.0.1', '--broker'); // { host: '127.0.0.1', port: 7070, text: '127.0.0.1:7070' }
 */
export function parseBrokerAddress(address: string, source: string): BrokerAddress {
  const trimmed = address.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (bracketed !== null) [host, portText] = [bracketed[1], bracketed[2]];
  else if ((trimmed.match(/:/g) ?? []).length > 1) host = trimmed; // a bare IPv6 address: no port can follow
  else [host, portText] = trimmed.split(':') as [string, string | undefined];
  if (host.length === 0) throw new UsageError(`${source} must be HOST or HOST:PORT (e.g. 127.0.0.1:7070), got ${JSON.stringify(address)}`);
  let port = defaultBrokerPort;
  if (portText !== undefined) {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new UsageError(`${source} ${JSON.stringify(address)}: the port must be a number in 1..65535`);
  }
  return { host, port, text: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}
