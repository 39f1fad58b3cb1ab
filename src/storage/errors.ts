/**
 * Operating conditions of the embedded log, as typed errors with stable codes.
 *
 * A broken invariant is a bug and is thrown as a plain `Error` (see `assert`); everything here is
 * a condition the caller can act on, and the message says how.
 *
 * @example
 * try { await log.append(records); }
 * catch (e) { if (e instanceof LogError && e.retryable) retryLater(); else throw e; }
 */
export type LogErrorCode =
  | 'INVALID_ARGUMENT'
  | 'QUEUE_FULL'
  | 'TIMEOUT'
  | 'CONFLICT'
  | 'STALE_BATCH'
  | 'CLOSED'
  | 'STORAGE'
  | 'INCOMPATIBLE_FORMAT'
  | 'LOCKED';

export abstract class LogError extends Error {
  abstract readonly code: LogErrorCode;
  /** True when the same call may succeed if simply tried again later. */
  abstract readonly retryable: boolean;
}

/** A caller passed something the log cannot accept; nothing was written. */
export class InvalidArgumentError extends LogError {
  readonly code = 'INVALID_ARGUMENT';
  readonly retryable = false;
  override readonly name = 'InvalidArgumentError';
}

/** The bounded write queue is full; the batch was not taken. Retry after a pause, or pass `timeoutMs`. */
export class QueueFullError extends LogError {
  readonly code = 'QUEUE_FULL';
  readonly retryable = true;
  override readonly name = 'QueueFullError';
}

/** The append waited `timeoutMs` for queue space and got none; the batch was not taken. */
export class TimeoutError extends LogError {
  readonly code = 'TIMEOUT';
  readonly retryable = true;
  override readonly name = 'TimeoutError';
}

/** A conditional append's expectation did not hold; nothing was written. */
export class ConflictError extends LogError {
  readonly code = 'CONFLICT';
  readonly retryable = false;
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    /** The key whose last sequence differed, and what it actually is. */
    readonly key: Uint8Array,
    readonly actualLastSequence: number | null,
  ) {
    super(message);
  }
}

/**
 * An idempotent producer's batch older than the producer's window: whether it was appended cannot
 * be told, so it was not appended again (Kafka's DUPLICATE_SEQUENCE_NUMBER).
 */
export class StaleBatchError extends LogError {
  readonly code = 'STALE_BATCH';
  readonly retryable = false;
  override readonly name = 'StaleBatchError';
}

/** The log was closed; open it again to continue. */
export class ClosedError extends LogError {
  readonly code = 'CLOSED';
  readonly retryable = false;
  override readonly name = 'ClosedError';
}

/** The storage layer failed (disk full, I/O error). Committed data is intact; retry once the cause is fixed. */
export class StorageError extends LogError {
  readonly code = 'STORAGE';
  readonly retryable = true;
  override readonly name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The data directory was written by another format version (or is not an odlog directory). */
export class IncompatibleFormatError extends LogError {
  readonly code = 'INCOMPATIBLE_FORMAT';
  readonly retryable = false;
  override readonly name = 'IncompatibleFormatError';
}

/** Another live process holds the data directory. */
export class LockedError extends LogError {
  readonly code = 'LOCKED';
  readonly retryable = false;
  override readonly name = 'LockedError';
}

/** A broken invariant: a bug in odlog, never an operating condition. */
export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`odlog invariant violated: ${what}`);
}
