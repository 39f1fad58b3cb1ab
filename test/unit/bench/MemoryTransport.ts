import { Duplex } from 'node:stream';

/**
 * An in-memory stand-in for a socket: what the client writes is collected in `written`, and
 * `serve` makes bytes arrive as if from the server. Destroying it emits 'close', like a socket.
 */
export class MemoryTransport extends Duplex {
  readonly written: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written.push(chunk);
    callback();
  }

  override _read(): void {
    // bytes arrive only through serve()
  }

  serve(bytes: string | Buffer): void {
    this.push(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Everything written so far, as text. */
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** Let queued microtasks and stream events run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
