import type { OdlogClient } from '../../../clients/OdlogClient.js';
import type { Entry } from '../../protocol/batch/EntryBatchCodec.js';
import { subscribeTarget, type KeySelection } from './KeySelection.js';

/** How long a scan waits for its next entry before it counts again what is left (entries may have been deleted meanwhile). */
const recountAfterMs = 1000;

export interface SelectionScanRange {
  /** The first sequence of every key… */
  readonly start: number;
  /** …or, per key (latin1 of its bytes), its own first sequence (`--from -N`); keys not in it start at `start`. */
  readonly startsByKey?: ReadonlyMap<string, number>;
  /** Exclusive end: the log's visible end when the scan began, or lower. */
  readonly end: number;
}

/** Entries of `selection` in [start, end) of key `k` still to come after position `after`. */
async function remaining(client: OdlogClient, keys: AsyncIterable<Buffer> | Iterable<Buffer>, range: SelectionScanRange, after: number): Promise<number> {
  let total = 0;
  let page: Promise<number>[] = [];
  for await (const key of keys) {
    const start = Math.max(after, range.startsByKey?.get(key.toString('latin1')) ?? range.start);
    if (start < range.end) page.push(client.count(key, { start, end: range.end }));
    if (page.length >= 64) {
      for (const n of await Promise.all(page)) total += n;
      page = [];
    }
  }
  for (const n of await Promise.all(page)) total += n;
  return total;
}

/**
 * Every entry of several keys (or of a prefix) in [start, end), in global sequence order, then
 * the end: what kcat `-e` does. The entries come from one subscription (so memory is one credit
 * window, whatever the log's size); the end is known in advance as a count per key, because a
 * subscription says nothing when the keys have no more entries.
 *
 * @example
 * const end = await visibleEnd(client, selection);
 * for await (const entry of scanSelection(client, selection, { start: 0, end })) print(entry);
 */
export async function* scanSelection(client: OdlogClient, selection: KeySelection, range: SelectionScanRange): AsyncGenerator<Entry, void, undefined> {
  const keys = (): AsyncIterable<Buffer> | Iterable<Buffer> => (selection.kind === 'keys' ? selection.keys : client.keys({ prefix: selection.prefix }));
  let left = await remaining(client, keys(), range, 0);
  if (left === 0) return;
  let from = range.start;
  if (range.startsByKey !== undefined) for (const s of range.startsByKey.values()) from = Math.min(from, s);
  const consumer = await client.subscribe({ ...subscribeTarget(selection), from });
  let position = from - 1;
  try {
    let next = consumer.next();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), recountAfterMs)));
      const result = await Promise.race([next, stalled]);
      clearTimeout(timer);
      if (result === 'stalled') {
        // Retention (or a delete) may have taken entries counted at the start.
        left = await remaining(client, keys(), range, position + 1);
        if (left === 0) return;
        continue;
      }
      if (result.done === true) return;
      next = consumer.next();
      const entry = result.value;
      if (entry.sequence >= range.end) return;
      position = entry.sequence;
      if (range.startsByKey !== undefined && entry.sequence < (range.startsByKey.get(entry.key.toString('latin1')) ?? range.start)) continue;
      yield entry;
      if (--left === 0) return;
    }
  } finally {
    await consumer.close();
  }
}
