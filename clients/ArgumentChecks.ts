import type { BrokerLimits } from '../src/protocol/messages/hello.js';
import { InvalidArgumentError } from './errors.js';

/**
 * Checks of what callers pass, before anything is encoded or sent: a JavaScript caller (or a
 * TypeScript one with a cast) can pass anything, and a clear InvalidArgumentError naming the
 * argument beats an encoder's "Received undefined" from deep inside.
 */

/** `value` as a message says it: `undefined`, `null`, `the number 42`, `the string "x"`, `an object {"x":1}`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'string') return `the string ${clip(JSON.stringify(value))}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json === undefined ? 'an object' : `an object ${clip(json)}`;
}

function clip(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}

/** A sequence: an integer ≥ 0 (a safe integer, as on the wire). */
export function checkSequence(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${what} must be a sequence (an integer ≥ 0), got ${describeValue(value)}`);
  return value;
}

/** An optional count or size that must be a positive integer when given. */
export function checkPositiveInteger(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)) throw new InvalidArgumentError(`${what} must be a positive integer, got ${describeValue(value)}`);
}

/** An optional duration that must be a finite number ≥ 0 when given. */
export function checkDurationMs(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) throw new InvalidArgumentError(`${what} must be a number of milliseconds ≥ 0, got ${describeValue(value)}`);
}

/** A name (cursor, client id): a non-empty string. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`${what} must be a non-empty string, got ${describeValue(value)}`);
  return value;
}

/** An array, for the arguments that must be one. */
export function checkArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${what} must be an array, got ${describeValue(value)}`);
  return value;
}

/**
 * One record's sizes against the broker's limits (from Hello), so that a Producer can refuse the
 * one bad record instead of sending a batch the broker would refuse whole.
 */
export function checkRecordSizes(key: Uint8Array, value: Uint8Array, limits: BrokerLimits): void {
  if (key.length === 0) throw new InvalidArgumentError(`key is empty; keys are 1..${limits.keyBytesMax} bytes`);
  if (key.length > limits.keyBytesMax) throw new InvalidArgumentError(`key is ${key.length} bytes, over the broker's keyBytesMax of ${limits.keyBytesMax}`);
  if (value.length > limits.valueBytesMax) throw new InvalidArgumentError(`value is ${value.length} bytes, over the broker's valueBytesMax of ${limits.valueBytesMax}`);
}
