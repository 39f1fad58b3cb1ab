import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConnectionError } from '../errors.js';
import type { Transport, TransportFactory } from './Transport.js';

class SocketTransport implements Transport {
  private closeError: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('error', (error) => (this.closeError = error));
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  writeMany(frames: readonly Buffer[]): void {
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  }

  get writableBytes(): number {
    return this.socket.writableLength;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.socket.on('data', listener);
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.socket.on('close', () => listener(this.closeError));
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SocketOptions {
  readonly host: string;
  readonly port: number;
  /** Use TLS; `ca` is the PEM the server's certificate must chain to (default: system CAs). */
  readonly tls?: { readonly ca?: string | Buffer; readonly servername?: string; readonly rejectUnauthorized?: boolean };
}

/** Transports over `node:net`, or `node:tls` with the server's certificate verified. */
export function socketTransports(options: SocketOptions): TransportFactory {
  return (timeoutMs, signal) =>
    new Promise<Transport>((resolve, reject) => {
      const address = `${options.host}:${options.port}`;
      if (signal?.aborted === true) {
        reject(new ConnectionError(`connecting to odlog broker at ${address} was aborted`));
        return;
      }
      let socket: Socket;
      const onAbort = (): void => onError(new Error('aborted'));
      const onError = (error: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(new ConnectionError(`cannot connect to odlog broker at ${address}: ${error.message}`));
      };
      if (options.tls !== undefined) {
        const tlsOptions: ConnectionOptions = {
          host: options.host,
          port: options.port,
          ca: options.tls.ca,
          servername: options.tls.servername ?? (isIp(options.host) ? undefined : options.host),
          rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
        };
        socket = tlsConnect(tlsOptions, () => done());
      } else {
        socket = netConnect({ host: options.host, port: options.port }, () => done());
      }
      const timer = setTimeout(() => onError(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        resolve(new SocketTransport(socket));
      }
    });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
