import { expect } from 'chai';
import { batchDigest, batchRecordsMax, crashKeys, decodeValue, makeBatch } from '../../support/CrashBatches.js';

/** The crash test trusts these helpers to tell sent records from anything else; they are checked here. */
describe('CrashBatches (crash test support)', () => {
  it('builds the same batch for the same id, and batches of 1..batchRecordsMax records', () => {
    for (let id = 1_000_000; id < 1_000_200; id++) {
      const a = makeBatch(id);
      const b = makeBatch(id);
      expect(a.length).to.be.within(1, batchRecordsMax);
      expect(batchDigest(a)).to.equal(batchDigest(b));
      expect(a.every((r) => crashKeys.some((k) => k.equals(r.key)))).to.equal(true);
    }
    expect(batchDigest(makeBatch(7))).to.not.equal(batchDigest(makeBatch(8)));
  });

  it('decodes the batch id, index and size of every record it built', () => {
    const records = makeBatch(4242);
    records.forEach((r, i) => expect(decodeValue(r.key, r.value)).to.deep.equal({ batchId: 4242, index: i, size: records.length }));
  });

  it('refuses a value with any single byte changed, or read under another key', () => {
    const [record] = makeBatch(99);
    for (let i = 0; i < record.value.length; i++) {
      const changed = Buffer.from(record.value);
      changed[i] ^= 0x01;
      expect(decodeValue(record.key, changed), `byte ${i}`).to.equal(undefined);
    }
    const otherKey = crashKeys.find((k) => !k.equals(record.key)) as Buffer;
    expect(decodeValue(otherKey, record.value)).to.equal(undefined);
    expect(decodeValue(record.key, record.value.subarray(0, 10))).to.equal(undefined);
  });
});
