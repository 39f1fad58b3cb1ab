import { expect } from 'chai';
import { encodeHeaderBlock } from '../../../src/storage/layout/HeaderBlock.js';
import { assembleRows } from '../../../src/storage/layout/RowAssembler.js';
import { rowFixedBytes, rowFlagHeaders, rowFlagSingle, rowHeaderBytes, StreamRow } from '../../../src/storage/layout/StreamRow.js';
import { limits } from '../../../src/limits.js';

interface TestRecord {
  readonly seq: number;
  readonly time: number;
  readonly value: string;
  readonly headers?: { name: string; value: string | null }[];
}

/** A row laid out as a commit writes a run: records with consecutive offsets from `countBefore`. */
function row(countBefore: number, records: TestRecord[]): StreamRow {
  const blocks = records.map((r) => (r.headers === undefined ? Buffer.alloc(0) : encodeHeaderBlock(r.headers, limits, 'test')));
  const withHeaders = blocks.some((b) => b.length > 0);
  const values = records.map((r) => Buffer.from(r.value));
  const n = records.length;
  const out = Buffer.alloc(rowHeaderBytes(n, withHeaders) + values.reduce((s, v) => s + v.length, 0) + blocks.reduce((s, b) => s + b.length, 0));
  out.writeUInt32LE(n, 0);
  out.writeUInt32LE(withHeaders ? rowFlagHeaders : 0, 4);
  out.writeDoubleLE(countBefore, 8);
  out.writeDoubleLE(records[0].time, 16);
  let at = rowHeaderBytes(n, withHeaders);
  let valueEnd = 0;
  let headerEnd = 0;
  records.forEach((r, i) => {
    out.writeUInt32LE(r.seq - records[0].seq, rowFixedBytes + 4 * i);
    out.writeUInt32LE(r.time - records[0].time, rowFixedBytes + 4 * (n + i));
    valueEnd += values[i].length;
    out.writeUInt32LE(valueEnd, rowFixedBytes + 4 * (2 * n + i));
    headerEnd += blocks[i].length;
    if (withHeaders) out.writeUInt32LE(headerEnd, rowFixedBytes + 4 * (3 * n + i));
  });
  for (const v of values) at += v.copy(out, at);
  for (const b of blocks) at += b.copy(out, at);
  return new StreamRow(out, records[0].seq);
}

function read(r: StreamRow): unknown[] {
  return Array.from({ length: r.count }, (_, i) => {
    const e = r.entry(Buffer.from('k'), i);
    return { seq: e.sequence, offset: e.offset, time: e.timestamp, value: e.value.toString(), headers: e.headers?.map((h) => [h.name, h.value === null ? null : h.value.toString()]) };
  });
}

describe('StreamRow and RowAssembler', () => {
  const runA = row(10, [
    { seq: 100, time: 5000, value: 'a' },
    { seq: 103, time: 5000, value: 'bb', headers: [{ name: 'h', value: 'x' }, { name: 'n', value: null }] },
  ]);
  const runB = row(12, [{ seq: 250, time: 7000, value: 'ccc' }]);

  it('reads back sequences, offsets, times, values and headers of a row', () => {
    expect(read(runA)).to.deep.equal([
      { seq: 100, offset: 10, time: 5000, value: 'a', headers: undefined },
      { seq: 103, offset: 11, time: 5000, value: 'bb', headers: [['h', 'x'], ['n', null]] },
    ]);
    expect(runA.lowerBound(101)).to.equal(1);
    expect(runA.lowerBoundTime(5001)).to.equal(2);
  });

  it('merges runs of a key into one row, headers kept where they are', () => {
    const rows = assembleRows([{ row: runA, from: 0, to: 2 }, { row: runB, from: 0, to: 1 }], 64 * 1024);
    expect(rows).to.have.length(1);
    expect(rows[0].firstSeq).to.equal(100);
    expect(read(new StreamRow(rows[0].buffer, rows[0].firstSeq))).to.deep.equal([...read(runA), ...read(runB)]);
  });

  it('cuts rows at maxBytes, each starting with its own offset and time, none over the bound but a lone large record', () => {
    const records: TestRecord[] = Array.from({ length: 50 }, (_, i) => ({ seq: 1000 + 2 * i, time: 9000 + i, value: 'v'.repeat(20 + (i % 7)) }));
    const big = row(0, records);
    const rows = assembleRows([{ row: big, from: 0, to: big.count }], 200);
    expect(rows.length).to.be.greaterThan(5);
    for (const r of rows) expect(r.buffer.length <= 200 || new StreamRow(r.buffer, r.firstSeq).count === 1).to.equal(true);
    const back = rows.flatMap((r) => read(new StreamRow(r.buffer, r.firstSeq)));
    expect(back).to.deep.equal(read(big));
  });

  it('takes a slice of a row (records [from, to)), as a trim rewrites it', () => {
    const rows = assembleRows([{ row: runA, from: 1, to: 2 }, { row: runB, from: 0, to: 1 }], 64 * 1024);
    expect(read(new StreamRow(rows[0].buffer, rows[0].firstSeq))).to.deep.equal([...read(runA).slice(1), ...read(runB)]);
  });

  it('lays out one record without headers as a single row, 12 bytes shorter, that reads back the same', () => {
    const lone = row(41, [{ seq: 9_000_000, time: 1_700_000_000_123, value: 'only one' }]);
    const [single] = assembleRows([{ row: lone, from: 0, to: 1 }], 64 * 1024);
    expect(single.buffer.readUInt32LE(4) & rowFlagSingle).to.equal(rowFlagSingle);
    expect(single.buffer.length).to.equal(lone.buffer.length - 12);
    const back = new StreamRow(single.buffer, single.firstSeq);
    expect(read(back)).to.deep.equal(read(lone));
    expect([back.lastSequence(), back.payloadBytes(0, 1), back.lowerBound(9_000_000), back.lowerBound(9_000_001), back.lowerBoundTime(1_700_000_000_124)]).to.deep.equal([9_000_000, 8, 0, 1, 1]);
    // A single row merges with others like any row, and a record with headers never becomes one.
    const merged = assembleRows([{ row: back, from: 0, to: 1 }, { row: row(42, [{ seq: 9_000_005, time: 1_700_000_000_200, value: 'next' }]), from: 0, to: 1 }], 64 * 1024);
    expect(read(new StreamRow(merged[0].buffer, merged[0].firstSeq)).map((e) => (e as { value: string }).value)).to.deep.equal(['only one', 'next']);
    const [withHeaders] = assembleRows([{ row: runA, from: 1, to: 2 }], 64 * 1024);
    expect(withHeaders.buffer.readUInt32LE(4) & rowFlagSingle).to.equal(0);
    expect(read(new StreamRow(withHeaders.buffer, withHeaders.firstSeq))).to.deep.equal(read(runA).slice(1));
  });

  it('refuses to merge records whose offsets are not consecutive (a broken invariant, not data)', () => {
    const gap = row(20, [{ seq: 300, time: 7000, value: 'x' }]);
    expect(() => assembleRows([{ row: runA, from: 0, to: 2 }, { row: gap, from: 0, to: 1 }], 64 * 1024)).to.throw(/consecutive offsets/);
  });
});
