import avro from 'avsc';
import { expect } from 'chai';
import { ByteReader, splitU64 } from '../../../src/protocol/avro/ByteReader.js';
import { ByteWriter, longSize, writeLongAt } from '../../../src/protocol/avro/ByteWriter.js';
import { prng } from '../../support/Random.js';
import { expectDecodeError, fromHex, hex } from './protocolTestKit.js';

const avroLong = avro.Type.forSchema('long');
/** avsc refuses longs outside +-(2^53 - 2) ("potential precision loss"). */
const avscLongMax = 2 ** 53 - 2;

/** The Avro zig-zag varint of any integer, computed exactly with BigInt: the reference. */
function referenceLong(n: bigint): Buffer {
  let z = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

function written(n: number): Buffer {
  const w = new ByteWriter(1);
  w.writeLong(n);
  return w.toBuffer();
}

function read(bytes: Buffer): number {
  const r = new ByteReader(bytes);
  const n = r.readLong();
  expect(r.pos, `all of ${hex(bytes)} consumed`).to.equal(bytes.length);
  return n;
}

const edgeValues = [
  0, 1, -1, 63, -63, 64, -64, 65, -65, 127, 128, 8191, 8192, -8192, -8193,
  2 ** 27, 2 ** 28 - 1, 2 ** 28, -(2 ** 28), 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1,
  2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 35 + 5,
  2 ** 49, 2 ** 52, -(2 ** 52), 2 ** 52 + 1, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER,
];

/** Negative safe integers whose zig-zag form (2|n| - 1) is odd and above 2^53. */
const largeNegatives = [-(2 ** 52) - 1, -(2 ** 52) - 3, -(2 ** 53) + 3, -(2 ** 53 - 2), -Number.MAX_SAFE_INTEGER];

describe('ByteWriter and ByteReader (Avro longs and bytes)', () => {
  it('writes zig-zag varints byte for byte as avsc does, for 0, +-1, +-63, +-64, 2^31-1, -2^31, 2^32, 2^52 ...', () => {
    for (const n of edgeValues) {
      if (Math.abs(n) > avscLongMax) continue;
      expect(hex(written(n)), String(n)).to.equal(hex(avroLong.toBuffer(n)));
    }
  });

  it('writes every value of the edge list as the exact BigInt reference does, MAX_SAFE_INTEGER included', () => {
    for (const n of edgeValues) expect(hex(written(n)), String(n)).to.equal(hex(referenceLong(BigInt(n))));
    expect(hex(written(Number.MAX_SAFE_INTEGER))).to.equal('feffffffffffff1f');
  });

  it('reads back what it writes and what avsc writes, for the edge list', () => {
    for (const n of edgeValues) {
      expect(read(written(n)), String(n)).to.equal(n);
      if (Math.abs(n) <= avscLongMax) expect(read(avroLong.toBuffer(n)), String(n)).to.equal(n);
    }
  });

  it('round-trips random safe integers down to -2^52 (seeded), matching the reference', () => {
    const random = prng(11);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = Math.floor(random() * 2 ** Math.floor(random() * 54));
      const n = random() < 0.5 ? Math.min(magnitude, Number.MAX_SAFE_INTEGER) : -Math.min(magnitude, 2 ** 52);
      const bytes = written(n);
      expect(hex(bytes), String(n)).to.equal(hex(referenceLong(BigInt(n))));
      expect(read(bytes), String(n)).to.equal(n);
      expect(longSize(n), String(n)).to.equal(bytes.length);
    }
  });

  // Both directions compute the zig-zag value 2|n| - 1 in floating point, which is inexact above
  // 2^53: a negative long below -2^52 is written as (and read back as) a different, positive number.
  it('writes negative longs below -2^52 exactly, down to -(2^53 - 1)', () => {
    for (const n of largeNegatives) expect(hex(written(n)), String(n)).to.equal(hex(referenceLong(BigInt(n))));
  });

  it('reads negative longs below -2^52 exactly, never as a positive number', () => {
    for (const n of largeNegatives) expect(read(referenceLong(BigInt(n))), String(n)).to.equal(n);
  });

  it('writes at a position with writeLongAt and reports the end', () => {
    const buf = Buffer.alloc(20, 0xaa);
    const end = writeLongAt(buf, 3, -65);
    expect(end).to.equal(5);
    expect(hex(buf.subarray(0, 6))).to.equal('aaaaaa8101aa');
  });

  it('refuses a truncated varint (a continuation bit on the last byte) at every length', () => {
    expectDecodeError(() => new ByteReader(Buffer.alloc(0)).readLong(), 'empty');
    for (let length = 1; length <= 9; length++) {
      expectDecodeError(() => new ByteReader(Buffer.alloc(length, 0x80)).readLong(), `${length} bytes`);
      expectDecodeError(() => new ByteReader(Buffer.alloc(length, 0xff)).readLong(), `${length} bytes`);
    }
    // The end bound is honoured, not the buffer's length.
    expectDecodeError(() => new ByteReader(fromHex('808001'), 0, 2).readLong(), 'end before the last byte');
  });

  it('refuses varints longer than 10 bytes, even when they would encode 0', () => {
    expectDecodeError(() => new ByteReader(fromHex('8080808080808080808000')).readLong(), '11 bytes');
    expectDecodeError(() => new ByteReader(fromHex('80808080808080808080808001')).readLong(), '13 bytes');
    // Ten bytes is still Avro's bound: padded zero is accepted.
    expect(read(fromHex('80808080808080808000'))).to.equal(0);
  });

  it('refuses values far outside the safe integer range', () => {
    const outside = [2n ** 53n + 2n, -(2n ** 53n) - 2n, 2n ** 54n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
    for (const n of outside) expectDecodeError(() => new ByteReader(referenceLong(n)).readLong(), String(n));
    // The largest 10-byte varint.
    expectDecodeError(() => new ByteReader(fromHex('ffffffffffffffffff01')).readLong(), 'u64 max');
  });

  // The bound 2 * MAX_SAFE_INTEGER + 1 is itself computed in floating point and rounds to 2^54,
  // so the zig-zag values 2^54 and 2^54 + 1 (and 2^54 - 1, which rounds up) pass it.
  it('refuses the first values past the safe range (2^53, 2^53 + 1, -2^53, -2^53 - 1) instead of rounding them', () => {
    for (const n of [2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), -(2n ** 53n) - 1n]) {
      expectDecodeError(() => new ByteReader(referenceLong(n)).readLong(), String(n));
    }
  });

  it('leaves the position unchanged when a long is refused', () => {
    const r = new ByteReader(fromHex('02ffff'));
    expect(r.readLong()).to.equal(1);
    expectDecodeError(() => r.readLong());
    expect(r.pos).to.equal(1);
  });

  it('returns a bytes range in place and moves past it', () => {
    const r = new ByteReader(fromHex('06616263' + '00' + '02ff'));
    expect(r.readBytesRange()).to.deep.equal([1, 4]);
    expect(r.readBytesRange()).to.deep.equal([5, 5]);
    expect(r.readBytesRange()).to.deep.equal([6, 7]);
    expect(r.remaining).to.equal(0);
  });

  it('refuses a negative bytes length', () => {
    expectDecodeError(() => new ByteReader(fromHex('01aa')).readBytesRange(), '-1');
    expectDecodeError(() => new ByteReader(referenceLong(-(2n ** 40n))).readBytesRange(), '-2^40');
  });

  it('refuses a bytes length longer than the data left, up to the reader end', () => {
    expectDecodeError(() => new ByteReader(fromHex('0861626364'), 0, 4).readBytesRange(), 'past end bound');
    expectDecodeError(() => new ByteReader(fromHex('0a61626364')).readBytesRange(), 'one short');
    expectDecodeError(() => new ByteReader(referenceLong(2n ** 52n)).readBytesRange(), '2^52');
    expect(new ByteReader(fromHex('0861626364')).readBytesRange()).to.deep.equal([1, 5]);
  });

  it('refuses skipping past the end and reading a byte at the end', () => {
    const r = new ByteReader(fromHex('0102'));
    r.skip(1);
    expectDecodeError(() => r.skip(2));
    expectDecodeError(() => r.skip(-1));
    expect(r.readByte()).to.equal(2);
    expectDecodeError(() => r.readByte());
  });

  it('grows past its initial size and writes length-prefixed byte ranges', () => {
    const w = new ByteWriter(2);
    const source = Buffer.alloc(300, 0x5a);
    w.writeBytes(source, 10, 210);
    w.writeLong(-3);
    w.writeRaw(Buffer.from([0xff]));
    const out = w.toBuffer();
    expect(out.length).to.equal(2 + 200 + 1 + 1);
    expect(hex(out.subarray(0, 2))).to.equal('9003');
    expect(out.subarray(2, 202).equals(Buffer.alloc(200, 0x5a))).to.equal(true);
    expect(hex(out.subarray(202))).to.equal('05ff');
    expect(w.length).to.equal(out.length);
    w.reset();
    expect(w.length).to.equal(0);
    expect(w.view().length).to.equal(0);
  });

  it('splits a u64 into high and low 32-bit words', () => {
    expect(splitU64(0)).to.deep.equal([0, 0]);
    expect(splitU64(2 ** 32 + 5)).to.deep.equal([1, 5]);
    expect(splitU64(Number.MAX_SAFE_INTEGER)).to.deep.equal([0x1f_ffff, 0xffff_ffff]);
  });
});
