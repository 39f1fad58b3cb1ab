import { expect } from 'chai';
import { KafkaDecompressionError } from '../../../../src/protocol/kafka/compression/KafkaDecompressionError.js';
import { decompressSnappy } from '../../../../src/protocol/kafka/compression/snappy.js';
import { expectThrows } from './kafkaTestKit.js';

/** Unsigned little-endian base-128 varint (the snappy preamble). */
function preamble(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A literal element; `extraLengthBytes` 0 puts length-1 in the tag (< 60), 1-4 use tags 60-63. */
function literal(text: string | Buffer, extraLengthBytes = 0): Buffer {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const n = bytes.length - 1;
  if (extraLengthBytes === 0) {
    expect(n).to.be.lessThan(60);
    return Buffer.concat([Buffer.from([n << 2]), bytes]);
  }
  const len = Buffer.alloc(extraLengthBytes);
  len.writeUIntLE(n, 0, extraLengthBytes);
  return Buffer.concat([Buffer.from([(59 + extraLengthBytes) << 2]), len, bytes]);
}

/** Copy with a 1-byte offset (tag 01): length 4-11, offset < 2048. */
function copy1(length: number, offset: number): Buffer {
  return Buffer.from([0b01 | ((length - 4) << 2) | ((offset >> 8) << 5), offset & 0xff]);
}

/** Copy with a 2-byte offset (tag 10): length 1-64. */
function copy2(length: number, offset: number): Buffer {
  return Buffer.from([0b10 | ((length - 1) << 2), offset & 0xff, offset >> 8]);
}

/** Copy with a 4-byte offset (tag 11): length 1-64. */
function copy4(length: number, offset: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = 0b11 | ((length - 1) << 2);
  out.writeUInt32LE(offset, 1);
  return out;
}

function block(length: number, ...elements: Buffer[]): Buffer {
  return Buffer.concat([preamble(length), ...elements]);
}

function xerial(...blocks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  return Buffer.concat([header, ...blocks.flatMap((b) => [Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b])]);
}

const max = 1 << 20;

describe('snappy decompression', () => {
  it('decodes a literal with its length in the tag', () => {
    expect(decompressSnappy(block(5, literal('hello')), max).toString()).to.equal('hello');
  });

  it('decodes literals whose length follows the tag in 1, 2, 3 and 4 bytes', () => {
    for (const extra of [1, 2, 3, 4]) {
      const text = Buffer.alloc([0, 200, 60_000, 70_000, 70_000][extra], 'x'.charCodeAt(0) + extra);
      expect(decompressSnappy(block(text.length, literal(text, extra)), max).equals(text), `${extra} length bytes`).to.equal(true);
    }
  });

  it('decodes copies with 1-, 2- and 4-byte offsets, including copies that overlap themselves', () => {
    expect(decompressSnappy(block(12, literal('abcd'), copy1(8, 4)), max).toString()).to.equal('abcdabcdabcd');
    expect(decompressSnappy(block(11, literal('x'), copy2(10, 1)), max).toString()).to.equal('xxxxxxxxxxx');
    expect(decompressSnappy(block(9, literal('abc'), copy4(6, 3)), max).toString()).to.equal('abcabcabc');
    // A 1-byte-offset copy reaching 1000 back (offset bits 8-10 in the tag).
    const prefix = Buffer.from(Array.from({ length: 1000 }, (_, i) => 65 + (i % 26)));
    const out = decompressSnappy(block(1004, literal(prefix, 2), copy1(4, 1000)), max);
    expect(out.subarray(1000).toString()).to.equal('ABCD');
  });

  it('decodes the xerial framing with several chunks', () => {
    const stream = xerial(block(5, literal('hello')), block(6, literal(' world')), block(3, literal('!'), copy2(2, 1)));
    expect(decompressSnappy(stream, max).toString()).to.equal('hello world!!!');
  });

  it('keeps xerial chunks apart: a copy may not reach into the previous chunk', () => {
    expectThrows(() => decompressSnappy(xerial(block(5, literal('hello')), block(3, copy2(3, 5))), max), KafkaDecompressionError, 'MALFORMED');
  });

  it('refuses copies that reach before the output or past the declared length', () => {
    expectThrows(() => decompressSnappy(block(5, literal('ab'), copy2(3, 0)), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressSnappy(block(5, literal('ab'), copy2(3, 3)), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressSnappy(block(5, literal('ab'), copy2(4, 2)), max), KafkaDecompressionError, 'MALFORMED');
    expectThrows(() => decompressSnappy(block(2, literal('abc')), max), KafkaDecompressionError, 'MALFORMED');
  });

  it('refuses a block that decodes shorter than its preamble says', () => {
    expectThrows(() => decompressSnappy(block(10, literal('abc')), max), KafkaDecompressionError, 'TRUNCATED');
  });

  it('refuses a declared length over the bound before allocating it', () => {
    expectThrows(() => decompressSnappy(block(2 ** 32 - 1, literal('a')), max), KafkaDecompressionError, 'TOO_LARGE');
    expectThrows(() => decompressSnappy(xerial(block(600_000, literal('a')), block(600_000, literal('a'))), max), KafkaDecompressionError, 'TOO_LARGE');
    expectThrows(() => decompressSnappy(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), max), KafkaDecompressionError, 'MALFORMED');
  });

  it('refuses every truncation of a raw block, and of a xerial stream except between chunks, with a typed error', () => {
    const raw = block(1004, literal(Buffer.alloc(1000, 0x41), 2), copy1(4, 1000));
    for (let cut = 0; cut < raw.length; cut++) expect(() => decompressSnappy(raw.subarray(0, cut), max), `cut at ${cut}`).to.throw(KafkaDecompressionError);
    const first = block(5, literal('hello'));
    const framed = xerial(first, block(9, literal('abc'), copy4(6, 3)));
    const betweenChunks = 16 + 4 + first.length;
    for (let cut = 0; cut < framed.length; cut++) {
      if (cut === betweenChunks) {
        // The xerial framing has no end mark: a stream cut between chunks is a shorter valid stream.
        expect(decompressSnappy(framed.subarray(0, cut), max).toString()).to.equal('hello');
        continue;
      }
      expect(() => decompressSnappy(framed.subarray(0, cut), max), `cut at ${cut}`).to.throw(KafkaDecompressionError);
    }
  });
});
