import { limits } from '../limits.js';
import { InvalidArgumentError } from './errors.js';
import { awaitWrite } from './env/LmdbWrite.js';
import type { StorageTables } from './env/StorageTables.js';

/** What a named cursor follows: some keys, or every key under a prefix. */
export type CursorSelector = { readonly keys: readonly Buffer[] } | { readonly prefix: Buffer };

/** A consumer's durable position: every entry it follows below `sequence` is processed. */
export interface ConsumerCursor {
  readonly name: string;
  readonly sequence: number;
  readonly follows: CursorSelector;
  readonly updatedAtMs: number;
}

interface StoredCursor {
  readonly sequence: number;
  readonly keys?: string[];
  readonly prefix?: string;
  readonly updatedAtMs: number;
}


/**
 * Named consumer cursors, stored in the log's environment so that they survive restarts of the
 * log and of the consumer. A commit resolves once it is on disk.
 *
 * @example
 * await log.cursors.commit('billing', 1042, { keys: [Buffer.from('orders')] });
 * log.cursors.get('billing')?.sequence; // 1042
 */
export class CursorStore {
  constructor(
    private readonly tables: StorageTables,
    private readonly cursorsMax: number,
    private readonly checkOpen: () => void,
  ) {}

  async commit(name: string, sequence: number, follows: CursorSelector): Promise<ConsumerCursor> {
    this.checkOpen();
    const key = cursorKey(name);
    if (!Number.isSafeInteger(sequence) || sequence < 0) throw new InvalidArgumentError(`cursor sequence must be a non-negative safe integer, got ${sequence}`);
    if (this.tables.cursors.getBinaryFast(key) === undefined && this.count() >= this.cursorsMax) {
      throw new InvalidArgumentError(`there are already ${this.cursorsMax} named cursors; delete unused ones before adding ${JSON.stringify(name)}`);
    }
    const cursor: ConsumerCursor = { name, sequence, follows, updatedAtMs: Date.now() };
    const stored: StoredCursor =
      'prefix' in follows
        ? { sequence, prefix: follows.prefix.toString('base64'), updatedAtMs: cursor.updatedAtMs }
        : { sequence, keys: follows.keys.map((k) => k.toString('base64')), updatedAtMs: cursor.updatedAtMs };
    const written = this.tables.cursors.put(key, Buffer.from(JSON.stringify(stored))) as Promise<boolean> & { flushed?: Promise<unknown> };
    await awaitWrite(written, `committing cursor ${JSON.stringify(name)}`);
    if (written.flushed !== undefined) await awaitWrite(written.flushed, `flushing cursor ${JSON.stringify(name)}`);
    return cursor;
  }

  get(name: string): ConsumerCursor | undefined {
    this.checkOpen();
    const raw = this.tables.cursors.getBinary(cursorKey(name));
    return raw === undefined ? undefined : decode(name, raw);
  }

  async delete(name: string): Promise<boolean> {
    this.checkOpen();
    return awaitWrite(this.tables.cursors.remove(cursorKey(name)), `deleting cursor ${JSON.stringify(name)}`);
  }

  *list(): IterableIterator<ConsumerCursor> {
    this.checkOpen();
    for (const { key, value } of this.tables.cursors.getRange({})) yield decode(key.toString('utf8'), value);
  }

  count(): number {
    this.checkOpen();
    return this.tables.cursors.getCount({});
  }
}

function cursorKey(name: string): Buffer {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('a cursor name must be a non-empty string');
  const key = Buffer.from(name, 'utf8');
  if (key.length > limits.cursorNameBytesMax) throw new InvalidArgumentError(`a cursor name is at most ${limits.cursorNameBytesMax} bytes, got ${key.length}`);
  return key;
}

function decode(name: string, raw: Buffer): ConsumerCursor {
  const stored = JSON.parse(raw.toString('utf8')) as StoredCursor;
  const follows: CursorSelector =
    stored.prefix !== undefined ? { prefix: Buffer.from(stored.prefix, 'base64') } : { keys: (stored.keys ?? []).map((k) => Buffer.from(k, 'base64')) };
  return { name, sequence: stored.sequence, follows, updatedAtMs: stored.updatedAtMs };
}
