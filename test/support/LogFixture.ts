import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { LogDb, LogError, type LogDbOptions, type LogEntry, type LogErrorCode, type Record } from '../../src/index.js';
import { TempDirs } from './TempDirs.js';

/**
 * Logs and data directories of one test file: `open` remembers every log it opens, and `cleanup`
 * (call it from afterEach) closes the ones still open and removes the directories, even when a
 * test failed half-way.
 */
export class LogFixture {
  private readonly dirs = new TempDirs();
  private readonly logs: LogDb[] = [];

  dir(label = 'odlog-storage'): string {
    return this.dirs.make(label);
  }

  /** Open a log in `options.path`, or in a new temporary directory when no path is given. */
  async open(options: Partial<LogDbOptions> = {}): Promise<LogDb> {
    const log = await LogDb.open({ ...options, path: options.path ?? this.dir() });
    this.logs.push(log);
    return log;
  }

  async cleanup(): Promise<void> {
    for (const log of this.logs.splice(0)) {
      try {
        await log.close();
      } catch {
        // a test may leave a log in any state; the directory is removed regardless
      }
    }
    this.dirs.cleanup();
  }
}

export type LogErrorClass<E extends LogError> = abstract new (...args: never[]) => E;

/**
 * Run `action` and expect it to fail with `type` and `code`, whether it throws at once or returns
 * a promise that rejects. Returns the error for further checks.
 */
export async function expectLogError<E extends LogError>(action: () => unknown, type: LogErrorClass<E>, code: LogErrorCode): Promise<E> {
  let outcome: unknown;
  try {
    await action();
  } catch (error) {
    outcome = error;
    expect(error, `expected ${type.name}, got ${String(error)}`).to.be.instanceOf(type);
    expect((error as LogError).code).to.equal(code);
    return error as E;
  }
  expect.fail(`expected ${type.name} (${code}), but the call succeeded (${String(outcome)})`);
}

/** The settled outcome of a promise, for tests that fire many calls at once. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Records with one key and the given values. */
export function recordsOf(key: string | Buffer, values: readonly (string | Buffer)[]): Record[] {
  return values.map((value) => ({ key, value }));
}

/** Entries as plain, comparable tuples: [sequence, key as hex, value as utf8]. */
export function tuples(entries: readonly LogEntry[]): [number, string, string][] {
  return entries.map((e) => [e.sequence, e.key.toString('hex'), e.value.toString('utf8')]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `condition` until it holds; fail with `what` if it does not within `deadlineMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 5000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) expect.fail(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Sort buffers bytewise and drop duplicates. */
export function sortedDistinct(keys: readonly Buffer[]): Buffer[] {
  const sorted = [...keys].sort(Buffer.compare);
  return sorted.filter((k, i) => i === 0 || !k.equals(sorted[i - 1]));
}

/** Keys as hex, long ones shortened to a unique label (length and hash), so that failures stay readable. */
export function hexes(keys: readonly Buffer[]): string[] {
  return keys.map((k) => (k.length <= 32 ? k.toString('hex') : `${k.subarray(0, 8).toString('hex')}..(${k.length} bytes, sha256 ${createHash('sha256').update(k).digest('hex').slice(0, 12)})`));
}
