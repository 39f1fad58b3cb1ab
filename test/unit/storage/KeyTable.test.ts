import { expect } from 'chai';
import { hashBytes, KeyTable, type LoadedKey } from '../../../src/storage/memtable/KeyTable.js';

function handleOf(table: KeyTable, key: Buffer): number {
  return table.forWrite(key, 0, key.length, hashBytes(key, 0, key.length));
}

/** A small deterministic generator, so that a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('KeyTable', () => {
  it('loads a key once, then finds it by its bytes (also inside a larger buffer)', () => {
    const loads: string[] = [];
    const table = new KeyTable(100, (key) => {
      loads.push(key.toString());
      return { keyId: 7, count: 3, lastSeq: 42, trimSeq: 1 };
    });
    const h = handleOf(table, Buffer.from('user-1'));
    expect([table.keyId[h], table.count[h], table.lastSeq[h], table.trimSeq[h], table.lastRun[h]]).to.deep.equal([7, 3, 42, 1, -1]);
    const framed = Buffer.from('xxuser-1yy');
    expect(table.forWrite(framed, 2, 8, hashBytes(framed, 2, 8))).to.equal(h);
    expect(table.peek(Buffer.from('user-1'))).to.equal(h);
    expect(table.peek(Buffer.from('user-2'))).to.equal(-1);
    expect(table.keyOf(h).toString()).to.equal('user-1');
    expect(loads).to.deep.equal(['user-1']);
  });

  it('keeps pinned keys and evicts the others down to its bound, sparing the recently used once', () => {
    let nextId = 0;
    const table = new KeyTable(2, (): LoadedKey => ({ keyId: nextId++, count: 0, lastSeq: -1, trimSeq: 0 }));
    const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => Buffer.from(k));
    const handles = keys.map((k) => handleOf(table, k));
    table.runAdded(handles[0], 0);
    table.trimAdded(handles[1]);
    expect(table.pinned).to.equal(2);
    table.trim();
    expect(table.size).to.equal(4); // two pinned, two others
    expect(table.peek(keys[0])).to.equal(handles[0]);
    expect(table.peek(keys[1])).to.equal(handles[1]);

    table.runDropped(handles[0]);
    table.trimDropped(handles[1]);
    expect(table.pinned).to.equal(0);
    expect(table.lastRun[handles[0]]).to.equal(-1);
    table.trim();
    expect(table.size).to.equal(2);
  });

  it('agrees with a Map through random inserts, evictions, growth and arena compaction', () => {
    const next = random(12345);
    const truth = new Map<string, number>();
    let nextId = 0;
    const table = new KeyTable(3000, (key) => {
      const id = truth.get(key.toString('latin1')) ?? nextId++;
      return { keyId: id, count: id * 2, lastSeq: id * 3, trimSeq: 0 };
    });
    const pinned = new Set<number>();
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 2000; i++) {
        const name = `key-${Math.floor(next() * 20000)}-${'x'.repeat(Math.floor(next() * 40))}`;
        const key = Buffer.from(name, 'latin1');
        const h = handleOf(table, key);
        if (!truth.has(name)) truth.set(name, table.keyId[h]);
        expect(table.keyId[h]).to.equal(truth.get(name));
        expect(table.keyOf(h).toString('latin1')).to.equal(name);
        if (next() < 0.05 && !pinned.has(h)) {
          table.runAdded(h, round * 2000 + i);
          pinned.add(h);
        }
      }
      for (const h of [...pinned]) {
        if (next() < 0.5) {
          table.runDropped(h);
          pinned.delete(h);
        }
      }
      table.trim();
      expect(table.size - table.pinned).to.be.at.most(3000);
      expect(table.pinned).to.equal(pinned.size);
      for (const h of pinned) expect(table.peek(table.keyOf(h))).to.equal(h);
    }
    // Every key the table still holds is found where it is, and its state is the one loaded.
    let held = 0;
    for (const [name, id] of truth) {
      const h = table.peek(Buffer.from(name, 'latin1'));
      if (h < 0) continue;
      held++;
      expect(table.keyId[h]).to.equal(id);
      expect(table.count[h]).to.equal(id * 2);
    }
    expect(held).to.equal(table.size);
  });

  it('forgets everything on clear', () => {
    const table = new KeyTable(10, () => ({ keyId: 1, count: 0, lastSeq: -1, trimSeq: 0 }));
    const h = handleOf(table, Buffer.from('k'));
    table.runAdded(h, 0);
    table.clear();
    expect([table.size, table.pinned, table.peek(Buffer.from('k'))]).to.deep.equal([0, 0, -1]);
  });
});
