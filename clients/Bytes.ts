import { describeValue } from './ArgumentChecks.js';
import { InvalidArgumentError } from './errors.js';

/** Bytes, or a string taken as UTF-8. */
export type Bytes = Uint8Array | string;

/**
 * Bytes as a Buffer (a string as UTF-8; a Uint8Array's memory is shared, not copied). Anything
 * else is an InvalidArgumentError naming `what`, so that a caller learns which argument was wrong.
 *
 * @example
 * toBytes('orders') // <Buffer 6f 72 64 65 72 73>
 */
export function toBytes(value: Bytes, what = 'bytes'): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const hint = value !== null && typeof value === 'object' ? '; pass JSON.stringify(value) to send an object' : '';
  throw new InvalidArgumentError(`${what} must be a string or a Uint8Array, got ${describeValue(value)}${hint}`);
}
