import type { Transaction } from 'lmdb';
import { limits } from '../../limits.js';
import type { StorageTables } from '../env/StorageTables.js';
import { lookupKeyName } from '../layout/KeyRecord.js';

/**
 * Key ids back to key bytes, for readers walking the log in global order (a commit's directory
 * names keys by id). A bounded cache in front of the `key-names` table.
 */
export class KeyNames {
  private readonly names = new Map<number, Buffer>();

  constructor(private readonly tables: StorageTables) {}

  name(keyId: number, transaction: Transaction): Buffer | undefined {
    const cached = this.names.get(keyId);
    if (cached !== undefined) return cached;
    const raw = lookupKeyName(this.tables, keyId, transaction);
    if (raw === undefined) return undefined;
    if (this.names.size >= limits.keyNamesCachedMax) this.names.delete(this.names.keys().next().value as number);
    this.names.set(keyId, raw);
    return raw;
  }
}
