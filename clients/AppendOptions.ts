import type { AppendRequest } from '../src/protocol/messages/append.js';
import { checkArray, checkSequence, describeValue } from './ArgumentChecks.js';
import { toBytes, type Bytes } from './Bytes.js';
import { InvalidArgumentError } from './errors.js';

export interface AppendOptions {
  /** Conditional append: each key's last sequence must be this (null: no entries). */
  readonly expect?: readonly { readonly key: Bytes; readonly lastSequence: number | null }[];
  /**
   * Answer only once the batch is on disk even if the broker runs `--durability async`
   * (default false: the broker's durability decides; with `sync`, the default, acks are durable).
   */
  readonly awaitDurable?: boolean;
  /** Let the broker wait this long for queue space instead of answering THROTTLED at once. */
  readonly queueTimeoutMs?: number;
  /** Idempotent retry identity (the Producer sets this for you). */
  readonly producer?: { readonly id: string; readonly batchNumber: number };
}

export interface AppendResult {
  readonly startSequence: number;
  readonly count: number;
  readonly duplicate: boolean;
}

/** The Append request for an encoded record batch, shared by OdlogClient.append and the Producer. */
export function appendRequest(records: Buffer, options: AppendOptions): AppendRequest {
  return {
    producerId: options.producer?.id ?? null,
    batchNumber: options.producer?.batchNumber ?? 0,
    awaitDurable: options.awaitDurable ?? false,
    timeoutMs: options.queueTimeoutMs ?? 0,
    expect: checkArray(options.expect ?? [], 'expect').map((e, i) => expectation(e, i)),
    records,
  };
}

function expectation(e: unknown, i: number): { key: Buffer; lastSequence: number | null } {
  if (e === null || typeof e !== 'object') throw new InvalidArgumentError(`expect[${i}] must be an object { key, lastSequence }, got ${describeValue(e)}`);
  const { key, lastSequence } = e as { key: Bytes; lastSequence: number | null };
  return { key: toBytes(key, `expect[${i}].key`), lastSequence: lastSequence === null ? null : checkSequence(lastSequence, `expect[${i}].lastSequence`) };
}
