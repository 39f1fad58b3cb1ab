import { expect } from 'chai';
import { codeBytesMax, decodeKeyCode, encodeCodePrefix, encodeKeyCode, isTruncatedCode } from '../../../src/storage/KeyCode.js';

const keys = [Buffer.from([]), Buffer.from([0]), Buffer.from([0, 0]), Buffer.from([0, 1]), Buffer.from([1]), Buffer.from([1, 0]), Buffer.from([2]), Buffer.from([0xff]), Buffer.from([0xff, 0])];

describe('KeyCode', () => {
  it('orders codes exactly as the keys order bytewise', () => {
    for (const a of keys) {
      for (const b of keys) {
        expect(Math.sign(Buffer.compare(encodeKeyCode(a), encodeKeyCode(b)))).to.equal(Math.sign(Buffer.compare(a, b)), `${a.toString('hex')} vs ${b.toString('hex')}`);
      }
    }
  });

  it('round-trips keys holding 0x00, 0x01 and 0xff', () => {
    for (const key of keys) expect(decodeKeyCode(encodeKeyCode(key)).equals(key)).to.equal(true);
  });

  it('never makes one code a prefix of another', () => {
    for (const a of keys) {
      for (const b of keys) {
        if (a.equals(b)) continue;
        const ca = encodeKeyCode(a);
        expect(encodeKeyCode(b).subarray(0, ca.length).equals(ca)).to.equal(false);
      }
    }
  });

  it('gives every key under a prefix a code starting with the prefix code', () => {
    const prefix = Buffer.from([0, 1, 0x41]);
    const code = encodeCodePrefix(prefix);
    expect(code.length).to.equal(5); // 0x00 and 0x01 take two bytes each
    for (const rest of keys) expect(encodeKeyCode(Buffer.concat([prefix, rest])).subarray(0, code.length).equals(code)).to.equal(true);
  });

  it('truncates long keys to a unique fixed-size code that still sorts before longer shared prefixes', () => {
    const long1 = Buffer.alloc(4096, 0x61);
    const long2 = Buffer.concat([Buffer.alloc(4095, 0x61), Buffer.from([0x62])]);
    const c1 = encodeKeyCode(long1);
    const c2 = encodeKeyCode(long2);
    expect(isTruncatedCode(c1)).to.equal(true);
    expect(c1.length).to.be.lessThan(1978 - 4);
    expect(c1.equals(c2)).to.equal(false);
    expect(c1.subarray(0, codeBytesMax).equals(c2.subarray(0, codeBytesMax))).to.equal(true);
    const short = Buffer.alloc(10, 0x61);
    expect(Buffer.compare(encodeKeyCode(short), c1)).to.equal(-1);
    expect(Buffer.compare(encodeKeyCode(Buffer.from('b')), c1)).to.equal(1);
  });
});
