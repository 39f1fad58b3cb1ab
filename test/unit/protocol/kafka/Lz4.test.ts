import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { KafkaDecompressionError } from '../../../../src/protocol/kafka/compression/KafkaDecompressionError.js';
import { decompressLz4Frame } from '../../../../src/protocol/kafka/compression/lz4.js';
import { xxhash32 } from '../../../../src/protocol/kafka/compression/xxhash32.js';
import { expectThrows } from './kafkaTestKit.js';

/** LZ4 length continuation bytes for a length beyond 15 (token nibble 15). */
function extraLength(n: number): number[] {
  const out: number[] = [];
  n -= 15;
  while (n >= 255) {
    out.push(255);
    n -= 255;
  }
  out.push(n);
  return out;
}

/** One LZ4 sequence: literals, then (unless last) a match of `length` bytes `offset` back. */
function seq(literals: string | Buffer, match?: { offset: number; length: number }): Buffer {
  const lit = typeof literals === 'string' ? Buffer.from(literals) : literals;
  const matchCode = match === undefined ? 0 : match.length - 4;
  const token = (Math.min(lit.length, 15) << 4) | Math.min(matchCode, 15);
  const parts = [token, ...(lit.length >= 15 ? extraLength(lit.length) : [])];
  const tail: number[] = [];
  if (match !== undefined) {
    tail.push(match.offset & 0xff, match.offset >> 8);
    if (matchCode >= 15) tail.push(...extraLength(matchCode));
  }
  return Buffer.concat([Buffer.from(parts), lit, Buffer.from(tail)]);
}

