import { clearKeyStateGroup, keyStateGroup, keyStateGroupBytes, keyStateGroupKey, keyStateSlotBytes, keyStateSlots } from '../layout/KeyRecord.js';
import { readU64BE } from '../layout/StorageKeys.js';
import { appendRow, type BinaryDb, type StorageTables } from './StorageTables.js';

/** A format 4/5 `keys` row begins with the key's state, laid out as a format 6 slot. */
const legacyStateBytes = keyStateSlotBytes;
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
    if (groupNo >= 0) appendRow(tables.keyStates, keyStateGroupKey(groupNo), group);
  };
  for (const { key, value } of legacy.getRange()) {
    const keyId = readU64BE(key, 0);
    if (keyStateGroup(keyId) !== groupNo) {
      putGroup();
      groupNo = keyStateGroup(keyId);
      clearKeyStateGroup(group);
    }
    value.copy(group, (keyId % keyStateSlots) * legacyStateBytes, 0, legacyStateBytes);
    appendRow(tables.keyNames, Buffer.from(key), Buffer.from(value.subarray(legacyStateBytes)));
  }
  putGroup();
  legacy.dropSync();
}
