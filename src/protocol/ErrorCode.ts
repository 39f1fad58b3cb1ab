/**
 * Stable numeric error codes of the wire protocol. Numbers never change meaning; new conditions
 * get new numbers. `retryable` says whether the same request may succeed later as it is.
 */
export const ErrorCode = {
  /** The request is malformed or breaks a rule (empty key, reversed range, bad Avro). */
  InvalidRequest: 1,
  /** The message type is not one this broker knows. */
  UnknownMessage: 2,
  /** The frame's protocol version is not supported. */
  UnsupportedVersion: 3,
  /** The frame is longer than the broker's frameBytesMax; it was skipped unread. */
  FrameTooLarge: 4,
  /** No valid auth token was presented (send Hello with one). */
  Unauthorized: 5,
  /** The write queue is full, or a per-connection bound was hit: slow down and retry. */
  Throttled: 6,
  /** The request waited as long as it was allowed to. */
  Timeout: 7,
  /** A conditional append's expectation did not hold. */
  Conflict: 8,
  /** The named thing (subscription, cursor) does not exist. */
  NotFound: 9,
  /** The storage layer failed (disk full, I/O). */
  StorageError: 10,
  /** The broker is shutting down. */
  ShuttingDown: 11,
  /** The token may not do this (key prefix permissions). */
  Forbidden: 12,
  /** A bound on the connection or broker was reached (connections, subscriptions). */
  LimitExceeded: 13,
  /** A bug in the broker; the request may or may not have taken effect. */
  Internal: 14,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const retryable = new Set<number>([ErrorCode.Throttled, ErrorCode.Timeout, ErrorCode.StorageError, ErrorCode.ShuttingDown, ErrorCode.LimitExceeded]);

export function isRetryable(code: number): boolean {
  return retryable.has(code);
}

const names = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function errorCodeName(code: number): string {
  return names.get(code) ?? `Unknown(${code})`;
}
