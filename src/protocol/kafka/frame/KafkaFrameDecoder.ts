import { KafkaDecodeError } from '../KafkaDecodeError.js';

/**
 * Kafka frames on a byte stream:
 *
 *   Frame => Size Payload
 *     Size    => int32   bytes of Payload that follow (not counting these 4)
 *     Payload => Size bytes: a request (header + body) or a response (correlation id + body)
 */
export const frameSizeBytes = 4;

/** Where decoded frames go. */
export interface KafkaFrameSink {
  /** A whole frame's payload (without its size prefix): a view of the input when it arrived in one chunk. */
  frame(payload: Buffer): void;
  /**
   * The stream cannot go on: a size over the maximum (`FRAME_TOO_LARGE`, refused from the size
   * field before any of the payload is buffered) or a negative size (`FRAME_SIZE_NEGATIVE`).
   * Kafka brokers close the connection here; nothing more is decoded from this stream.
   */
  error(error: KafkaDecodeError): void;
}

/**
 * Bytes in, frames out: an incremental decoder for 4-byte size-prefixed Kafka frames that knows
 * nothing of sockets. Many frames in one chunk, one frame over many chunks, and any split
 * between work. Buffered bytes never exceed one maximal frame plus one chunk.
 *
 * @example
 * const decoder = new KafkaFrameDecoder(limits.frameBytesMax);
 * socket.on('data', (chunk) => decoder.push(chunk, {
 *   frame: (payload) => handle(decodeRequestHeader(payload), payload),
 *   error: (err) => { log(err.message); socket.destroy(); },
 * }));
 */
export class KafkaFrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private buffered = 0;
  private failed = false;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True while part of a frame has arrived and the rest has not. */
  get inFrame(): boolean {
    return this.buffered > 0;
  }

  /** True once an error was reported; later pushes are ignored. */
  get hasFailed(): boolean {
    return this.failed;
  }

  push(chunk: Buffer, sink: KafkaFrameSink): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= frameSizeBytes && !this.failed) {
      const size = this.peekSize();
      if (size < 0) {
        this.fail(sink, new KafkaDecodeError('FRAME_SIZE_NEGATIVE', `a frame size is negative (${size}): the stream is not the Kafka protocol`));
        return;
      }
      if (size > this.frameBytesMax) {
        this.fail(sink, new KafkaDecodeError('FRAME_TOO_LARGE', `a frame of ${size} bytes is over the ${this.frameBytesMax}-byte limit: send smaller requests (lower the client's max request size)`));
        return;
      }
      if (this.buffered < frameSizeBytes + size) return;
      this.consume(frameSizeBytes);
      sink.frame(this.take(size));
    }
  }

  private fail(sink: KafkaFrameSink, error: KafkaDecodeError): void {
    this.failed = true;
    this.chunks.length = 0;
    this.offset = 0;
    this.buffered = 0;
    sink.error(error);
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length - this.offset >= frameSizeBytes) return first.readInt32BE(this.offset);
    return this.peek(frameSizeBytes).readInt32BE(0);
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

  private take(n: number): Buffer {
    const out = n === 0 ? Buffer.alloc(0) : this.peek(n);
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
}
