import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Append: one batch, atomically: all records get contiguous sequences, or none is written.
 *
 * Request (type 3): AppendRequest {
 *   producerId: null|string, batchNumber: long     idempotent retries (see docs/protocol.md)
 *   awaitDurable: boolean                          answer once on disk even on an async-durability broker
 *   timeoutMs: int                                 wait for queue space (0: THROTTLED at once)
 *   expect: array<{ key: bytes, lastSequence: null|long }>   conditional append
 *   records: bytes                                 Avro of record-batch.avsc, stored as is
 * }
 * Response (type 3, RESPONSE): AppendResponse { startSequence: long, count: int, duplicate: boolean }
 * Errors: INVALID_REQUEST, CONFLICT (with conflictKey/conflictLastSequence), THROTTLED, TIMEOUT, STORAGE_ERROR, FORBIDDEN
 */
export interface Expectation {
  readonly key: Buffer;
  readonly lastSequence: number | null;
}

export interface AppendRequest {
  readonly producerId: string | null;
  readonly batchNumber: number;
  readonly awaitDurable: boolean;
  readonly timeoutMs: number;
  readonly expect: Expectation[];
  readonly records: Buffer;
}

export interface AppendResponse {
  readonly startSequence: number;
  readonly count: number;
  readonly duplicate: boolean;
}

export const Append = defineMessage<AppendRequest, AppendResponse>(MessageType.Append, 'Append', 'append.request', 'append.response');
