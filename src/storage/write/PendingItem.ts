import type { RecordBatch } from '../RecordBatch.js';
import type { AppendOutput } from '../types.js';

/** An idempotent producer's identity for one batch. */
export interface ProducerBatchId {
  readonly id: string;
  readonly batchNumber: number;
}

/** An expectation of a conditional append, with its key already in bytes. */
export interface ResolvedExpectation {
  readonly key: Buffer;
  readonly keyStr: string;
  /** -1: the key must have no entries. */
  readonly lastSeq: number;
}

/** An append accepted into the write queue. */
export interface PendingAppend {
  readonly kind: 'append';
  readonly batch: RecordBatch;
  readonly expect: readonly ResolvedExpectation[] | undefined;
  /** Key + value bytes, as counted against the queue's bound. */
  readonly bytes: number;
  readonly producer: ProducerBatchId | undefined;
  /** Set when the batch is sequenced: its first sequence, its first record's offset within its key, its append time. */
  startSequence: number;
  firstOffset: number;
  timeMs: number;
  readonly settle: (error: Error | null, output?: AppendOutput) => void;
  /** Retries of this batch that arrived while it was in flight: they get its outcome. */
  followers: ((error: Error | null, output?: AppendOutput) => void)[] | undefined;
}

/** `seal()` or `flush()`: ordered with the appends around it. */
export interface PendingControl {
  readonly kind: 'seal' | 'flush';
  readonly settle: (error: Error | null) => void;
}

/** `trim()` or `deleteKey()`: a frame of its own, ordered with the appends around it. */
export interface PendingTrim {
  readonly kind: 'trim';
  readonly key: Buffer;
  readonly keyStr: string;
  /** Remove the key's records below this sequence; undefined: all of them. */
  readonly before: number | undefined;
  /** Also take the key out of every listing and start its offsets again from 0. */
  readonly deleteKey: boolean;
  /** Records removed, counted when the trim is built. */
  removed: number;
  readonly settle: (error: Error | null) => void;
}

export type PendingItem = PendingAppend | PendingControl | PendingTrim;
