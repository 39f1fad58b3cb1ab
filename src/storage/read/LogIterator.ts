import { limits } from '../../limits.js';
import type { LogEntry } from '../types.js';

/**
 * One page of a read: every matching entry below `scannedTo`, in sequence order. A reader that
 * stops early (page bounds) sets `scannedTo` just past its last entry, or past the last part of
 * the log it looked at, so that each page makes progress even when it finds nothing.
 */
export interface ReadPage {
  readonly entries: LogEntry[];
  readonly scannedTo: number;
  /** True when nothing visible is left in the range at or after `scannedTo`; then `scannedTo` is the visible end. */
  readonly reachedEnd: boolean;
}

/** Reads the next page starting at `from`, at most `maxEntries` entries and about `maxBytes` value bytes. */
export type PageReader = (from: number, maxEntries: number, maxBytes: number) => ReadPage;


/**
 * An async iterator over log entries that reads in pages, each in its own short read
 * transaction, so a long iteration never pins an old snapshot. `nextSequence` is a lossless
 * resume cursor (OpenData RFC 0007): last yielded + 1 while iterating; once the iterator is
 * drained it is lifted to the visible frontier of the range, so a follower of an idle key skips
 * ahead over other keys' activity.
 *
 * @example
 * const it = log.scan('orders', { start: 0 });
 * for await (const entry of it) handle(entry);
 * const resumeAt = it.nextSequence;
 */
export class LogIterator implements AsyncIterableIterator<LogEntry> {
  private page: ReadPage | undefined;
  private at = 0;
  private yielded = 0;
  private yieldedBytes = 0;
  private finished = false;
  private exhaustedRange = false;
  private cursor: number;

  constructor(
    private readonly readPage: PageReader,
    start: number,
    private readonly limit: number,
    private readonly maxBytes: number,
    private readonly pageBytes: number,
  ) {
    this.cursor = start;
  }

  /** Where to resume: see the class comment. */
  get nextSequence(): number {
    return this.cursor;
  }

  /** True once the iterator has yielded everything visible in its range (not stopped by a limit). */
  get exhausted(): boolean {
    return this.exhaustedRange;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<LogEntry, undefined>> {
    return Promise.resolve(this.nextSync());
  }

  return(): Promise<IteratorResult<LogEntry, undefined>> {
    this.finished = true;
    this.page = undefined;
    return Promise.resolve({ done: true, value: undefined });
  }

  /** The same as `next()`, without a promise: reads are synchronous against the memory map. */
  nextSync(): IteratorResult<LogEntry, undefined> {
    if (this.finished || this.yielded >= this.limit) return this.finish();
    while (this.page === undefined || this.at >= this.page.entries.length) {
      if (this.page !== undefined) {
        // Every match below scannedTo was in the page, and all of it was yielded.
        if (this.page.scannedTo > this.cursor) this.cursor = this.page.scannedTo;
        if (this.page.reachedEnd) {
          this.exhaustedRange = true;
          return this.finish();
        }
      }
      const want = Math.min(this.limit - this.yielded, limits.scanPageEntriesMax);
      this.page = this.readPage(this.cursor, want, this.pageBytes);
      this.at = 0;
    }
    const entry = this.page.entries[this.at];
    if (this.yielded > 0 && this.yieldedBytes + entry.value.length > this.maxBytes) return this.finish();
    this.at++;
    this.yielded++;
    this.yieldedBytes += entry.value.length;
    this.cursor = entry.sequence + 1;
    return { done: false, value: entry };
  }

  /** Drain into an array (for callers that want one response). */
  toArray(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let r = this.nextSync(); !r.done; r = this.nextSync()) out.push(r.value);
    return out;
  }

  private finish(): IteratorResult<LogEntry, undefined> {
    this.finished = true;
    this.page = undefined;
    return { done: true, value: undefined };
  }
}
