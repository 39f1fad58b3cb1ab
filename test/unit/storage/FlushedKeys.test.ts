import { expect } from 'chai';
import { FlushedKeys } from '../../../src/storage/flush/FlushedKeys.js';
import { encodeKeyRecord } from '../../../src/storage/layout/KeyRecord.js';

describe('FlushedKeys', () => {
  const record = (keyId: number, latestGen: number): Buffer =>
    encodeKeyRecord({ keyId, count: 1, lastSeq: 5, trimSeq: 2, latestGen, listedIn: 3 }, Buffer.from('k'));

  it('reads a record from LMDB once, then keeps it; a key LMDB lacks is read each time', () => {
    const reads: number[] = [];
    const keys = new FlushedKeys(100);
    const read = (keyId: number): Buffer | undefined => {
      reads.push(keyId);
      return keyId === 7 ? record(7, 4) : undefined;
    };
    expect(keys.get(7, read)).to.deep.include({ latestGen: 4, listedIn: 3, trimSeq: 2 });
    expect(keys.get(7, read)).to.deep.include({ latestGen: 4, listedIn: 3, trimSeq: 2 });
    expect(keys.get(8, read)).to.equal(undefined);
    expect(keys.get(8, read)).to.equal(undefined);
    expect(reads).to.deep.equal([7, 8, 8]);
  });

  it('returns what a flush noted, and reads again after forget or clear (a failed flush)', () => {
    const keys = new FlushedKeys(100);
    let reads = 0;
    const read = (keyId: number): Buffer => {
      reads++;
      return record(keyId, 1);
    };
    keys.note(9, { latestGen: 6, listedIn: 2, trimSeq: 0 });
    expect(keys.get(9, read)?.latestGen).to.equal(6);
    expect(reads).to.equal(0);
    keys.forget(9);
    expect(keys.get(9, read)?.latestGen).to.equal(1);
    keys.note(9, { latestGen: 7, listedIn: 2, trimSeq: 0 });
    keys.clear();
    expect(keys.get(9, read)?.latestGen).to.equal(1);
    expect(reads).to.equal(2);
  });

  it('keeps no id from its bound on', () => {
    const keys = new FlushedKeys(16);
    let reads = 0;
    keys.note(20, { latestGen: 6, listedIn: 2, trimSeq: 0 });
    keys.get(20, (keyId) => {
      reads++;
      return record(keyId, 1);
    });
    keys.get(20, (keyId) => {
      reads++;
      return record(keyId, 1);
    });
    expect(reads).to.equal(2);
  });
});
