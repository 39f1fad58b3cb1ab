import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * Scan: a page of one key's entries in [start, end), optionally long-polling for the first one.
 *
 * Request (type 4): ScanRequest { key: bytes, start: long, end: null|long, limit: int,
 *   maxBytes: int, maxWaitMs: int }
 * Response (type 4, RESPONSE): ScanResponse { entries: bytes (key-entry-batch.avsc), nextSequence: long }
 * `nextSequence` is a lossless resume cursor: scan again from it to continue.
 */
export interface ScanRequest {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number | null;
  readonly limit: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
}

export interface ScanResponse {
  readonly entries: Buffer;
  readonly nextSequence: number;
}

export const Scan = defineMessage<ScanRequest, ScanResponse>(MessageType.Scan, 'Scan', 'scan.request', 'scan.response');
