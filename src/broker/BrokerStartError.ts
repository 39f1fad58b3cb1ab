/**
 * The broker could not start, for a reason the operator can fix (an address that is not this
 * machine's, a port in use, TLS files that cannot be used). Its message is one line naming the
 * cause and the fix; `odlog serve` prints it without a stack trace and exits with status 1.
 */
export class BrokerStartError extends Error {
  override readonly name = 'BrokerStartError';
}

/**
 * The error for a listen() that failed, by its errno code.
 * @example
 * server.once('error', (e) => reject(listenError(e, 'the broker', '10.255.255.1', 7070, '--host', '--port')));
 */
export function listenError(error: NodeJS.ErrnoException, what: string, host: string, port: number, hostFlag: string, portFlag: string): BrokerStartError {
  const where = `${what} cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRNOTAVAIL':
      return new BrokerStartError(`${where}: ${host} is not an address of this machine (EADDRNOTAVAIL); give ${hostFlag} one of its addresses, 127.0.0.1, or 0.0.0.0 for all of them`);
    case 'EADDRINUSE':
      return new BrokerStartError(`${where}: the port is in use by another process (EADDRINUSE); stop that process or choose another ${portFlag}`);
    case 'EACCES':
      return new BrokerStartError(`${where}: permission denied (EACCES); ports below 1024 need privileges: choose ${portFlag} 1024 or above`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new BrokerStartError(`${where}: the host name ${host} does not resolve (${error.code}); give ${hostFlag} an IP address or a name that resolves`);
    case 'EAFNOSUPPORT':
      return new BrokerStartError(`${where}: this machine does not support that address family (EAFNOSUPPORT); give ${hostFlag} an IPv4 address such as 127.0.0.1`);
    default:
      return new BrokerStartError(`${where}: ${error.message}; check ${hostFlag} and ${portFlag}`);
  }
}
