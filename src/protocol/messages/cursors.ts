import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { EmptyResponse } from './credit.js';

/**
 * CommitCursor / GetCursor: named consumer positions stored durably in the broker.
 *
 * Request (type 13): CommitCursorRequest { name: string, sequence: long, keys: array<bytes>, prefix: null|bytes }
 * Response: EmptyResponse {} once the cursor is on disk
 * Request (type 14): GetCursorRequest { name: string }
 * Response: GetCursorResponse { cursor: null | Cursor { name, sequence, keys, prefix, updatedAtMs } }
 */
export interface CommitCursorRequest {
  readonly name: string;
  readonly sequence: number;
  readonly keys: Buffer[];
  readonly prefix: Buffer | null;
}

export interface GetCursorRequest {
  readonly name: string;
}

export interface CursorInfo {
  readonly name: string;
  readonly sequence: number;
  readonly keys: Buffer[];
  readonly prefix: Buffer | null;
  readonly updatedAtMs: number;
}

export interface GetCursorResponse {
  readonly cursor: CursorInfo | null;
}

export const CommitCursor = defineMessage<CommitCursorRequest, EmptyResponse>(MessageType.CommitCursor, 'CommitCursor', 'commit-cursor.request', 'empty.response');
export const GetCursor = defineMessage<GetCursorRequest, GetCursorResponse>(MessageType.GetCursor, 'GetCursor', 'get-cursor.request', 'get-cursor.response');
