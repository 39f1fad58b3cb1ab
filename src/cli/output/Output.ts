import { limits } from '../../limits.js';

const chunkBytes = limits.cliOutputChunkBytes;

/**
 * A command's standard output, with backpressure: lines are gathered into chunks, and once the
 * stream's buffer is full (`write` returned false, a pipe whose reader is slow or paused) `write`
 * returns a promise that settles on 'drain'. A command that awaits it reads from the broker only
 * as fast as its reader takes output, so its memory stays flat whatever the log's size.
 *
 * @example
 * const out = new Output(process.stdout);
 * for await (const entry of entries) { const wait = out.write(format(entry)); if (wait) await wait; }
 * await out.end();
 */
export class Output {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private drained: Promise<void> | undefined;
  private scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Queue `data`; returns a promise to await when the reader is behind, undefined otherwise. */
  write(data: string | Buffer): Promise<void> | undefined {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= chunkBytes) return this.flush();
    if (!this.scheduled) {
      // Lines written in one turn of the event loop go out in one write, and none waits longer.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return undefined;
  }

  /** Hand what is gathered to the stream (unless it is still full); resolves once it has room. */
  flush(): Promise<void> | undefined {
    if (this.drained !== undefined) return this.drained;
    if (this.pendingBytes === 0) return undefined;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.stream.write(chunk)) return undefined;
    this.drained = new Promise<void>((resolve) => {
      this.stream.once('drain', () => {
        this.drained = undefined;
        resolve();
      });
    });
    return this.drained;
  }

  /** Write everything gathered and wait until the stream took it. */
  async end(): Promise<void> {
    for (let wait = this.flush(); wait !== undefined || this.pendingBytes > 0; wait = this.flush()) await wait;
  }
}

/**
 * Make a closed standard output (the reader went away: `| head -2`) end the process quietly with
 * status 0, as kcat and redis-cli do, instead of an EPIPE stack trace. Other write errors are
 * reported in one line.
 */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    process.stderr.write(`odlog: cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
  // A closed stderr leaves nowhere to report anything; it must not crash the command either.
  process.stderr.on('error', () => undefined);
}
