import { ErrorCode, isRetryable } from '../protocol/ErrorCode.js';
import type { ErrorBody } from '../protocol/messages/error.js';
import { ProtocolDecodeError } from '../protocol/avro/ProtocolDecodeError.js';
import { ConflictError, LogError } from '../storage/index.js';

/** A request failed with a protocol error code (the broker's own conditions). */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const storageCodes: { [code: string]: ErrorCode } = {
  INVALID_ARGUMENT: ErrorCode.InvalidRequest,
  QUEUE_FULL: ErrorCode.Throttled,
  TIMEOUT: ErrorCode.Timeout,
  CONFLICT: ErrorCode.Conflict,
  STALE_BATCH: ErrorCode.InvalidRequest,
  CLOSED: ErrorCode.ShuttingDown,
  STORAGE: ErrorCode.StorageError,
  INCOMPATIBLE_FORMAT: ErrorCode.StorageError,
  LOCKED: ErrorCode.StorageError,
};

/** The wire form of any failure: typed errors keep their meaning; anything else is Internal. */
export function toErrorBody(error: unknown): ErrorBody {
  let code: ErrorCode = ErrorCode.Internal;
  let message = error instanceof Error ? error.message : String(error);
  let conflictKey: Buffer | null = null;
  let conflictLastSequence: number | null = null;
  if (error instanceof BrokerError) code = error.code;
  else if (error instanceof ProtocolDecodeError) {
    code = ErrorCode.InvalidRequest;
    message = `malformed request: ${message}`;
  } else if (error instanceof LogError) {
    code = storageCodes[error.code] ?? ErrorCode.Internal;
    if (error instanceof ConflictError) {
      conflictKey = Buffer.from(error.key);
      conflictLastSequence = error.actualLastSequence;
    }
  } else message = `internal error: ${message}`;
  return { code, message, retryable: isRetryable(code), conflictKey, conflictLastSequence };
}
