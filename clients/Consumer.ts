import { limits } from '../src/limits.js';
import { readEntryBatch, type Entry } from '../src/protocol/batch/EntryBatchCodec.js';
import { entryCreditBytes } from '../src/protocol/batch/EntryCost.js';
import type { Frame } from '../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../src/protocol/MessageType.js';
import { baseProtocolVersion, isProtocolVersion, type ProtocolVersion } from '../src/protocol/ProtocolVersion.js';
import { Credit } from '../src/protocol/messages/credit.js';
import { Unsubscribe } from '../src/protocol/messages/unsubscribe.js';
import { ErrorCode } from '../src/protocol/ErrorCode.js';
import { Subscribe, type StartFrom } from '../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../src/protocol/messages/subscriptionBatch.js';
import { SubscriptionEndPush } from '../src/protocol/messages/subscriptionEnd.js';
import type { BrokerConnection } from './BrokerConnection.js';
import { checkArray, checkName, checkPositiveInteger, describeValue } from './ArgumentChecks.js';
import { toBytes, type Bytes } from './Bytes.js';
import { CursorCommitter } from './CursorCommitter.js';
import { BrokerRequestError, InvalidArgumentError, ProtocolVersionError } from './errors.js';

export interface ConsumerOptions {
  readonly keys?: readonly Bytes[];
  readonly prefix?: Bytes;
  /**
   * Where to start: 'earliest', 'latest' (default), a sequence, or `{ timeMs }`: the first entry
   * appended at or after that time (ms since the epoch; needs protocol version 2).
   */
  readonly from?: 'earliest' | 'latest' | number | { readonly timeMs: number };
  /** Resume from this named cursor when it exists (else from `from`); `commit()` stores to it. */
  readonly cursor?: string;
  /** Records the broker may send ahead of what was consumed (default 1000). */
  readonly windowRecords?: number;
  /** Bytes the broker may send ahead (default 4 MiB, raised to fit the largest record). */
  readonly windowBytes?: number;
  /**
   * Commit the position to `cursor` every `intervalMs` (when it moved), and once more when the
   * consumer or its client is closed. The position committed is the one after the last entry
   * whose loop iteration completed: the entry being handled when the commit happens (or when the
   * loop is left with `break` or a throw) is delivered again on resume (at least once).
   */
  readonly autoCommit?: AutoCommitOptions;
}

export interface AutoCommitOptions {
  readonly intervalMs: number;
}

let subscriptionIds = 0;

/** Pause before subscribing again after a retryable failure on a live connection. */
const resubscribeRetryMs = 200;

/**
 * A subscription as an async iterator of entries in global sequence order. It manages credit
 * itself (granting more as entries are consumed, so at most a window is buffered), re-subscribes
 * from where it stopped after a reconnect (no gap, no duplicate), and can commit its position to a
 * named cursor.
 *
 * The iteration ends (`for await` returns) when the consumer or its client is closed, and throws
 * when the connection is lost for good (ConnectionLostError, after the entries already received),
 * the broker ends the subscription (BrokerRequestError), or an auto-commit fails for a reason
 * retrying will not fix (FORBIDDEN, for example).
 *
 * @example
 * const consumer = await client.subscribe({ keys: ['orders'], from: 'earliest', cursor: 'billing', autoCommit: { intervalMs: 1000 } });
 * for await (const entry of consumer) handle(entry);
 */
export class Consumer implements AsyncIterableIterator<Entry> {
  private id = 0;
  private readonly buffer: Entry[] = [];
  private at = 0;
  private waiter: { resolve: (r: IteratorResult<Entry, undefined>) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private done = false;
  /** Next sequence after everything received (the resume point after a reconnect). */
  private receivedUpTo: number;
  /** Next sequence after everything handed to the caller (what commit() stores). */
  private consumedUpTo: number;
  /** Next sequence after the last entry whose loop iteration completed (what auto-commit stores). */
  private completedUpTo: number;
  private readonly committer: CursorCommitter;
  private unackedRecords = 0;
  private unackedBytes = 0;
  private readonly windowRecords: number;
  private readonly windowBytes: number;
  private stopListening: (() => void)[] = [];
  /** A Subscribe is in flight: credit waits for it (the broker does not know the new id yet). */
  private subscribing = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly connection: BrokerConnection,
    private readonly options: ConsumerOptions,
    /** What the subscription follows, as sent. */
    private readonly follows: { readonly keys: Buffer[]; readonly prefix: Buffer | null },
    start: number,
    private readonly closeTimeoutMs: number,
  ) {
    const broker = connection.hello.limits;
    this.windowRecords = Math.max(1, options.windowRecords ?? 1000);
    // The window must hold the largest entry, or the subscription would stall on it.
    this.windowBytes = Math.max(options.windowBytes ?? 4 * 1024 * 1024, broker.valueBytesMax + broker.keyBytesMax + limits.headerBytesPerRecordMax);
    this.receivedUpTo = start;
    this.consumedUpTo = start;
    this.completedUpTo = start;
    this.committer = new CursorCommitter(connection, follows, options.cursor);
  }

