import { decodeKeyCode, encodeCodePrefix, encodeKeyCode, isTruncatedCode, codeBytesMax } from '../KeyCode.js';
import { decodeListingEntry } from '../layout/ListingEntry.js';
import { listingKey, prefixEnd } from '../layout/StorageKeys.js';
import type { StorageTables } from '../env/StorageTables.js';
import { limits } from '../../limits.js';

interface Cursor {
  readonly segmentId: number;
  rows: { code: Buffer; key: Buffer }[];
  at: number;
  /** Listing key to resume after, once `rows` is used up; undefined when the segment is done. */
  resumeAfter: Buffer | undefined;
}

/** Options of one listing, with keys already in bytes. */
export interface ListingQuery {
  readonly segmentIds: readonly number[];
  readonly prefix: Buffer | undefined;
  readonly after: Buffer | undefined;
  readonly limit: number;
  /** Keys not yet flushed to the listings (the memtable's), sorted by code, merged in. */
  readonly unflushed: readonly { readonly code: Buffer; readonly key: Buffer }[];
}

/**
 * Distinct keys of a set of segments, sorted: a k-way merge of the segments' `listings`, read a
 * page at a time per segment, so memory is bounded by the number of segments, never by the
 * number of keys.
 */
export async function* listKeysOfSegments(tables: StorageTables, query: ListingQuery, checkOpen: () => void): AsyncGenerator<Buffer, void, undefined> {
  const codePrefix = query.prefix !== undefined ? encodeCodePrefix(query.prefix) : Buffer.alloc(0);
  const codeEnd = prefixEnd(codePrefix);
  // A truncated code sorts by hash among keys sharing its first codeBytesMax bytes: start at that group.
  let startCode = codePrefix;
  if (query.after !== undefined) {
    const afterCode = encodeKeyCode(query.after);
    const from = isTruncatedCode(afterCode) ? afterCode.subarray(0, codeBytesMax) : afterCode;
    if (Buffer.compare(from, startCode) > 0) startCode = from;
  }
  const pageRows = Math.max(16, Math.min(limits.listingPageRowsMax, Math.floor(65_536 / Math.max(1, query.segmentIds.length))));

  const fill = (cursor: Cursor, start: Buffer, exclusive: boolean): void => {
    checkOpen();
    const end = codeEnd !== undefined ? listingKey(cursor.segmentId, codeEnd) : listingKey(cursor.segmentId + 1, Buffer.alloc(0));
    cursor.rows = [];
    cursor.at = 0;
    let last: Buffer | undefined;
    for (const { key, value } of tables.listings.getRange({ start, end, exclusiveStart: exclusive, limit: pageRows })) {
      const code = key.subarray(4);
      cursor.rows.push({ code, key: isTruncatedCode(code) ? (decodeListingEntry(value).key as Buffer) : decodeKeyCode(code) });
      last = key;
    }
    cursor.resumeAfter = cursor.rows.length === pageRows ? last : undefined;
  };

  const cursors: Cursor[] = [];
  for (const segmentId of query.segmentIds) {
    const cursor: Cursor = { segmentId, rows: [], at: 0, resumeAfter: undefined };
    fill(cursor, listingKey(segmentId, startCode), false);
    if (cursor.rows.length > 0) cursors.push(cursor);
  }
  // The unflushed keys are one more cursor, all in memory.
  const firstUnflushed = query.unflushed.findIndex((row) => Buffer.compare(row.code, startCode) >= 0);
  if (firstUnflushed >= 0) cursors.push({ segmentId: -1, rows: [...query.unflushed], at: firstUnflushed, resumeAfter: undefined });

  const head = (c: Cursor): { code: Buffer; key: Buffer } => c.rows[c.at];
  const advance = (c: Cursor): boolean => {
    c.at++;
    if (c.at < c.rows.length) return true;
    if (c.resumeAfter === undefined) return false;
    fill(c, c.resumeAfter, true);
    return c.rows.length > 0;
  };
  const matches = (key: Buffer): boolean =>
    (query.prefix === undefined || key.subarray(0, query.prefix.length).equals(query.prefix)) &&
    (query.after === undefined || Buffer.compare(key, query.after) > 0);

  let yielded = 0;
  let truncatedGroup: Buffer[] = [];
  let groupStem: Buffer | undefined;
  const flushGroup = function* (): Generator<Buffer> {
    truncatedGroup.sort(Buffer.compare);
    for (const key of truncatedGroup) yield key;
    truncatedGroup = [];
    groupStem = undefined;
  };

  while (cursors.length > 0 && yielded < query.limit) {
    let min = 0;
    for (let i = 1; i < cursors.length; i++) if (Buffer.compare(head(cursors[i]).code, head(cursors[min]).code) < 0) min = i;
    const { code, key } = head(cursors[min]);
    for (let i = cursors.length - 1; i >= 0; i--) {
      if (head(cursors[i]).code.equals(code) && !advance(cursors[i])) cursors.splice(i, 1);
    }
    if (!matches(key)) continue;
    if (isTruncatedCode(code)) {
      const stem = code.subarray(0, codeBytesMax);
      if (groupStem !== undefined && !stem.equals(groupStem)) {
        for (const k of flushGroup()) if (yielded++ < query.limit) yield k;
      }
      groupStem = stem;
      truncatedGroup.push(key);
      continue;
    }
    if (truncatedGroup.length > 0) for (const k of flushGroup()) if (yielded++ < query.limit) yield k;
    if (yielded >= query.limit) break;
    yielded++;
    yield key;
  }
  if (truncatedGroup.length > 0) for (const k of flushGroup()) if (yielded++ < query.limit) yield k;
}
