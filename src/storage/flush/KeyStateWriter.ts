import type { StorageTables } from '../env/StorageTables.js';
import { clearKeyStateGroup, keyStateGroup, keyStateGroupBytes, keyStateGroupKey, readKeyState, writeKeyState, type KeyRecord } from '../layout/KeyRecord.js';

/**
 * A flush's reads and writes of key states, inside its transaction: the group of the key last
 * asked for is held, and put once the flush moves to another group (or `finish`es). A flush goes
 * through its keys in id order, so it reads and puts each group once. Every read of `key-states`
 * during a flush goes through here, so a held group is never read stale from LMDB.
 */
export class KeyStateWriter {
  private readonly group = Buffer.alloc(keyStateGroupBytes);
  private groupNo = -1;
  private dirty = false;

  constructor(private readonly tables: StorageTables) {}

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
    if (this.dirty) this.tables.keyStates.put(keyStateGroupKey(this.groupNo), this.group);
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
