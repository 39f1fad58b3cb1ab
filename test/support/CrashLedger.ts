import { createHash } from 'node:crypto';
import type { BrokerConnection } from '../../clients/BrokerConnection.js';
import type { OdlogClient } from '../../clients/OdlogClient.js';
import { encodeRecordBatch } from '../../src/protocol/batch/RecordBatchCodec.js';
import { prng, randomInt } from './Random.js';

/**
 * The load of the broker crash test: idempotent producers that keep a ledger of every batch they
 * sent and every acknowledgement they got, and the records they send, which are a pure function
 * of (producer, batch number), so a checker can tell a record a producer sent from anything else
 * and rebuild a whole batch from any one of its records.
 *
 * Value layout (every value of every batch):
 * ```
 *   u16 BE  producer index
 *   u32 BE  batch number
 *   u16 BE  index in the batch
 *   u16 BE  batch size
 *   bytes   payload (0..160 bytes)
 *   8 bytes sha256(key, header, payload), truncated
 * ```
 */
export interface LedgerRecord {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** Every key of the test starts with this, so one listing or prefix subscription covers them all. */
export const ledgerPrefix = 'rc/';

/** The keys the producers write: short, binary, and one long enough to take LMDB's long-key path. */
export const ledgerKeys: readonly Buffer[] = [
  Buffer.from('rc/a'),
  Buffer.from('rc/b'),
  Buffer.from('rc/c'),
  Buffer.concat([Buffer.from('rc/'), Buffer.from([0x00, 0x01, 0xff])]),
  Buffer.concat([Buffer.from('rc/long/'), Buffer.alloc(1200, 0x6c)]),
];

const headerBytes = 10;
const checksumBytes = 8;
export const ledgerBatchRecordsMax = 20;

function checksum(key: Buffer, body: Buffer): Buffer {
  return createHash('sha256').update(key).update(body).digest().subarray(0, checksumBytes);
}

/** The records of batch `batchNumber` of producer `producer` (always the same). */
export function ledgerBatch(producer: number, batchNumber: number): LedgerRecord[] {
  const random = prng(Math.imul(producer + 1, 0x85ebca6b) ^ Math.imul(batchNumber + 1, 0x9e3779b1));
  const size = randomInt(random, 1, ledgerBatchRecordsMax);
  const records: LedgerRecord[] = [];
  for (let index = 0; index < size; index++) {
    const key = ledgerKeys[randomInt(random, 0, ledgerKeys.length - 1)];
    const body = Buffer.alloc(headerBytes + randomInt(random, 0, 160));
    body.writeUInt16BE(producer, 0);
    body.writeUInt32BE(batchNumber, 2);
    body.writeUInt16BE(index, 6);
    body.writeUInt16BE(size, 8);
    for (let i = headerBytes; i < body.length; i++) body[i] = randomInt(random, 0, 255);
    records.push({ key, value: Buffer.concat([body, checksum(key, body)]) });
  }
  return records;
}

/** What a value claims to be, or undefined if its checksum fails (it is not a record any producer sent). */
export function decodeLedgerValue(key: Buffer, value: Buffer): { producer: number; batchNumber: number; index: number; size: number } | undefined {
  if (value.length < headerBytes + checksumBytes) return undefined;
  const body = value.subarray(0, value.length - checksumBytes);
  if (!checksum(key, body).equals(value.subarray(value.length - checksumBytes))) return undefined;
  return { producer: body.readUInt16BE(0), batchNumber: body.readUInt32BE(2), index: body.readUInt16BE(6), size: body.readUInt16BE(8) };
}

/** The acknowledgement of one batch. */
export interface LedgerAck {
  readonly startSequence: number;
  readonly count: number;
  /** The broker recognised a retry of a batch it already had. */
  readonly duplicate: boolean;
  /** Attempts it took (1: answered the first time). */
  readonly attempts: number;
  /** The broker run that answered (see RunCounter). */
  readonly run: number;
}

/**
 * Which run of a restarted broker a client is talking to: 1 on the first connection, plus one
 * per reconnect. A response is handled before its connection's close is noticed, so whatever a
 * client receives is attributed to the run that sent it, even if it is read after the kill.
 */
export class RunCounter {
  run = 1;
  constructor(connection: BrokerConnection) {
    connection.on('connected', () => this.run++);
  }
}

export interface LedgerProducerOptions {
  /** Batches in flight at once (well below the broker's idempotency window of 64). */
  readonly inFlight: number;
  /** Ask for acknowledgements only once the batch is on disk (for brokers with async durability). */
  readonly awaitDurable: boolean;
  /** Give up on a batch (and report it) after this long. */
  readonly deliveryTimeoutMs: number;
}

/**
 * One idempotent producer on its own client: `inFlight` workers each send the next batch and
 * retry it, with the same producer id and batch number, until it is acknowledged. A batch that
 * failed with an unknown outcome (connection lost, timeout) is "in doubt" until a retry answers.
 */
export class LedgerProducer {
  /** Batches handed to the broker at least once. */
  readonly sent = new Set<number>();
  readonly acked = new Map<number, LedgerAck>();
  /** Batches whose first attempt failed with an unknown outcome. */
  readonly inDoubt = new Set<number>();
  /** Errors that are not retryable, or batches never delivered: any entry fails the test. */
  readonly failures: string[] = [];
  /** Highest exclusive end of batches acknowledged with awaitDurable, per broker run. */
  readonly durableEndByRun = new Map<number, number>();
  private nextBatch = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];
  readonly runs: RunCounter;

  constructor(
    readonly index: number,
    readonly id: string,
    private readonly client: OdlogClient,
    private readonly options: LedgerProducerOptions,
  ) {
    this.runs = new RunCounter(client.connection);
  }

  start(): void {
    this.workers = Array.from({ length: this.options.inFlight }, () => this.work());
  }

  /** Stop starting batches; resolve once every batch started is acknowledged (or given up). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  /** Stop starting batches without waiting (the client's close ends the ones in flight). */
  abandon(): void {
    this.stopping = true;
  }

  get batchesStarted(): number {
    return this.nextBatch;
  }

  private async work(): Promise<void> {
    while (!this.stopping) await this.deliver(this.nextBatch++);
  }

  private async deliver(batchNumber: number): Promise<void> {
    const encoded = encodeRecordBatch(ledgerBatch(this.index, batchNumber));
    const deadline = Date.now() + this.options.deliveryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      this.sent.add(batchNumber);
      try {
        const out = await this.client.appendEncoded(encoded, {
          producer: { id: this.id, batchNumber },
          awaitDurable: this.options.awaitDurable,
          queueTimeoutMs: 5000,
        });
        const run = this.runs.run;
        this.acked.set(batchNumber, { startSequence: out.startSequence, count: out.count, duplicate: out.duplicate, attempts: attempt, run });
        if (this.options.awaitDurable) this.durableEndByRun.set(run, Math.max(this.durableEndByRun.get(run) ?? 0, out.startSequence + out.count));
        return;
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable === true;
        if (!retryable) {
          this.failures.push(`producer ${this.index} batch ${batchNumber}: not retryable: ${String(error)}`);
          return;
        }
        this.inDoubt.add(batchNumber);
        if (Date.now() > deadline) {
          this.failures.push(`producer ${this.index} batch ${batchNumber}: not acknowledged within ${this.options.deliveryTimeoutMs} ms (last error: ${String(error)})`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * attempt)));
      }
    }
  }
}