  /**
   * Check the options, subscribe, and resolve once the broker accepted the subscription.
   * `closeTimeoutMs` bounds what close() waits for (the final auto-commit, the Unsubscribe).
   */
  static async start(connection: BrokerConnection, options: ConsumerOptions, closeTimeoutMs: number = limits.clientCloseTimeoutMs): Promise<Consumer> {
    const follows = checkedOptions(options);
    const spoken = connection.protocolVersion;
    if (typeof options.from === 'object' && spoken < 2) throw new ProtocolVersionError(`subscribing from a time needs protocol version 2; the broker speaks ${spoken}`, spoken);
    const consumer = new Consumer(connection, options, follows, -1, closeTimeoutMs);
    await consumer.subscribe(true);
    consumer.stopListening = [
      connection.on('connected', () => void consumer.resubscribe()),
      connection.on('closed', ({ error }) => consumer.finish(error)),
    ];
    if (options.autoCommit !== undefined) {
      consumer.committer.startAuto(
        options.autoCommit.intervalMs,
        () => consumer.completedUpTo,
        (error) => consumer.finish(error),
      );
    }
    if (connection.isClosed) consumer.finish(undefined);
    return consumer;
  }

  /** Where the consumer is: the sequence after the last entry it yielded. */
  get nextSequence(): number {
    return this.consumedUpTo;
  }

  /** True once the iteration has ended (closed, or failed). */
  get isClosed(): boolean {
    return this.done;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Entry, undefined>> {
    // Asking for the next entry completes the previous one.
    this.completedUpTo = this.consumedUpTo;
    if (this.at < this.buffer.length) return Promise.resolve({ done: false, value: this.take() });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<Entry, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Store the position in the named cursor (or `name`), durably, in the broker. */
  async commit(name = this.options.cursor): Promise<void> {
    if (name === undefined) throw new InvalidArgumentError('commit needs a cursor name (give `cursor` when subscribing, or pass one)');
    await this.committer.commit(checkName(name, 'cursor name'), this.consumedUpTo);
  }

  /**
   * End the iteration (a pending `next()` returns done; buffered entries are dropped), commit the
   * position once more with autoCommit, and unsubscribe. Waits at most the client's closeTimeoutMs;
   * never rejects.
   */
  async close(): Promise<void> {
    if (this.done) return;
    const finalCommit = this.committer.stop(this.completedUpTo, this.closeTimeoutMs);
    this.finish(undefined);
    const unsubscribe = this.connection.isConnected ? this.connection.request(Unsubscribe, { subscriptionId: this.id }, { timeoutMs: this.closeTimeoutMs }).catch(() => undefined) : undefined;
    await Promise.all([finalCommit, unsubscribe]);
  }

  private take(): Entry {
    const entry = this.buffer[this.at++];
    if (this.at === this.buffer.length) {
      this.buffer.length = 0;
      this.at = 0;
    }
    this.consumedUpTo = entry.sequence + 1;
    this.unackedRecords++;
    this.unackedBytes += entryCreditBytes(entry.key.length, entry.value.length, entry.headers);
    // Top the window up once half of it is consumed: few Credit requests, never an empty pipe.
    if (this.unackedRecords * 2 >= this.windowRecords || this.unackedBytes * 2 >= this.windowBytes) this.grant();
    return entry;
  }

  private grant(): void {
    if (this.subscribing) return;
    const records = this.unackedRecords;
    const bytes = this.unackedBytes;
    this.unackedRecords = 0;
    this.unackedBytes = 0;
    if (this.connection.isConnected) this.connection.request(Credit, { subscriptionId: this.id, records, bytes }).catch(() => undefined);
  }

  private async subscribe(first: boolean): Promise<void> {
    this.id = ++subscriptionIds;
    const id = this.id;
    this.connection.onPush(id, (frame) => this.onPush(id, frame));
    let from: StartFrom = 'LATEST';
    let sequence = 0;
    let timeMs = 0;
    const start = this.options.from;
    if (!first) {
      from = 'SEQUENCE';
      sequence = this.receivedUpTo;
    } else if (start === 'earliest') from = 'EARLIEST';
    else if (typeof start === 'number') {
      from = 'SEQUENCE';
      sequence = start;
    } else if (typeof start === 'object') {
      from = 'TIME';
      timeMs = start.timeMs;
    }
    const buffered = this.buffer.length - this.at;
    // The new subscription's credit covers what is still buffered; what is consumed while the
    // Subscribe is in flight is granted once the broker knows the subscription.
    this.unackedRecords = 0;
    this.unackedBytes = 0;
    this.subscribing = true;
    let response;
    try {
      response = await this.connection.request(Subscribe, {
        subscriptionId: id,
        keys: this.follows.keys,
        prefix: this.follows.prefix,
        from,
        sequence,
        cursor: first ? (this.options.cursor ?? null) : null,
        creditRecords: Math.max(0, this.windowRecords - buffered),
        creditBytes: this.windowBytes,
        timeMs,
      });
    } catch (error) {
      this.connection.offPush(id);
      throw error;
    } finally {
      this.subscribing = false;
    }
    if (first) {
      // Pushes may have been read in the same chunk as the response, before this continuation ran.
      this.receivedUpTo = Math.max(this.receivedUpTo, response.startSequence);
      this.consumedUpTo = response.startSequence;
      this.completedUpTo = response.startSequence;
      this.committer.startedAt(response.startSequence);
    }
    if (this.unackedRecords * 2 >= this.windowRecords || this.unackedBytes * 2 >= this.windowBytes) this.grant();
  }

  /**
   * Subscribe again from `receivedUpTo` after a reconnect. A failure the connection will get over
   * (lost again, a timeout, THROTTLED) is retried: by the next `connected` event if the connection
   * dropped, else after a pause; any other failure ends the iteration with that error.
   */
  private async resubscribe(): Promise<void> {
    if (this.done) return;
    clearTimeout(this.retryTimer);
    this.connection.offPush(this.id);
    try {
      await this.subscribe(false);
    } catch (error) {
      if (this.done || this.connection.isClosed) return;
      if ((error as { retryable?: unknown }).retryable !== true) this.finish(error as Error);
      else if (this.connection.isConnected) this.retryTimer = setTimeout(() => void this.resubscribe(), resubscribeRetryMs);
    }
  }

  private onPush(id: number, frame: Frame): void {
    if (id !== this.id || this.done) return;
    if (frame.messageType === MessageType.SubscriptionBatch) {
      const version = pushVersion(frame);
      const batch = SubscriptionBatchPush.body.at(version).decode(frame.body);
      for (const entry of readEntryBatch(batch.entries, version)) if (entry.sequence >= this.receivedUpTo) this.buffer.push(entry);
      this.receivedUpTo = Math.max(this.receivedUpTo, batch.nextSequence);
      if (this.waiter !== undefined && this.at < this.buffer.length) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve({ done: false, value: this.take() });
      }
    } else if (frame.messageType === MessageType.SubscriptionEnd) {
      const end = SubscriptionEndPush.body.at(pushVersion(frame)).decode(frame.body);
      this.receivedUpTo = Math.max(this.receivedUpTo, end.nextSequence);
      // A broker going away is not the end of the stream: the reconnect re-subscribes.
      if (end.code !== ErrorCode.ShuttingDown) this.finish(new BrokerRequestError(end.code, end.message));
    }
  }

  /**
   * End the iteration: with an error, after the entries already received (they are valid); without
   * one (closed), at once.
   */
  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    if (error === undefined) {
      this.buffer.length = 0;
      this.at = 0;
    }
    clearTimeout(this.retryTimer);
    void this.committer.stop(undefined, 0);
    for (const stop of this.stopListening.splice(0)) stop();
    this.connection.offPush(this.id);
    const w = this.waiter;
    this.waiter = undefined;
    if (w !== undefined) {
      if (error !== undefined) w.reject(error);
      else w.resolve({ done: true, value: undefined });
    }
  }
}

