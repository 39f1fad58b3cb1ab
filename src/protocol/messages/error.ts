import { loadSchema } from '../Schemas.js';

/**
 * The body of every frame flagged ERROR (RESPONSE|ERROR), whatever its message type:
 * ErrorResponse { code: int, message: string, retryable: boolean,
 *                 conflictKey: null|bytes, conflictLastSequence: null|long }
 */
export interface ErrorBody {
  readonly code: number;
  readonly message: string;
  readonly retryable: boolean;
  readonly conflictKey: Buffer | null;
  readonly conflictLastSequence: number | null;
}

export const errorBody = loadSchema<ErrorBody>('error.response');
