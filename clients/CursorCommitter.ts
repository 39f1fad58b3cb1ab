import { CommitCursor } from '../src/protocol/messages/commitCursor.js';
import type { BrokerConnection } from './BrokerConnection.js';

/**
 * Stores a consumer's position in named cursors. Commits go one at a time, so that a later
 * position never lands before an earlier one (requests on one connection may be answered in any
 * order); with auto-commit, the position is committed every interval when it moved.
 */
export class CursorCommitter {
  private chain: Promise<void> = Promise.resolve();
  /** Last position stored to the consumer's own cursor (or where it started). */
  private committed = -1;
  private timer: NodeJS.Timeout | undefined;
  private autoBusy = false;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly follows: { readonly keys: Buffer[]; readonly prefix: Buffer | null },
    /** The consumer's cursor, which auto-commit stores to. */
    private readonly cursor: string | undefined,
  ) {}

  /** The position the consumer started at: nothing to commit until it moves. */
  startedAt(position: number): void {
    this.committed = position;
  }

  /** Store `sequence` in cursor `name`, after the commits before it. */
  commit(name: string, sequence: number, timeoutMs?: number): Promise<void> {
    const run = async (): Promise<void> => {
      await this.connection.request(CommitCursor, { name, sequence, keys: this.follows.keys, prefix: this.follows.prefix }, { timeoutMs });
      if (name === this.cursor) this.committed = Math.max(this.committed, sequence);
    };
    const result = this.chain.then(run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /**
   * Every `intervalMs`, commit `position()` to the consumer's cursor if it moved and the connection
   * is up. A failure that retrying will not fix (FORBIDDEN, INVALID_REQUEST) goes to `fail`; others
   * are retried at the next interval. The timer does not keep the process alive on its own: the
   * connection does, for as long as the client is open.
   */
  startAuto(intervalMs: number, position: () => number, fail: (error: Error) => void): void {
    const cursor = this.cursor as string;
    this.timer = setInterval(() => {
      const at = position();
      if (this.autoBusy || at === this.committed || !this.connection.isConnected) return;
      this.autoBusy = true;
      this.commit(cursor, at)
        .catch((error: unknown) => {
          if ((error as { retryable?: unknown }).retryable !== true && !this.connection.isClosed) fail(error as Error);
        })
        .finally(() => (this.autoBusy = false));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stop auto-committing; with `finalPosition`, commit it once more if it moved (resolves either way). */
  async stop(finalPosition: number | undefined, timeoutMs: number): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (finalPosition === undefined || finalPosition === this.committed || this.connection.isClosed) return;
    await this.commit(this.cursor as string, finalPosition, timeoutMs).catch(() => undefined);
  }
}
