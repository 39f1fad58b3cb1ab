import { bodyOffset, headerBytes, lengthBytes, readHeader, type Frame, type FrameHeader } from './FrameHeader.js';

/** Where decoded frames go. */
export interface FrameSink {
  frame(frame: Frame): void;
  /**
   * A frame longer than the maximum. Its header is given when the length left room for one; its
   * body is skipped unread (never buffered), and decoding carries on after it.
   */
  oversized(length: number, header: FrameHeader | undefined): void;
  /** The stream can no longer be parsed (a length shorter than a header); nothing more is decoded. */
  malformed(reason: string): void;
}

/**
 * Bytes in, frames out: an incremental decoder that knows nothing of sockets. Partial frames,
 * many frames in one chunk, and one frame split over many chunks all work. A length over
 * `frameBytesMax` is refused from the length field alone, before anything is allocated for it.
 *
 * @example
 * const decoder = new FrameDecoder(16 * 1024 * 1024);
 * socket.on('data', (chunk) => decoder.push(chunk, sink));
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private buffered = 0;
  private skipRemaining = 0;
  private failed = false;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True while part of a frame has arrived and the rest has not (including an oversized frame being skipped). */
  get inFrame(): boolean {
    return this.buffered > 0 || this.skipRemaining > 0;
  }

  push(chunk: Buffer, sink: FrameSink): void {
    if (this.failed || chunk.length === 0) return;
    if (this.skipRemaining > 0) {
      const skipped = Math.min(this.skipRemaining, chunk.length);
      this.skipRemaining -= skipped;
      if (skipped === chunk.length) return;
      chunk = chunk.subarray(skipped);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= lengthBytes && !this.failed) {
      const length = this.peekLength();
      if (length < headerBytes) {
        this.failed = true;
        this.discardAll();
        sink.malformed(`frame length ${length} is shorter than the ${headerBytes}-byte header`);
        return;
      }
      if (length > this.frameBytesMax) {
        if (this.buffered < bodyOffset) return; // wait for the header, to answer with its correlation id
        const header = readHeader(this.peek(bodyOffset), lengthBytes);
        const held = Math.min(this.buffered, lengthBytes + length);
        this.consume(held);
        this.skipRemaining = lengthBytes + length - held;
        sink.oversized(length, header);
        continue;
      }
      if (this.buffered < lengthBytes + length) return;
      const bytes = this.take(lengthBytes + length);
      const header = readHeader(bytes, lengthBytes);
      sink.frame({ ...header, body: bytes.subarray(bodyOffset) });
    }
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length - this.offset >= lengthBytes) return first.readUInt32BE(this.offset);
    return this.peek(lengthBytes).readUInt32BE(0);
  }

  /** The first n buffered bytes (a copy when they span chunks). */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let offset = this.offset;
    for (const chunk of this.chunks) {
      const piece = Math.min(n - filled, chunk.length - offset);
      chunk.copy(out, filled, offset, offset + piece);
      filled += piece;
      offset = 0;
      if (filled === n) break;
    }
    return out;
  }

  /** Remove and return the first n buffered bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
    } else {
      out = this.peek(n);
    }
    this.consume(n);
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const first = this.chunks[0];
      const available = first.length - this.offset;
      if (n < available) {
        this.offset += n;
        return;
      }
      n -= available;
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private discardAll(): void {
    this.chunks.length = 0;
    this.offset = 0;
    this.buffered = 0;
  }
}