/** A push is in the version of the Subscribe that started it. */
function pushVersion(frame: Frame): ProtocolVersion {
  return isProtocolVersion(frame.version) ? frame.version : baseProtocolVersion;
}

/** Check every option (InvalidArgumentError naming the first bad one); returns what the subscription follows, as bytes. */
function checkedOptions(options: ConsumerOptions): { keys: Buffer[]; prefix: Buffer | null } {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`subscribe takes options { keys | prefix, from?, cursor?, ... }, got ${describeValue(options)}`);
  const keys = options.keys === undefined ? [] : checkArray(options.keys, 'keys').map((k, i) => toBytes(k as Bytes, `keys[${i}]`));
  if ((keys.length === 0) === (options.prefix === undefined)) throw new InvalidArgumentError('subscribe to keys or to a prefix (exactly one)');
  const prefix = options.prefix === undefined ? null : toBytes(options.prefix, 'prefix');
  const from: unknown = options.from;
  const isTime = from !== null && typeof from === 'object' && Number.isSafeInteger((from as { timeMs?: unknown }).timeMs);
  if (!(from === undefined || from === 'earliest' || from === 'latest' || (typeof from === 'number' && Number.isSafeInteger(from) && from >= 0) || isTime)) {
    throw new InvalidArgumentError(`from must be 'earliest', 'latest', a sequence (an integer ≥ 0) or { timeMs } (ms since the epoch), got ${describeValue(from)}`);
  }
  if (options.cursor !== undefined) checkName(options.cursor, 'cursor');
  checkPositiveInteger(options.windowRecords, 'windowRecords');
  checkPositiveInteger(options.windowBytes, 'windowBytes');
  if (options.autoCommit !== undefined) {
    if (options.cursor === undefined) throw new InvalidArgumentError('autoCommit needs a cursor to commit to: pass `cursor` too');
    const intervalMs = (options.autoCommit as Partial<AutoCommitOptions> | null)?.intervalMs;
    if (intervalMs === undefined) throw new InvalidArgumentError(`autoCommit must be { intervalMs }, got ${describeValue(options.autoCommit)}`);
    checkPositiveInteger(intervalMs, 'autoCommit.intervalMs');
  }
  return { keys, prefix };
}
