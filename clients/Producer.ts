import { randomUUID } from 'node:crypto';
import { encodeRecordBatch, type RecordBytes } from '../src/protocol/batch/RecordBatchCodec.js';
import { Append } from '../src/protocol/messages/append.js';
import { appendRequest } from './AppendOptions.js';
import { checkArray, checkDurationMs, checkName, checkPositiveInteger, checkRecordSizes } from './ArgumentChecks.js';
import type { BrokerConnection } from './BrokerConnection.js';
import type { Bytes } from './Bytes.js';
import { ClientClosedError, InvalidArgumentError } from './errors.js';
import { recordBytesOf, toRecordBytes, type HeaderInput, type RecordInput } from './RecordInput.js';
import { baseProtocolVersion, type ProtocolVersion } from '../src/protocol/ProtocolVersion.js';

export interface ProducerOptions {
  /** Records per batch (default 1000). */
  readonly batchRecords?: number;
  /** Key + value bytes per batch (default 1 MiB). */
  readonly batchBytes?: number;
  /** How long a batch may wait to fill before it is sent (default 2 ms). */
  readonly lingerMs?: number;
  /** Batches sent and not yet acknowledged (default 8; at most the broker's producer window). */
  readonly maxInFlight?: number;
  /** Records buffered or in flight; further sends wait for room (default 100,000). */
  readonly bufferRecords?: number;
  /** Sends allowed to wait for room; beyond it send rejects at once (default 100,000). */
  readonly blockedSendsMax?: number;
  /** Give up on a batch this long after it was first sent (default 120 s). */
  readonly deliveryTimeoutMs?: number;
  /** Acknowledge only once on disk even on an async broker (default false: the broker's durability decides). */
  readonly awaitDurable?: boolean;
  /** Idempotence identity; default a random UUID. Reuse it across restarts only if batch numbers continue. */
  readonly producerId?: string;
}

/** The producer's buffer is full and too many sends are already waiting for room. */
export class ProducerBufferFullError extends Error {
  override readonly name = 'ProducerBufferFullError';
  readonly retryable = true;
}

/**
 * One send: a record, or the records of a sendBatch (which go in one batch, contiguous). Resolved
 * with the sequence of its first record once the batch holding it is acknowledged.
 */
interface Send {
  readonly records: readonly RecordBytes[];
  /** Key, value and header bytes of its records (what counts against batchBytes). */
  readonly bytes: number;
  readonly resolve: (firstSequence: number) => void;
  readonly reject: (error: Error) => void;
}

interface Batch {
  readonly number: number;
  readonly records: RecordBytes[];
  /** Its sends, each with the index of its first record in `records`. */
  readonly senders: { readonly send: Send; readonly first: number }[];
  bytes: number;
  encoded: Buffer | undefined;
  /** The protocol version `encoded` is in. */
  encodedVersion: ProtocolVersion;
  firstSentAtMs: number;
  /** Its sends were resolved or rejected; a late answer is ignored. */
  settled: boolean;
}

/**
 * Batches records and sends them with idempotent retries: each batch carries the producer id
 * and a batch number, so when a connection drops mid-flight the batch is sent again and the
 * broker answers a batch it already has with its original sequences. Each `send` resolves
 * with its record's sequence; each `sendBatch` with its records' sequences, contiguous, as its
 * records are appended together in one batch (atomically).
 *
 * @example
 * const producer = client.producer({ lingerMs: 5 });
 * const seq = await producer.send('orders', JSON.stringify(order), [{ name: 'trace-id', value: traceId }]);
 * const [debit, credit] = await producer.sendBatch([{ key: 'acct-1', value: '-10' }, { key: 'acct-2', value: '+10' }]);
 * await producer.close();
 */
