import { expect } from 'chai';
import { ArenaPool } from '../../../src/storage/write/ArenaPool.js';

describe('ArenaPool', () => {
  it('hands back a returned buffer big enough for the next commit, aligned at offset 0', () => {
    const pool = new ArenaPool(4, 1 << 20, 1024);
    const a = pool.take(100);
    expect(a.length).to.equal(1024); // the minimum size, so small commits share buffers
    expect(a.byteOffset % 8).to.equal(0);
    pool.give(a);
    expect(pool.take(1000)).to.equal(a);
    expect(pool.take(1000)).not.to.equal(a); // taken: a fresh one
  });

  it('allocates when no kept buffer is big enough, and keeps the bigger ones within its bounds', () => {
    const pool = new ArenaPool(2, 10_000, 100);
    const small = pool.take(100);
    const mid = pool.take(3000);
    const big = pool.take(6000);
    pool.give(small);
    pool.give(mid);
    expect(pool.kept).to.deep.equal({ buffers: 2, bytes: 3100 });
    pool.give(big); // two buffers at most: the smallest goes
    expect(pool.kept).to.deep.equal({ buffers: 2, bytes: 9000 });
    expect(pool.take(5000)).to.equal(big);
    pool.give(pool.take(20_000)); // larger than the byte bound: not kept
    expect(pool.kept).to.deep.equal({ buffers: 1, bytes: 3000 });
    pool.give(Buffer.allocUnsafeSlow(200)); // room for a second buffer within the bytes: kept
    expect(pool.kept.buffers).to.equal(2);
  });
});
