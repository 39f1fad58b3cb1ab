import type { Transaction } from 'lmdb';
import { decodeKeyCode, encodeKeyCode, isTruncatedCode } from './KeyCode.js';
import type { KeyState } from './KeyStateCache.js';
import { decodeListingEntry } from './layout/ListingEntry.js';
import { keyIdKey, listingKey } from './layout/StorageKeys.js';
import type { StreamRow } from './layout/StreamRow.js';
import type { StreamStore } from './StreamStore.js';
import type { StorageTables } from './StorageEnvironment.js';

const namesCacheEntriesMax = 65_536;

/**
 * Maps keys to their numeric ids and back, and reads a key's write state from LMDB. Key ids
 * keep the `streams` rows small and fixed-width whatever the key's length.
 */
export class KeyDirectory {
  /** key id -> key bytes, bounded; used by global-order readers. */
  private readonly names = new Map<number, Buffer>();

  constructor(
    private readonly tables: StorageTables,
    private readonly streams: StreamStore,
  ) {}

  /** The id of an existing key, as of the given (or the current) read snapshot. */
  keyIdOf(code: Buffer, transaction?: Transaction): number | undefined {
    const raw = this.tables.keys.getBinaryFast(code, transaction ? { transaction } : undefined);
    return raw === undefined ? undefined : raw.readDoubleLE(0);
  }

  /** Build the write state of `key` from LMDB; `allocateId` is called for a key never seen. */
  loadState(key: Buffer, keyStr: string, activeSegmentId: number, allocateId: () => number): KeyState {
    const code = encodeKeyCode(key);
    const ownKey = Buffer.from(key); // a copy: the caller's buffer may be a slice of a large frame
    const keyId = this.keyIdOf(code);
    if (keyId === undefined) {
      return { key: ownKey, keyStr, code, keyId: allocateId(), isNew: true, lastSeq: -1, count: 0, listedIn: -1, pins: 0 };
    }
    let lastSeq = -1;
    let count = 0;
    const last = this.lastRow(keyId);
    if (last !== undefined) {
      lastSeq = last.lastSequence();
      count = last.countBefore + last.count;
    }
    const listed = activeSegmentId >= 0 && this.tables.listings.getBinaryFast(listingKey(activeSegmentId, code)) !== undefined;
    return { key: ownKey, keyStr, code, keyId, isNew: false, lastSeq, count, listedIn: listed ? activeSegmentId : -1, pins: 0 };
  }

  /** The key's newest row or run, if it has any. */
  lastRow(keyId: number, transaction?: Transaction): StreamRow | undefined {
    return this.streams.lastRow(keyId, transaction);
  }

  /** The bytes of key `keyId`. */
  keyName(keyId: number, transaction?: Transaction): Buffer | undefined {
    const cached = this.names.get(keyId);
    if (cached !== undefined) return cached;
    const raw = this.tables.keyNames.getBinary(keyIdKey(keyId), transaction ? { transaction } : undefined);
    if (raw === undefined) return undefined;
    if (this.names.size >= namesCacheEntriesMax) this.names.delete(this.names.keys().next().value as number);
    this.names.set(keyId, raw);
    return raw;
  }

  /** The key of a listing row: decoded from its code, or stored in the row when the code is truncated. */
  static listingKeyBytes(code: Buffer, listingValue: Buffer): Buffer {
    if (!isTruncatedCode(code)) return decodeKeyCode(code);
    const entry = decodeListingEntry(listingValue);
    return entry.key ?? Buffer.alloc(0);
  }
}