export class Producer {
  readonly id: string;
  private readonly batchRecords: number;
  private readonly batchBytes: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly bufferRecords: number;
  private readonly blockedSendsMax: number;
  private readonly deliveryTimeoutMs: number;
  private readonly awaitDurable: boolean;
  private open: Batch | undefined;
  private readonly ready: Batch[] = [];
  private inFlight = 0;
  private buffered = 0;
  private nextBatchNumber = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly blocked: Send[] = [];
  /** close() was called: sends are refused; what is held still goes. */
  private closing = false;
  /** Set when close gave up: every record not yet acknowledged was rejected with it. */
  private abortedWith: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly inFlightBatches = new Set<Batch>();
  /** Batches that failed retryably, waiting for the rest in flight to settle. */
  private readonly failed: Batch[] = [];
  private retrying = false;
  private retryAttempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The client (or anything with a connection) it sends through. */
    private readonly client: { readonly connection: BrokerConnection },
    options: ProducerOptions,
  ) {
    for (const name of ['batchRecords', 'batchBytes', 'maxInFlight', 'bufferRecords', 'blockedSendsMax'] as const) checkPositiveInteger(options[name], name);
    for (const name of ['lingerMs', 'deliveryTimeoutMs'] as const) checkDurationMs(options[name], name);
    if (options.producerId !== undefined) checkName(options.producerId, 'producerId');
    const window = client.connection.hello.limits.producerWindowBatches;
    this.id = options.producerId ?? randomUUID();
    this.batchRecords = Math.min(options.batchRecords ?? 1000, client.connection.hello.limits.batchRecordsMax);
    this.batchBytes = Math.min(options.batchBytes ?? 1024 * 1024, client.connection.hello.limits.batchBytesMax);
    this.lingerMs = options.lingerMs ?? 2;
    // Retries stay recognisable only while the batch is within the broker's window.
    this.maxInFlight = Math.max(1, Math.min(options.maxInFlight ?? 8, Math.floor(window / 2)));
    this.bufferRecords = options.bufferRecords ?? 100_000;
    this.blockedSendsMax = options.blockedSendsMax ?? 100_000;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.awaitDurable = options.awaitDurable ?? false;
  }

  /**
   * Queue one record, with optional headers (protocol version 2); resolves with its sequence once
   * its batch is acknowledged. A key, value or header that is not bytes or a string, or is over
   * the broker's limits, rejects this send alone with InvalidArgumentError (the records batched
   * with it are unaffected); headers with a broker that speaks version 1 reject it with
   * ProtocolVersionError.
   */
  send(key: Bytes, value: Bytes, headers?: readonly HeaderInput[]): Promise<number> {
    let record: RecordBytes;
    try {
      record = toRecordBytes({ key, value, headers }, undefined, this.client.connection.protocolVersion);
      checkRecordSizes(record.key, record.value, this.client.connection.hello.limits);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.queue([record]);
  }

  /**
   * Queue records to be appended together, atomically (all of them or none), with contiguous
   * sequences, after the sends made before; resolves with the sequence of each record. A bad
   * record rejects the whole call (InvalidArgumentError naming it) and nothing of it is sent; so
   * does a call holding more records or bytes than the broker takes in one batch.
   *
   * @example
   * const [first, second] = await producer.sendBatch([{ key: 'k', value: 'a' }, { key: 'k', value: 'b', headers: [{ name: 'n', value: '2' }] }]);
   * // second === first + 1
   */
  async sendBatch(records: readonly RecordInput[]): Promise<number[]> {
    const limits = this.client.connection.hello.limits;
    const version = this.client.connection.protocolVersion;
    const bytes = checkArray(records, 'records').map((r, i) => {
      const record = toRecordBytes(r, `record ${i}`, version);
      checkRecordSizes(record.key, record.value, limits);
      return record;
    });
    if (bytes.length === 0) return [];
    if (bytes.length > limits.batchRecordsMax) throw new InvalidArgumentError(`sendBatch takes at most the broker's batchRecordsMax of ${limits.batchRecordsMax} records, got ${bytes.length}`);
    const size = bytes.reduce((sum, r) => sum + recordBytesOf(r), 0);
    if (size > limits.batchBytesMax) throw new InvalidArgumentError(`sendBatch takes at most the broker's batchBytesMax of ${limits.batchBytesMax} bytes, got ${size}`);
    const first = await this.queue(bytes);
    return bytes.map((_, i) => first + i);
  }

  /** Queue one send (one record or a sendBatch's records); resolves with its first record's sequence. */
  private queue(records: readonly RecordBytes[]): Promise<number> {
    if (this.closing) return Promise.reject(new ClientClosedError('the producer is closed'));
    return new Promise<number>((resolve, reject) => {
      const send: Send = { records, bytes: records.reduce((sum, r) => sum + recordBytesOf(r), 0), resolve, reject };
      if (this.buffered >= this.bufferRecords) {
        if (this.blocked.length >= this.blockedSendsMax) {
          reject(new ProducerBufferFullError(`the producer holds ${this.buffered} records and ${this.blocked.length} sends wait for room; await earlier sends`));
          return;
        }
        this.blocked.push(send);
        return;
      }
      this.add(send);
    });
  }

  /** Send whatever is buffered now, without waiting for the linger. */
  flush(): Promise<void> {
    this.closeOpenBatch();
    this.pump();
    if (this.buffered === 0 && this.blocked.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Send everything held and wait for the broker's acknowledgements; sends made after the call are
   * refused. With `timeoutMs`, wait at most that long: what is still unacknowledged then is
   * rejected with ClientClosedError (a record already sent may or may not have been appended; the
   * message says which). Never rejects.
   *
   * @example
   * await producer.close({ timeoutMs: 5000 });
   */
  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    checkDurationMs(options.timeoutMs, 'timeoutMs');
    this.closing = true;
    const flushed = this.flush();
    if (options.timeoutMs === undefined) return flushed;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([flushed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.timeoutMs)))]);
    clearTimeout(timer);
    if (timedOut) this.abort(options.timeoutMs);
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closing;
  }

  /** Records buffered or in flight. */
  get pendingRecords(): number {
    return this.buffered + this.blocked.length;
  }

  private add(send: Send): void {
    const count = send.records.length;
    // A send never spans batches; one larger than the producer's batch size goes alone.
    if (this.open !== undefined && (this.open.records.length + count > this.batchRecords || this.open.bytes + send.bytes > this.batchBytes)) this.closeOpenBatch();
    if (this.open === undefined) {
      this.open = { number: -1, records: [], senders: [], bytes: 0, encoded: undefined, encodedVersion: baseProtocolVersion, firstSentAtMs: 0, settled: false };
      this.lingerTimer = setTimeout(() => {
        this.closeOpenBatch();
        this.pump();
      }, this.lingerMs);
    }
    this.open.senders.push({ send, first: this.open.records.length });
    this.open.records.push(...send.records);
    this.open.bytes += send.bytes;
    this.buffered += count;
    if (this.open.records.length >= this.batchRecords || this.open.bytes >= this.batchBytes) {
      this.closeOpenBatch();
      this.pump();
    }
  }

  private closeOpenBatch(): void {
    if (this.open === undefined) return;
    clearTimeout(this.lingerTimer);
    const batch = this.open;
    this.open = undefined;
    (batch as { number: number }).number = this.nextBatchNumber++;
    this.ready.push(batch);
  }

  private pump(): void {
    while (!this.retrying && this.inFlight < this.maxInFlight && this.ready.length > 0) {
      const batch = this.ready.shift() as Batch;
      this.inFlight++;
      this.inFlightBatches.add(batch);
      this.transmit(batch);
    }
  }

  /**
   * One attempt at a batch. A retryable failure stops further sends until every batch in flight
   * has settled; the failed ones then go again in batch-number order, so a lost connection (which
   * fails everything in flight at once) never reorders the producer's records.
   */
  private transmit(batch: Batch): void {
    // In the connection's version; again if a reconnect reached a broker that speaks another.
    const version = this.client.connection.protocolVersion;
    if (batch.encoded === undefined || batch.encodedVersion !== version) {
      batch.encoded = encodeRecordBatch(batch.records, version);
      batch.encodedVersion = version;
    }
    if (batch.firstSentAtMs === 0) batch.firstSentAtMs = Date.now();
    this.client.connection
      .request(
        Append,
        appendRequest(batch.encoded, {
          producer: { id: this.id, batchNumber: batch.number },
          awaitDurable: this.awaitDurable,
          // Waiting in the broker's FIFO queue keeps batches in order where failing fast would not.
          queueTimeoutMs: 10_000,
        }),
        { version },
      )
      .then(
        (result) => {
          if (batch.settled) return;
          this.retryAttempt = 0;
          this.settle(batch, (s) => s.send.resolve(result.startSequence + s.first));
        },
        (error: unknown) => {
          if (batch.settled) return;
          const retryable = (error as { retryable?: boolean }).retryable === true;
          if (!retryable || Date.now() - batch.firstSentAtMs >= this.deliveryTimeoutMs) {
            this.settle(batch, (s) => s.send.reject(error as Error));
            return;
          }
          this.retrying = true;
          this.failed.push(batch);
          this.inFlight--;
          this.inFlightBatches.delete(batch);
          this.resendWhenSettled();
        },
      );
  }

  private resendWhenSettled(): void {
    if (this.inFlight > 0) return;
    const again = this.failed.splice(0).sort((a, b) => a.number - b.number);
    this.ready.unshift(...again);
    const delay = Math.min(1000, 25 * 2 ** this.retryAttempt++);
    this.retryTimer = setTimeout(() => {
      this.retrying = false;
      this.pump();
    }, delay);
  }

  private settle(batch: Batch, each: (sender: Batch['senders'][number]) => void): void {
    batch.settled = true;
    this.inFlight--;
    this.inFlightBatches.delete(batch);
    this.buffered -= batch.records.length;
    batch.senders.forEach(each);
    while (this.blocked.length > 0 && this.buffered < this.bufferRecords) this.add(this.blocked.shift() as Send);
    if (this.retrying) this.resendWhenSettled();
    else this.pump();
    if (this.buffered === 0 && this.blocked.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** close() ran out of time: reject everything not yet acknowledged, and ignore late answers. */
  private abort(timeoutMs: number): void {
    if (this.abortedWith !== undefined) return;
    const unsent = new ClientClosedError(`the producer was closed (after waiting ${timeoutMs} ms) before this record was sent: it was not appended`);
    const unanswered = new ClientClosedError(`the producer was closed (after waiting ${timeoutMs} ms) before the broker acknowledged this record: it may or may not have been appended`);
    this.abortedWith = unsent;
    clearTimeout(this.lingerTimer);
    clearTimeout(this.retryTimer);
    this.closeOpenBatch();
    const reject = (batch: Batch, error: Error): void => {
      batch.settled = true;
      for (const sender of batch.senders) sender.send.reject(error);
    };
    for (const batch of this.ready.splice(0)) reject(batch, batch.firstSentAtMs === 0 ? unsent : unanswered);
    for (const batch of this.failed.splice(0)) reject(batch, unanswered);
    for (const batch of this.inFlightBatches) reject(batch, unanswered);
    this.inFlightBatches.clear();
    for (const waiting of this.blocked.splice(0)) waiting.reject(unsent);
    this.inFlight = 0;
    this.buffered = 0;
    this.retrying = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
