import { appendRow, type StorageTables } from '../env/StorageTables.js';
import { keyIdKey, readU64BE } from '../layout/StorageKeys.js';
import { clearKeyStateGroup, keyStateGroup, keyStateGroupBytes, keyStateGroupKey, readKeyState, writeKeyState, type KeyRecord } from '../layout/KeyRecord.js';

/**
 * A flush's reads and writes of key states, and its puts of new keys' names, inside its
 * transaction: the group of the key last asked for is held, and put once the flush moves to
 * another group (or `finish`es). A flush goes through its keys in id order, so it reads and puts
 * each group once. Every read of `key-states` during a flush goes through here, so a held group is
 * never read stale from LMDB.
 *
 * Ids are handed out in creation order, but a key can be given one without being written (an
 * `expect` or a trim naming it), and then be written after keys with higher ids reached LMDB: so
 * groups and names are appended only while above the highest stored, and put in place otherwise.
 */
export class KeyStateWriter {
  private readonly group = Buffer.alloc(keyStateGroupBytes);
  private groupNo = -1;
  private dirty = false;
  /** The highest group in LMDB: a group above it is appended (MDB_APPEND fills pages whole). */
  private lastGroupNo = -1;
  /** The highest key id in `key-names`. */
  private lastNamedId = -1;

  constructor(private readonly tables: StorageTables) {
    for (const key of tables.keyStates.getKeys({ reverse: true, limit: 1 })) this.lastGroupNo = readU64BE(key as Buffer, 0);
    for (const key of tables.keyNames.getKeys({ reverse: true, limit: 1 })) this.lastNamedId = readU64BE(key as Buffer, 0);
  }

  /** The name of a key LMDB did not know. */
  addName(keyId: number, key: Buffer): void {
    // Copied out of the frame first: lmdb-js misreads a value viewing shared memory.
    const name = Buffer.from(key);
    if (keyId > this.lastNamedId) {
      appendRow(this.tables.keyNames, keyIdKey(keyId), name);
      this.lastNamedId = keyId;
    } else {
      this.tables.keyNames.put(keyIdKey(keyId), name);
    }
  }

  /** The key's state as LMDB holds it (changes made through `set` included), undefined if none. */
  get(keyId: number): KeyRecord | undefined {
    this.hold(keyStateGroup(keyId));
    return readKeyState(this.group, keyId);
  }

  set(record: KeyRecord): void {
    this.hold(keyStateGroup(record.keyId));
    writeKeyState(this.group, record);
    this.dirty = true;
  }

  /** Puts the held group if it changed; call before the transaction commits. */
  finish(): void {
    if (this.dirty && this.groupNo > this.lastGroupNo) {
      // Appended: the pages are filled whole rather than split in half, and stay so (a group keeps its size).
      appendRow(this.tables.keyStates, keyStateGroupKey(this.groupNo), this.group);
      this.lastGroupNo = this.groupNo;
    } else if (this.dirty) {
      this.tables.keyStates.put(keyStateGroupKey(this.groupNo), this.group);
    }
    this.dirty = false;
    this.groupNo = -1;
  }

  private hold(groupNo: number): void {
    if (groupNo === this.groupNo) return;
    this.finish();
    // lmdb-js copies a put's value into the transaction, so the one buffer is reused for every group.
    const stored = this.tables.keyStates.getBinary(keyStateGroupKey(groupNo));
    if (stored === undefined) clearKeyStateGroup(this.group);
    else this.group.set(stored);
    this.groupNo = groupNo;
  }
}
