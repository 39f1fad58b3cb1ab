import { createHash } from 'node:crypto';
import { prng, randomInt } from './Random.js';

/**
 * The batches of the crash test, shared by the child that appends them and the parent that checks
 * them after a SIGKILL. A batch is a pure function of its id, so the parent can rebuild exactly
 * what was sent; each value carries its batch id, its index, the batch size and a checksum.
 *
 * Value layout:
 * ```
 *   u32 BE  batch id
 *   u16 BE  index in the batch
 *   u16 BE  batch size
 *   bytes   payload (0..64 bytes)
 *   8 bytes sha256(key, header, payload), truncated
 * ```
 */
export interface CrashRecord {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** Keys all start with 'c' so one global scan by prefix reads the whole log. */
export const crashKeys: readonly Buffer[] = [
  Buffer.from('c/a'),
  Buffer.from('c/b'),
  Buffer.from([0x63, 0x00]),
  Buffer.from([0x63, 0x00, 0x00]),
  Buffer.from([0x63, 0xff, 0x01]),
  Buffer.concat([Buffer.from('c/long/'), Buffer.alloc(2500, 0x6c)]),
];

export function wideKey(n: number): Buffer {
  return Buffer.from(`c/w/${n}`);
}

/** The key the parent appends to after each crash. */
export const parentKey = Buffer.from('c/parent');

export const batchRecordsMax = 50;

/**
 * The crash child's budgets: tiny, so that flushes to LMDB and new WAL files happen every few
 * commits and kills land in the middle of them. A restart replays at most the memtable's bound
 * plus the one commit that may go past it.
 */
export const crashLogBudgets = { memtableBytesMax: 128 * 1024, commitBytesMax: 32 * 1024, walFileBytesMax: 64 * 1024 } as const;
const headerBytes = 8;
const checksumBytes = 8;

function checksum(key: Buffer, body: Buffer): Buffer {
  return createHash('sha256').update(key).update(body).digest().subarray(0, checksumBytes);
}

/**
 * The records of batch `batchId`: over the six crash keys, or (with `wideKeys`) over a keyspace of
 * that many keys (`c/w/<n>`), the per-entity layout where nearly every record is a key's first or
 * lone record in a flush.
 */
export function makeBatch(batchId: number, wideKeys = 0): CrashRecord[] {
  const random = prng(Math.imul(batchId, 0x9e3779b1));
  const size = randomInt(random, 1, batchRecordsMax);
  const records: CrashRecord[] = [];
  for (let index = 0; index < size; index++) {
    const key = wideKeys > 0 ? wideKey(randomInt(random, 0, wideKeys - 1)) : crashKeys[randomInt(random, 0, crashKeys.length - 1)];
    const body = Buffer.alloc(headerBytes + randomInt(random, 0, 64));
    body.writeUInt32BE(batchId, 0);
    body.writeUInt16BE(index, 4);
    body.writeUInt16BE(size, 6);
    for (let i = headerBytes; i < body.length; i++) body[i] = randomInt(random, 0, 255);
    records.push({ key, value: Buffer.concat([body, checksum(key, body)]) });
  }
  return records;
}

/** The batch id, index and size a value claims, or undefined when its checksum does not hold. */
export function decodeValue(key: Buffer, value: Buffer): { batchId: number; index: number; size: number } | undefined {
  if (value.length < headerBytes + checksumBytes) return undefined;
  const body = value.subarray(0, value.length - checksumBytes);
  if (!checksum(key, body).equals(value.subarray(value.length - checksumBytes))) return undefined;
  return { batchId: body.readUInt32BE(0), index: body.readUInt16BE(4), size: body.readUInt16BE(6) };
}

/** Digest of a batch's keys and values, in order. */
export function batchDigest(records: readonly CrashRecord[]): string {
  const hash = createHash('sha256');
  const length = Buffer.alloc(4);
  for (const r of records) {
    length.writeUInt32BE(r.key.length, 0);
    hash.update(length).update(r.key);
    length.writeUInt32BE(r.value.length, 0);
    hash.update(length).update(r.value);
  }
  return hash.digest('hex').slice(0, 16);
}
