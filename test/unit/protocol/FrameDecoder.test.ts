import { expect } from 'chai';
import { FrameDecoder } from '../../../src/protocol/frame/FrameDecoder.js';
import { encodeRawFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { bodyOffset, FrameFlags, headerBytes, type FrameHeader } from '../../../src/protocol/frame/FrameHeader.js';
import { prng, randomInt } from '../../support/Random.js';
import { hex, RecordingSink, type DecoderEvent } from './protocolTestKit.js';

const frameBytesMax = 16 * 1024 * 1024;

function header(i: number): FrameHeader {
  return { messageType: 1 + (i % 15), version: 1, flags: i % 3 === 0 ? FrameFlags.Response : 0, correlationId: (0x9e37_79b9 * (i + 1)) >>> 0 };
}

function body(i: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let j = 0; j < length; j++) out[j] = (i * 31 + j * 7) & 0xff;
  return out;
}

/** n frames with bodies of assorted lengths (0 included), and the events they must decode to. */
function sampleFrames(n: number, random = prng(7)): { bytes: Buffer; expected: DecoderEvent[] } {
  const frames: Buffer[] = [];
  const expected: DecoderEvent[] = [];
  for (let i = 0; i < n; i++) {
    const length = i % 5 === 0 ? 0 : randomInt(random, 1, 300);
    const b = body(i, length);
    frames.push(encodeRawFrame(header(i), b));
    expected.push({ kind: 'frame', header: header(i), body: hex(b) });
  }
  return { bytes: Buffer.concat(frames), expected };
}

function decodeChunks(chunks: readonly Buffer[], max = frameBytesMax): { sink: RecordingSink; decoder: FrameDecoder } {
  const decoder = new FrameDecoder(max);
  const sink = new RecordingSink();
  for (const chunk of chunks) decoder.push(chunk, sink);
  return { sink, decoder };
}

/** A bare length prefix (and the header bytes after it) for hand-made streams. */
function prefix(length: number, h: FrameHeader): Buffer {
  const out = Buffer.alloc(bodyOffset);
  out.writeUInt32BE(length, 0);
  out.writeUInt8(h.messageType, 4);
  out.writeUInt8(h.version, 5);
  out.writeUInt16BE(h.flags, 6);
  out.writeUInt32BE(h.correlationId, 8);
  return out;
}

