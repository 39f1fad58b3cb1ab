import { clearKeyStateGroup, keyStateGroup, keyStateGroupBytes, keyStateGroupKey, keyStateSlots } from '../layout/KeyRecord.js';
import { readU64BE } from '../layout/StorageKeys.js';
import { appendPut, type BinaryDb, type StorageTables } from './StorageTables.js';

/** Bytes of a key's state at the head of a format 4/5 `keys` row, laid out as a format 6 slot. */
const legacyStateBytes = 32;
const legacyTable = 'keys';

/**
 * Formats 4 and 5 kept each key in one `keys` row (key id -> state, then the key's bytes). Format 6
 * packs the states sixteen to a `key-states` value, in the same 32-byte layout, and keeps the bytes
 * in `key-names`; the rows are read in id order, so both tables are written by appending, and the
 * old table is dropped. Runs inside the caller's write transaction, which also rewrites the format
 * record: a crash leaves the directory as it was.
 */
export function migrateKeyRecords(tables: StorageTables, tableNames: readonly string[]): void {
  if (!tableNames.includes(legacyTable)) return;
  const legacy = tables.root.openDB<Buffer, Buffer>({ name: legacyTable, keyEncoding: 'binary', encoding: 'binary' }) as BinaryDb;
  const group = Buffer.alloc(keyStateGroupBytes);
  let groupNo = -1;
  const putGroup = (): void => {
    if (groupNo >= 0) tables.keyStates.put(keyStateGroupKey(groupNo), group, appendPut);
  };
  for (const { key, value } of legacy.getRange()) {
    const keyId = readU64BE(key, 0);
    if (keyStateGroup(keyId) !== groupNo) {
      putGroup();
      groupNo = keyStateGroup(keyId);
      clearKeyStateGroup(group);
    }
    value.copy(group, (keyId % keyStateSlots) * legacyStateBytes, 0, legacyStateBytes);
    tables.keyNames.put(Buffer.from(key), Buffer.from(value.subarray(legacyStateBytes)), appendPut);
  }
  putGroup();
  legacy.dropSync();
}
