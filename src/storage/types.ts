/**
 * The data model of OpenData Log (see the seed's `model.rs`), in TypeScript.
 */

/** Global sequence number: one counter across all keys, assigned at append. A safe integer. */
export type Sequence = number;

/** Identifier of a segment; the first segment is 0. A u32. */
export type SegmentId = number;

/** Bytes, or a string taken as its UTF-8 encoding. */
export type BytesLike = Uint8Array | string;

/** A header of a record: a name and bytes (or null, as Kafka allows). */
export interface RecordHeader {
  readonly name: string;
  readonly value: Buffer | null;
}

/**
 * A record to append: `key` names the stream, `value` is the payload, `headers` (optional) are
 * ordered name/value pairs kept with the record (names starting with `odlog.` are reserved).
 * @example const r: Record = { key: 'orders', value: JSON.stringify({ id: 123 }), headers: [{ name: 'trace', value: 'abc' }] };
 */
export interface Record {
  readonly key: BytesLike;
  readonly value: BytesLike;
  readonly headers?: readonly { readonly name: string; readonly value: BytesLike | null }[];
}

/** An entry read back from the log. */
export interface LogEntry {
  readonly key: Buffer;
  readonly sequence: Sequence;
  readonly value: Buffer;
  /** Append time (ms since the epoch): the commit's clock, never decreasing along the sequence. */
  readonly timestamp: number;
  /** Ordinal of the entry within its key: 0 for the key's first entry ever, then 1, 2, ... (the Kafka offset). */
  readonly offset: number;
  /** The record's headers, when it has any. */
  readonly headers?: readonly RecordHeader[];
}

/** Result of an append: the batch holds sequences `startSequence .. startSequence + count - 1`. */
export interface AppendOutput {
  readonly startSequence: Sequence;
  readonly count: number;
  /** Offset of the batch's first record within its key (the Kafka offset of a batch of one key). */
  readonly offset: number;
  /** The batch's append time (ms). */
  readonly timestamp: number;
  /** True when this was a retry of an idempotent producer's batch, answered with the original result. */
  readonly duplicate?: boolean;
}

/**
 * A segment partitions the sequence space. `startSeq`/`startTimeMs` are OpenData's fields; the
 * rest describe the segment's state and size.
 */
export interface Segment {
  readonly id: SegmentId;
  readonly startSeq: Sequence;
  readonly startTimeMs: number;
  /** Exclusive end: the first sequence after this segment (for the active segment, the log's next sequence). */
  readonly endSeq: Sequence;
  readonly sealed: boolean;
  readonly records: number;
  /** Key, value and header bytes of the records in the segment. */
  readonly bytes: number;
  /** Time of the last append into the segment (its start time if empty). */
  readonly lastAppendTimeMs: number;
}

/** A half-open range `[start, end)`; omitted bounds are unbounded. */
export interface SeqRange {
  readonly start?: Sequence;
  readonly end?: Sequence;
}

/** A half-open range of segment ids `[start, end)`. */
export interface SegmentRange {
  readonly start?: SegmentId;
  readonly end?: SegmentId;
}

/** Condition of a conditional append: the key's last sequence must be `lastSequence` (`null`: the key has no entries). */
export interface AppendExpectation {
  readonly key: BytesLike;
  readonly lastSequence: Sequence | null;
}

export interface AppendOptions {
  /** Wait up to this long for queue space instead of failing at once with QueueFull. */
  readonly timeoutMs?: number;
  /** Append only if every expectation holds at the moment the batch is sequenced. */
  readonly expect?: readonly AppendExpectation[];
  /**
   * Idempotent producer: a retry of the same (id, batchNumber) within the producer's window is
   * answered with the original result instead of being appended again, even across restarts.
   */
  readonly producer?: { readonly id: string; readonly batchNumber: number };
}

export interface ScanOptions {
  /** Most entries to yield. */
  readonly limit?: number;
  /** Stop once this many value bytes were yielded (at least one entry is always yielded). */
  readonly maxBytes?: number;
}

export interface ListKeysOptions {
  readonly prefix?: BytesLike;
  /** Resume after this key (exclusive). */
  readonly after?: BytesLike;
  readonly limit?: number;
}

/** Durability of an acknowledged append. */
export type Durability = 'sync' | 'async';

/** Which appends readers see: everything committed, or only what is already on disk. */
export type ReadVisibility = 'committed' | 'durable';
