import { join } from 'node:path';
import { open } from 'lmdb';
import { tablesIn } from '../../src/storage/env/StorageTables.js';

const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
const slots = 16;
const slotBytes = 32;

/**
 * Turns a closed format 6 directory into the format `version` (4 or 5) layout of key records, as
 * those builds wrote it: one `keys` row per key (u64 BE id -> its 32-byte state, then its bytes),
 * no `key-states` or `key-names`. Everything else of formats 4 and 5 is what format 6 still reads.
 */
export async function rewriteAsLegacyKeyRecords(dir: string, version: 4 | 5): Promise<void> {
  const env = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, maxDbs: 16, ...binary });
  const states = env.openDB<Buffer, Buffer>({ name: 'key-states', ...binary });
  const names = env.openDB<Buffer, Buffer>({ name: 'key-names', ...binary });
  const keys = env.openDB<Buffer, Buffer>({ name: 'keys', ...binary });
  const meta = env.openDB<Buffer, Buffer>({ name: 'meta', ...binary });
  env.transactionSync(() => {
    for (const { key: idKey, value: name } of names.getRange()) {
      const keyId = idKey.readUInt32BE(4);
      const groupKey = Buffer.alloc(8);
      groupKey.writeUInt32BE(Math.floor(keyId / slots), 4);
      const group = states.getBinary(groupKey) as Buffer;
      const at = (keyId % slots) * slotBytes;
      keys.putSync(Buffer.from(idKey), Buffer.concat([group.subarray(at, at + slotBytes), name]));
    }
    states.dropSync();
    names.dropSync();
    meta.putSync(Buffer.from('format'), Buffer.from(JSON.stringify({ magic: 'odlog', version })));
  });
  await env.close();
}

/** The names of the tables of a closed directory. */
export async function tableNamesOf(dir: string): Promise<string[]> {
  const env = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, maxDbs: 16, readOnly: true, ...binary });
  const names = tablesIn(env);
  await env.close();
  return names;
}
