import { ErrorCode, errorCodeName, isRetryable } from '../src/protocol/ErrorCode.js';
import type { ErrorBody } from '../src/protocol/messages/error.js';

/**
 * A request the broker answered with an error. `code` is the protocol's stable number,
 * `codeName` its name; subclasses exist for the codes callers usually branch on.
 *
 * @example
 * try { await client.append(records, { expect }) }
 * catch (e) { if (e instanceof ConflictError) reload(e.actualLastSequence); }
 */
export class BrokerRequestError extends Error {
  override readonly name: string = 'BrokerRequestError';
  readonly codeName: string;
  readonly retryable: boolean;

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.codeName = errorCodeName(code);
    this.retryable = isRetryable(code);
  }
}

export class InvalidRequestError extends BrokerRequestError {
  override readonly name = 'InvalidRequestError';
}
export class UnauthorizedError extends BrokerRequestError {
  override readonly name = 'UnauthorizedError';
}
export class ForbiddenError extends BrokerRequestError {
  override readonly name = 'ForbiddenError';
}
export class ThrottledError extends BrokerRequestError {
  override readonly name = 'ThrottledError';
}
export class BrokerTimeoutError extends BrokerRequestError {
  override readonly name = 'BrokerTimeoutError';
}
export class NotFoundError extends BrokerRequestError {
  override readonly name = 'NotFoundError';
}
export class StorageFailureError extends BrokerRequestError {
  override readonly name = 'StorageFailureError';
}
export class ShuttingDownError extends BrokerRequestError {
  override readonly name = 'ShuttingDownError';
}
export class FrameTooLargeError extends BrokerRequestError {
  override readonly name = 'FrameTooLargeError';
}

/** A conditional append whose expectation did not hold. */
export class ConflictError extends BrokerRequestError {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly key: Buffer | null,
    readonly actualLastSequence: number | null,
  ) {
    super(ErrorCode.Conflict, message);
  }
}

/**
 * A call got an argument the client cannot send (wrong type, out of range, over a broker limit);
 * nothing was sent. Calls that return a promise reject with it. A TypeError, as bad arguments
 * are in JavaScript.
 *
 * @example
 * await producer.send('orders', JSON.stringify(order)); // not `order`: values are bytes or strings
 */
export class InvalidArgumentError extends TypeError {
  override readonly name = 'InvalidArgumentError';
  readonly retryable = false;
}

/**
 * What was asked needs a newer protocol version than the broker speaks (record headers, entry
 * timestamps and starting from a time need version 2; `spokenVersion` says what it speaks).
 * Nothing was sent. Upgrade the broker, or do without.
 *
 * @example
 * try { await producer.send('orders', value, [{ name: 'trace', value: 'abc' }]) }
 * catch (e) { if (e instanceof ProtocolVersionError) await producer.send('orders', value) }
 */
export class ProtocolVersionError extends Error {
  override readonly name = 'ProtocolVersionError';
  readonly retryable = false;
  constructor(
    message: string,
    /** The protocol version the broker speaks with this client. */
    readonly spokenVersion: number,
  ) {
    super(message);
  }
}

/** The connection to the broker failed or was lost; the request's outcome is unknown if it was sent. */
export class ConnectionError extends Error {
  override readonly name: string = 'ConnectionError';
  readonly retryable: boolean = true;
}

/** The broker did not answer within the request's timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly retryable = true;
}

/** The client was closed. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly retryable = false;
}

/**
 * The connection to the broker is gone for good: reconnecting gave up (`ReconnectOptions.maxAttempts`
 * or `giveUpAfterMs`) or is turned off. The message names the cause (the last connection error);
 * every pending request and every consumer fails with it, and the client is closed. Connect a new
 * client to go on (consumers resume from a committed cursor or from `nextSequence`). A
 * ConnectionError, but not retryable on this client.
 */
export class ConnectionLostError extends ConnectionError {
  override readonly name = 'ConnectionLostError';
  override readonly retryable = false;
}

const classes: { [code: number]: new (code: number, message: string) => BrokerRequestError } = {
  [ErrorCode.InvalidRequest]: InvalidRequestError,
  [ErrorCode.UnknownMessage]: InvalidRequestError,
  [ErrorCode.UnsupportedVersion]: InvalidRequestError,
  [ErrorCode.Unauthorized]: UnauthorizedError,
  [ErrorCode.Forbidden]: ForbiddenError,
  [ErrorCode.Throttled]: ThrottledError,
  [ErrorCode.LimitExceeded]: ThrottledError,
  [ErrorCode.Timeout]: BrokerTimeoutError,
  [ErrorCode.NotFound]: NotFoundError,
  [ErrorCode.StorageError]: StorageFailureError,
  [ErrorCode.ShuttingDown]: ShuttingDownError,
  [ErrorCode.FrameTooLarge]: FrameTooLargeError,
};

/** The typed error for an error response. */
export function errorFromBody(body: ErrorBody): BrokerRequestError {
  if (body.code === ErrorCode.Conflict) return new ConflictError(body.message, body.conflictKey, body.conflictLastSequence);
  const Class = classes[body.code] ?? BrokerRequestError;
  return new Class(body.code, body.message);
}
