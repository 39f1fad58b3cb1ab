import type { BrokerConnection } from '../../clients/BrokerConnection.js';
import type { Consumer } from '../../clients/Consumer.js';
import type { Entry } from '../../src/protocol/batch/EntryBatchCodec.js';

/** The next `n` entries of a consumer; rejects if they do not all arrive within `timeoutMs`. */
export async function take(consumer: Consumer, n: number, timeoutMs = 10_000): Promise<Entry[]> {
  const out: Entry[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    const next = await within(consumer.next(), left, () => `only ${out.length} of ${n} entries arrived within ${timeoutMs} ms`);
    if (next.done === true) throw new Error(`the consumer ended after ${out.length} of ${n} entries`);
    out.push(next.value);
  }
  return out;
}

/** The entries a consumer yields until (and including) the first that matches `last`. */
export async function takeUntil(consumer: Consumer, last: (entry: Entry) => boolean, timeoutMs = 30_000): Promise<Entry[]> {
  const out: Entry[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    const next = await within(consumer.next(), left, () => `the awaited entry did not arrive within ${timeoutMs} ms (${out.length} entries before it)`);
    if (next.done === true) throw new Error(`the consumer ended after ${out.length} entries`);
    out.push(next.value);
    if (last(next.value)) return out;
  }
}

/** Resolve once the connection is connected (after a reconnect). */
export function connected(connection: BrokerConnection, timeoutMs = 20_000): Promise<void> {
  if (connection.isConnected) return Promise.resolve();
  return within(
    new Promise<void>((resolve) => {
      const stop = connection.on('connected', () => {
        stop();
        resolve();
      });
    }),
    timeoutMs,
    () => `the client did not reconnect within ${timeoutMs} ms`,
  );
}

/** `promise`, or a rejection with `message()` after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), Math.max(0, timeoutMs))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
