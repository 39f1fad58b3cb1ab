/**
 * A byte stream to the broker. The client core talks to this, not to sockets: `node:net` and
 * `node:tls` are two implementations, and tests can pass an in-memory pair.
 */
export interface Transport {
  /** Write bytes; false when the transport's buffer is full (wait for onDrain). */
  write(bytes: Buffer): boolean;
  /** Write several frames as one system call where the transport can. */
  writeMany(frames: readonly Buffer[]): void;
  readonly writableBytes: number;
  onData(listener: (chunk: Buffer) => void): void;
  onDrain(listener: () => void): void;
  onClose(listener: (error: Error | undefined) => void): void;
  close(): void;
}

/**
 * Opens transports to one broker address: resolves once connected, rejects (ConnectionError) when
 * that fails, takes longer than `timeoutMs`, or `signal` aborts (the client was closed meanwhile).
 */
export type TransportFactory = (timeoutMs: number, signal?: AbortSignal) => Promise<Transport>;
