import type { Transaction } from 'lmdb';
import type { StorageTables } from '../env/StorageEnvironment.js';
import { encodeKeyCode } from '../KeyCode.js';
import { keyIdKey } from './StorageKeys.js';

/**
 * One row of the `keys` table, keyed by key id (u64 BE): the key's bytes and its state as of the
 * last flush, rewritten by every flush that holds records of the key. Keyed by id, so that a flush,
 * which goes through its keys in id order, reads and rewrites the table front to back. The writer
 * loads it when it meets a key it does not hold in memory; readers start a key's generation chain
 * here. A key is found by its bytes through the `key-ids` index (code -> id, written once).
 *
 * ```
 *   f64 LE  count        entries ever appended to the key (the next entry's offset)
 *   f64 LE  lastSeq      the key's last sequence, -1 if none
 *   f64 LE  trimSeq      entries of the key below this sequence are deleted (trim, delete)
 *   u32 LE  latestGen    the newest generation holding records of the key (noGen: none)
 *   u32 LE  listedIn     the newest segment whose listing holds the key (noSegment: none)
 *   bytes   key
 * ```
 */
export interface KeyRecord {
  readonly keyId: number;
  readonly count: number;
  readonly lastSeq: number;
  readonly trimSeq: number;
  readonly latestGen: number;
  readonly listedIn: number;
}

export const noGen = 0xffff_ffff;
export const noSegment = 0xffff_ffff;
const fixedBytes = 32;

export function encodeKeyRecord(r: KeyRecord, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(fixedBytes + key.length);
  out.writeDoubleLE(r.count, 0);
  out.writeDoubleLE(r.lastSeq, 8);
  out.writeDoubleLE(r.trimSeq, 16);
  out.writeUInt32LE(r.latestGen, 24);
  out.writeUInt32LE(r.listedIn, 28);
  out.set(key, fixedBytes);
  return out;
}

export function decodeKeyRecord(keyId: number, buf: Buffer): KeyRecord {
  return {
    keyId,
    count: buf.readDoubleLE(0),
    lastSeq: buf.readDoubleLE(8),
    trimSeq: buf.readDoubleLE(16),
    latestGen: buf.readUInt32LE(24),
    listedIn: buf.readUInt32LE(28),
  };
}

/** The key's bytes in a `keys` row. */
export function keyRecordKey(buf: Buffer): Buffer {
  return buf.subarray(fixedBytes);
}

/** A key's id from the `key-ids` index (f64 LE values), if LMDB knows the key. */
export function lookupKeyId(tables: StorageTables, key: Uint8Array, transaction?: Transaction): number | undefined {
  const raw = tables.keyIds.getBinary(encodeKeyCode(key), transaction === undefined ? undefined : { transaction });
  return raw === undefined ? undefined : raw.readDoubleLE(0);
}

/** A key's record, found by its bytes. */
export function lookupKeyRecord(tables: StorageTables, key: Uint8Array, transaction?: Transaction): KeyRecord | undefined {
  const keyId = lookupKeyId(tables, key, transaction);
  if (keyId === undefined) return undefined;
  const raw = tables.keys.getBinary(keyIdKey(keyId), transaction === undefined ? undefined : { transaction });
  return raw === undefined ? undefined : decodeKeyRecord(keyId, raw);
}
