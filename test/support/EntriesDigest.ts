import { createHash } from 'node:crypto';

/**
 * SHA-256 of (sequence, key, value) triples in order, so a crash test can check that a part of
 * the log verified in an earlier cycle still reads exactly the same.
 * @example
 * expect(entriesDigest(await collect(log.scanGlobal({ prefix: '' })))).to.equal(earlier);
 */
export function entriesDigest(entries: readonly { sequence: number; key: Uint8Array; value: Uint8Array }[]): string {
  const hash = createHash('sha256');
  const header = Buffer.alloc(16);
  for (const e of entries) {
    header.writeDoubleBE(e.sequence, 0);
    header.writeUInt32BE(e.key.length, 8);
    header.writeUInt32BE(e.value.length, 12);
    hash.update(header).update(e.key).update(e.value);
  }
  return hash.digest('hex');
}
