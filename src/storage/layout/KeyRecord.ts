import type { Transaction } from 'lmdb';
import type { StorageTables } from '../env/StorageTables.js';
import { encodeKeyCode } from '../KeyCode.js';
import { keyIdKey, writeU64BE } from './StorageKeys.js';

/**
 * A key's state as of the last flush (storage format 6). Every flush that holds records of a key
 * rewrites its state, so states are packed sixteen to an LMDB value in `key-states`, keyed by
 * group (key id / 16, u64 BE): a flush, which goes through its keys in id order, reads and puts
 * each group once, 62,500 values for a million keys instead of a million rows. A state is a
 * fixed-size slot, at 32 x (key id mod 16):
 *
 * ```
 *   f64 LE  count        entries ever appended to the key (the next entry's offset); -1: no key of this id in LMDB
 *   f64 LE  lastSeq      the key's last sequence, -1 if none
 *   f64 LE  trimSeq      entries of the key below this sequence are deleted (trim, delete)
 *   u32 LE  latestGen    the newest generation holding records of the key (noGen: none)
 *   u32 LE  listedIn     the newest segment whose listing holds the key (noSegment: none)
 * ```
 *
 * The key's bytes are in `key-names` (key id -> bytes), written once when the key first reaches
 * LMDB; the key is found by its bytes through `key-ids` (code -> id). Readers start a key's
 * generation chain at its state's `latestGen`.
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
export const keyStateSlots = 16;
/** Bytes of one key's state in a group (the same layout as the head of a format 4/5 `keys` row). */
export const keyStateSlotBytes = 32;
const slotBytes = keyStateSlotBytes;
export const keyStateGroupBytes = keyStateSlots * slotBytes;
const absent = -1;

/** The group holding the key id's state. */
export function keyStateGroup(keyId: number): number {
  return Math.floor(keyId / keyStateSlots);
}

/** `key-states` key: the group number. */
export function keyStateGroupKey(group: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeU64BE(out, 0, group);
  return out;
}

/** Marks every slot of a group as holding no key. */
export function clearKeyStateGroup(group: Buffer): void {
  for (let at = 0; at < keyStateGroupBytes; at += slotBytes) group.writeDoubleLE(absent, at);
}

/** The state of `keyId` in its group's value, undefined if LMDB has no key of that id. */
export function readKeyState(group: Buffer, keyId: number): KeyRecord | undefined {
  const at = (keyId % keyStateSlots) * slotBytes;
  const count = group.readDoubleLE(at);
  if (count === absent) return undefined;
  return {
    keyId,
    count,
    lastSeq: group.readDoubleLE(at + 8),
    trimSeq: group.readDoubleLE(at + 16),
    latestGen: group.readUInt32LE(at + 24),
    listedIn: group.readUInt32LE(at + 28),
  };
}

export function writeKeyState(group: Buffer, r: KeyRecord): void {
  const at = (r.keyId % keyStateSlots) * slotBytes;
  group.writeDoubleLE(r.count, at);
  group.writeDoubleLE(r.lastSeq, at + 8);
  group.writeDoubleLE(r.trimSeq, at + 16);
  group.writeUInt32LE(r.latestGen, at + 24);
  group.writeUInt32LE(r.listedIn, at + 28);
}

const inTransaction = (transaction: Transaction | undefined): { transaction: Transaction } | undefined => (transaction === undefined ? undefined : { transaction });

/** A key's id from the `key-ids` index (f64 LE values), if LMDB knows the key. */
export function lookupKeyId(tables: StorageTables, key: Uint8Array, transaction?: Transaction): number | undefined {
  const raw = tables.keyIds.getBinary(encodeKeyCode(key), inTransaction(transaction));
  return raw === undefined ? undefined : raw.readDoubleLE(0);
}

/** A key's state by its id. */
function lookupKeyState(tables: StorageTables, keyId: number, transaction?: Transaction): KeyRecord | undefined {
  const group = tables.keyStates.getBinary(keyStateGroupKey(keyStateGroup(keyId)), inTransaction(transaction));
  return group === undefined ? undefined : readKeyState(group, keyId);
}

/** A key's state, found by its bytes. */
export function lookupKeyRecord(tables: StorageTables, key: Uint8Array, transaction?: Transaction): KeyRecord | undefined {
  const keyId = lookupKeyId(tables, key, transaction);
  return keyId === undefined ? undefined : lookupKeyState(tables, keyId, transaction);
}

/** A key's bytes by its id (a copy). */
export function lookupKeyName(tables: StorageTables, keyId: number, transaction?: Transaction): Buffer | undefined {
  return tables.keyNames.getBinary(keyIdKey(keyId), inTransaction(transaction));
}
