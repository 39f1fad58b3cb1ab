import { expect } from 'chai';
import { decodeChunkEntry, encodeChunkEntry, type ChunkEntry } from '../../../src/storage/layout/ChunkEntry.js';

describe('ChunkEntry', () => {
  const entry: ChunkEntry = {
    firstSeq: 2 ** 40,
    records: 5,
    timeMs: 1_700_000_000_123,
    segmentId: 7,
    gen: 12,
    rows: [
      { keyId: 0, firstSeq: 2 ** 40 },
      { keyId: 127, firstSeq: 2 ** 40 + 1 },
      { keyId: 128, firstSeq: 2 ** 40 + 2 },
      { keyId: 2 ** 32 + 5, firstSeq: 2 ** 40 + 3 },
      { keyId: 2 ** 53 - 1, firstSeq: 2 ** 40 + 2 ** 32 - 1 },
    ],
  };

  it('round-trips a commit directory, key ids up to 2^53 and deltas up to 2^32 included', () => {
    expect(decodeChunkEntry(entry.firstSeq, encodeChunkEntry(entry))).to.deep.equal(entry);
  });

  it('writes rows as varints: a small key id and delta take 2 bytes instead of 12', () => {
    const small = { ...entry, rows: [{ keyId: 3, firstSeq: entry.firstSeq + 4 }] };
    expect(encodeChunkEntry(small).length).to.equal(24 + 2);
  });

  it('reads a directory of storage format 4 (fixed 12-byte rows)', () => {
    const old = Buffer.alloc(24 + 12 * 2);
    old.writeUInt32LE(3, 0);
    old.writeDoubleLE(1_700_000_000_000, 4);
    old.writeUInt32LE(2, 12);
    old.writeUInt32LE(2, 16);
    old.writeUInt32LE(9, 20);
    old.writeDoubleLE(41, 24);
    old.writeUInt32LE(0, 32);
    old.writeDoubleLE(2 ** 33, 36);
    old.writeUInt32LE(2, 44);
    expect(decodeChunkEntry(100, old)).to.deep.equal({
      firstSeq: 100,
      records: 3,
      timeMs: 1_700_000_000_000,
      segmentId: 2,
      gen: 9,
      rows: [
        { keyId: 41, firstSeq: 100 },
        { keyId: 2 ** 33, firstSeq: 102 },
      ],
    });
  });
});