describe('FrameDecoder', () => {
  it('decodes many frames from one chunk, in order', () => {
    const { bytes, expected } = sampleFrames(200);
    const { sink, decoder } = decodeChunks([bytes]);
    expect(sink.events).to.deep.equal(expected);
    expect(decoder.inFrame).to.equal(false);
    expect(decoder.bufferedBytes).to.equal(0);
  });

  it('decodes a frame split into two chunks at every possible byte boundary', () => {
    const b = body(3, 40);
    const frame = encodeRawFrame(header(3), b);
    const expected: DecoderEvent[] = [{ kind: 'frame', header: header(3), body: hex(b) }];
    for (let cut = 1; cut < frame.length; cut++) {
      const decoder = new FrameDecoder(frameBytesMax);
      const sink = new RecordingSink();
      decoder.push(frame.subarray(0, cut), sink);
      expect(sink.events, `cut at ${cut}`).to.deep.equal([]);
      expect(decoder.inFrame, `cut at ${cut}`).to.equal(true);
      expect(decoder.bufferedBytes, `cut at ${cut}`).to.equal(cut);
      decoder.push(frame.subarray(cut), sink);
      expect(sink.events, `cut at ${cut}`).to.deep.equal(expected);
      expect(decoder.inFrame, `cut at ${cut}`).to.equal(false);
    }
  });

  it('decodes two frames split at every possible byte boundary, the second frame included', () => {
    const { bytes, expected } = sampleFrames(2, prng(3));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { sink } = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(sink.events, `cut at ${cut}`).to.deep.equal(expected);
    }
  });

  it('decodes frames fed one byte at a time, in a frame until its last byte arrives', () => {
    const { bytes, expected } = sampleFrames(12);
    const decoder = new FrameDecoder(frameBytesMax);
    const sink = new RecordingSink();
    let frameStart = 0;
    for (let i = 0; i < bytes.length; i++) {
      const before = sink.events.length;
      decoder.push(bytes.subarray(i, i + 1), sink);
      if (sink.events.length > before) {
        expect(decoder.inFrame, `after byte ${i}`).to.equal(false);
        expect(decoder.bufferedBytes).to.equal(0);
        frameStart = i + 1;
      } else {
        expect(decoder.inFrame, `after byte ${i}`).to.equal(true);
        expect(decoder.bufferedBytes).to.equal(i + 1 - frameStart);
      }
    }
    expect(sink.events).to.deep.equal(expected);
  });

  it('decodes frames split at random points exactly as the whole input (seeded, 500 runs)', () => {
    const { bytes, expected } = sampleFrames(40);
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      const chunks: Buffer[] = [];
      let at = 0;
      while (at < bytes.length) {
        // Mostly small pieces, sometimes empty ones, sometimes several frames at once.
        const r = random();
        const size = r < 0.05 ? 0 : r < 0.8 ? randomInt(random, 1, 24) : randomInt(random, 25, 900);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      const { sink, decoder } = decodeChunks(chunks);
      expect(sink.events, `seed ${seed}`).to.deep.equal(expected);
      expect(decoder.bufferedBytes, `seed ${seed}`).to.equal(0);
    }
  });

  it('decodes a frame whose body is empty (length = 8, the header alone)', () => {
    const frame = encodeRawFrame(header(0), Buffer.alloc(0));
    expect(frame.readUInt32BE(0)).to.equal(headerBytes);
    const { sink } = decodeChunks([frame]);
    expect(sink.events).to.deep.equal([{ kind: 'frame', header: header(0), body: '' }]);
  });

  it('reads the header fields big-endian, including a correlation id above 2^31', () => {
    const h = { messageType: 33, version: 1, flags: FrameFlags.Push | FrameFlags.Response | FrameFlags.Error, correlationId: 0xfedc_ba98 };
    const { sink } = decodeChunks([Buffer.from('0000000a' + '21' + '01' + '0007' + 'fedcba98' + 'abcd', 'hex')]);
    expect(sink.events).to.deep.equal([{ kind: 'frame', header: h, body: 'abcd' }]);
  });

  it('accepts a frame whose length is exactly frameBytesMax and refuses one byte longer', () => {
    const max = 64;
    const fits = encodeRawFrame(header(1), body(1, max - headerBytes));
    const over = encodeRawFrame(header(2), body(2, max - headerBytes + 1));
    const { sink } = decodeChunks([fits, over], max);
    expect(sink.events).to.deep.equal([
      { kind: 'frame', header: header(1), body: hex(body(1, max - headerBytes)) },
      { kind: 'oversized', length: max + 1, header: header(2) },
    ]);
  });

  it('reports an oversized frame with its header as soon as the header is in, without waiting for the body', () => {
    const decoder = new FrameDecoder(1024);
    const sink = new RecordingSink();
    decoder.push(prefix(1_000_000, header(5)), sink);
    expect(sink.events).to.deep.equal([{ kind: 'oversized', length: 1_000_000, header: header(5) }]);
    expect(decoder.bufferedBytes).to.equal(0);
    expect(decoder.inFrame).to.equal(true);
  });

  it('waits for the whole header of an oversized frame when the length arrives first', () => {
    const decoder = new FrameDecoder(1024);
    const sink = new RecordingSink();
    const p = prefix(5000, header(6));
    for (let i = 0; i < bodyOffset - 1; i++) {
      decoder.push(p.subarray(i, i + 1), sink);
      expect(sink.events, `after byte ${i}`).to.deep.equal([]);
      expect(decoder.bufferedBytes).to.equal(i + 1);
    }
    decoder.push(p.subarray(bodyOffset - 1), sink);
    expect(sink.events).to.deep.equal([{ kind: 'oversized', length: 5000, header: header(6) }]);
  });

  it('skips a 100 MB oversized body fed in 64 KiB chunks without buffering it, then decodes the next frame', function () {
    this.timeout(20_000);
    const claimed = 100 * 1000 * 1000;
    const decoder = new FrameDecoder(frameBytesMax);
    const sink = new RecordingSink();
    const chunkBytes = 64 * 1024;
    const zeros = Buffer.alloc(chunkBytes);
    const next = encodeRawFrame(header(9), body(9, 100));
    // The stream: the oversized frame's prefix, its body of (claimed - 8) bytes, then `next`.
    decoder.push(prefix(claimed, header(8)), sink);
    expect(sink.events).to.deep.equal([{ kind: 'oversized', length: claimed, header: header(8) }]);
    let bodyLeft = claimed - headerBytes;
    let maxBuffered = 0;
    while (bodyLeft > chunkBytes) {
      decoder.push(zeros, sink);
      bodyLeft -= chunkBytes;
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
      expect(decoder.inFrame).to.equal(true);
    }
    // The last chunk holds the end of the skipped body and the start of the next frame.
    expect(maxBuffered, 'bytes held while the oversized body streamed in').to.equal(0);
    decoder.push(Buffer.concat([zeros.subarray(0, bodyLeft), next.subarray(0, 20)]), sink);
    expect(decoder.bufferedBytes).to.equal(20);
    decoder.push(next.subarray(20), sink);
    expect(sink.events).to.deep.equal([
      { kind: 'oversized', length: claimed, header: header(8) },
      { kind: 'frame', header: header(9), body: hex(body(9, 100)) },
    ]);
    expect(decoder.inFrame).to.equal(false);
  });

  it('decodes the frames before and after an oversized frame that lies whole in one chunk', () => {
    const max = 64;
    const a = encodeRawFrame(header(1), body(1, 10));
    const big = encodeRawFrame(header(2), body(2, 200));
    const b = encodeRawFrame(header(3), body(3, 5));
    const expected: DecoderEvent[] = [
      { kind: 'frame', header: header(1), body: hex(body(1, 10)) },
      { kind: 'oversized', length: 208, header: header(2) },
      { kind: 'frame', header: header(3), body: hex(body(3, 5)) },
    ];
    const all = Buffer.concat([a, big, b]);
    expect(decodeChunks([all], max).sink.events).to.deep.equal(expected);
    for (let cut = 0; cut <= all.length; cut++) {
      expect(decodeChunks([all.subarray(0, cut), all.subarray(cut)], max).sink.events, `cut at ${cut}`).to.deep.equal(expected);
    }
  });

  it('calls malformed once for every length shorter than the header, and decodes nothing afterwards', () => {
    for (let length = 0; length < headerBytes; length++) {
      const before = encodeRawFrame(header(1), body(1, 3));
      const bad = Buffer.alloc(4 + length);
      bad.writeUInt32BE(length, 0);
      const after = encodeRawFrame(header(2), body(2, 3));
      const decoder = new FrameDecoder(frameBytesMax);
      const sink = new RecordingSink();
      decoder.push(Buffer.concat([before, bad, after]), sink);
      decoder.push(after, sink);
      decoder.push(encodeRawFrame(header(4), body(4, 100)), sink);
      expect(sink.events.map((e) => e.kind), `length ${length}`).to.deep.equal(['frame', 'malformed']);
      expect(decoder.bufferedBytes).to.equal(0);
    }
  });

  it('calls malformed when a short length arrives split over chunks', () => {
    const bad = Buffer.from('00000005', 'hex');
    const decoder = new FrameDecoder(frameBytesMax);
    const sink = new RecordingSink();
    decoder.push(bad.subarray(0, 2), sink);
    expect(sink.events).to.deep.equal([]);
    decoder.push(bad.subarray(2), sink);
    decoder.push(encodeRawFrame(header(1), body(1, 4)), sink);
    expect(sink.events.map((e) => e.kind)).to.deep.equal(['malformed']);
  });

  it('is in a frame while part of one has arrived, and not between frames', () => {
    const frame = encodeRawFrame(header(1), body(1, 30));
    const decoder = new FrameDecoder(frameBytesMax);
    const sink = new RecordingSink();
    expect(decoder.inFrame).to.equal(false);
    decoder.push(frame.subarray(0, 2), sink);
    expect(decoder.inFrame).to.equal(true);
    decoder.push(frame.subarray(2, 20), sink);
    expect(decoder.inFrame).to.equal(true);
    decoder.push(Buffer.concat([frame.subarray(20), frame]), sink);
    expect(decoder.inFrame).to.equal(false);
    expect(sink.frames).to.have.length(2);
    decoder.push(Buffer.alloc(0), sink);
    expect(decoder.inFrame).to.equal(false);
  });
});
