import type { Transport } from '../../../clients/transport/Transport.js';

/**
 * One in-memory connection between a client and a fake broker. `clientEnd` is the Transport the
 * client talks to; the broker side reads with `onBrokerData` and writes with `toClient`. Bytes and
 * the close travel asynchronously (setImmediate, in order), as they do on a socket: no callback
 * ever runs inside the write that caused it.
 */
export class MemoryConnection {
  private readonly clientData: ((chunk: Buffer) => void)[] = [];
  private readonly clientClose: ((error: Error | undefined) => void)[] = [];
  private open = true;
  /** Everything the client wrote, in order. */
  readonly fromClient: Buffer[] = [];
  readonly clientEnd: Transport;

  constructor(private readonly onBrokerData: (chunk: Buffer) => void) {
    const connection = this;
    this.clientEnd = {
      write(bytes: Buffer): boolean {
        connection.fromClientBytes(bytes);
        return true;
      },
      writeMany(frames: readonly Buffer[]): void {
        connection.fromClientBytes(Buffer.concat(frames));
      },
      get writableBytes(): number {
        return 0;
      },
      onData: (listener) => void this.clientData.push(listener),
      onDrain: () => undefined,
      onClose: (listener) => void this.clientClose.push(listener),
      close: () => this.close(undefined),
    };
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Bytes from the broker to the client. */
  toClient(bytes: Buffer): void {
    if (!this.open) return;
    setImmediate(() => {
      for (const listener of this.clientData) listener(bytes);
    });
  }

  /** Close both ends; the client hears of it (with `error`) after the bytes already on their way. */
  close(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    setImmediate(() => {
      for (const listener of this.clientClose) listener(error);
    });
  }

  private fromClientBytes(bytes: Buffer): void {
    if (!this.open) return;
    this.fromClient.push(bytes);
    setImmediate(() => {
      if (this.open) this.onBrokerData(bytes);
    });
  }
}