interface FrameOptions {
  independent?: boolean;
  blockChecksums?: boolean;
  contentSize?: number;
  contentChecksumOf?: Buffer;
  blockSizeId?: number;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** An LZ4 frame around `blocks` (each compressed, or stored when `stored`). */
function frame(blocks: readonly { data: Buffer; stored?: boolean }[], o: FrameOptions = {}): Buffer {
  const flg = 0x40 | (o.independent !== false ? 0x20 : 0) | (o.blockChecksums === true ? 0x10 : 0) | (o.contentSize !== undefined ? 0x08 : 0) | (o.contentChecksumOf !== undefined ? 0x04 : 0);
  const descriptor = [Buffer.from([flg, (o.blockSizeId ?? 4) << 4])];
  if (o.contentSize !== undefined) descriptor.push(Buffer.concat([u32(o.contentSize), u32(0)]));
  const desc = Buffer.concat(descriptor);
  const parts = [u32(0x184d2204), desc, Buffer.from([(xxhash32(desc) >>> 8) & 0xff])];
  for (const b of blocks) {
    parts.push(u32(b.data.length | (b.stored === true ? 0x80000000 : 0)), b.data);
    if (o.blockChecksums === true) parts.push(u32(xxhash32(b.data)));
  }
  parts.push(u32(0));
  if (o.contentChecksumOf !== undefined) parts.push(u32(xxhash32(o.contentChecksumOf)));
  return Buffer.concat(parts);
}

const max = 1 << 20;
const hasLz4Command = (() => {
  try {
    execFileSync('lz4', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('xxHash32', () => {
  it('matches the reference values', () => {
    expect(xxhash32(Buffer.alloc(0))).to.equal(0x02cc5d05);
    expect(xxhash32(Buffer.from('a'))).to.equal(0x550d7456);
    expect(xxhash32(Buffer.from('abc'))).to.equal(0x32d153ff);
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).to.equal(0xe2293b2f);
  });
});

describe('LZ4 frame decompression', () => {
  it('decodes literals and matches, overlapping matches and long lengths', () => {
    const long = Buffer.alloc(300, 0x61);
    const out = decompressLz4Frame(frame([{ data: Buffer.concat([seq('abcd', { offset: 4, length: 8 }), seq('x', { offset: 1, length: 300 }), seq(long)]) }]), max);
    expect(out.toString()).to.equal('abcdabcdabcd' + 'x'.repeat(301) + 'a'.repeat(300));
  });

  it('decodes stored (uncompressed) blocks, block checksums, content size and content checksum', () => {
    const content = Buffer.from('stored block, then a compressed one: abcabcabc');
    const blocks = [{ data: Buffer.from('stored block, then a compressed one: '), stored: true }, { data: Buffer.concat([seq('abc', { offset: 3, length: 6 }), seq('')]) }];
    expect(decompressLz4Frame(frame(blocks, { blockChecksums: true, contentSize: content.length, contentChecksumOf: content }), max).equals(content)).to.equal(true);
  });

  it('lets a match of a linked (dependent) block reach into the previous block, and refuses it in an independent frame', () => {
    const blocks = [{ data: seq('hello ') }, { data: Buffer.concat([seq('', { offset: 6, length: 6 }), seq('')]) }];
    expect(decompressLz4Frame(frame(blocks, { independent: false }), max).toString()).to.equal('hello hello ');
    expectThrows(() => decompressLz4Frame(frame(blocks, { independent: true }), max), KafkaDecompressionError, 'MALFORMED');
  });

  it('refuses bad checksums', () => {
    const content = Buffer.from('abc');
    const good = frame([{ data: seq('abc') }], { blockChecksums: true, contentChecksumOf: content });
    for (const at of [6, good.length - 12, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[at] ^= 1;
      expectThrows(() => decompressLz4Frame(bad, max), KafkaDecompressionError, 'CHECKSUM_MISMATCH');
    }
  });

  it('refuses a block that ends with a match instead of a last literal-only sequence', () => {
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('abcd', { offset: 4, length: 4 }) }]), max), KafkaDecompressionError, 'TRUNCATED');
  });

  it('refuses bad headers, offsets and sizes', () => {
    const ok = frame([{ data: seq('abc') }]);
    const badMagic = Buffer.from(ok);
    badMagic[0] ^= 1;
    expectThrows(() => decompressLz4Frame(badMagic, max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('abc') }], { blockSizeId: 2 }), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('ab', { offset: 0, length: 4 }) }]), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('ab', { offset: 3, length: 4 }) }]), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(frame([{ data: Buffer.alloc(70_000), stored: true }]), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('abc') }], { contentSize: 4 }), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressLz4Frame(Buffer.concat([ok, Buffer.from([0])]), max), KafkaDecompressionError, 'MALFORMED');
  });

  it('stops at the output bound: a small frame that inflates past it is refused', () => {
    // 64 KiB blocks of one repeated byte, 20 blocks: ~1.3 MB from a few hundred bytes.
    const block = { data: Buffer.concat([seq('z', { offset: 1, length: 65_535 }), seq('')]) };
    const bomb = frame(Array.from({ length: 20 }, () => block), { independent: true });
    expect(bomb.length * 100).to.be.lessThan(20 * 65_536);
    expectThrows(() => decompressLz4Frame(bomb, 256 * 1024), KafkaDecompressionError, 'TOO_LARGE');
    expectThrows(() => decompressLz4Frame(frame([{ data: seq('abc') }], { contentSize: 10 * max }), max), KafkaDecompressionError, 'TOO_LARGE');
  });

  it('refuses every truncation with a typed error', () => {
    const content = Buffer.from('abcdabcdabcd!');
    const f = frame([{ data: Buffer.concat([seq('abcd', { offset: 4, length: 8 }), seq('!')]) }], { blockChecksums: true, contentSize: content.length, contentChecksumOf: content });
    expect(decompressLz4Frame(f, max).equals(content)).to.equal(true);
    for (let cut = 0; cut < f.length; cut++) expect(() => decompressLz4Frame(f.subarray(0, cut), max), `cut at ${cut}`).to.throw(KafkaDecompressionError);
  });

  const cliCases = [['-BD'], ['-BX', '--content-size'], ['--no-frame-crc', '-B4'], ['-9', '-BD', '-B5'], ['-B6', '--content-size', '-BX']];
  for (const args of cliCases) {
    it(`decodes frames from the lz4 command (lz4 ${args.join(' ')})`, function () {
      if (!hasLz4Command) {
        console.log('skipped: the lz4 command is not installed (apt-get install lz4)');
        this.skip();
      }
      const words = ['odlog', 'kafka', 'record', 'batch', 'offset', 'consumer'];
      const data = Buffer.from(Array.from({ length: 40_000 }, (_, i) => words[(i * 7 + (i >> 5)) % words.length]).join(' '));
      const compressed = execFileSync('lz4', ['-c', '-q', ...args], { input: data });
      expect(compressed.length).to.be.lessThan(data.length / 2);
      expect(decompressLz4Frame(compressed, 1 << 22).equals(data)).to.equal(true);
    });
  }
});
