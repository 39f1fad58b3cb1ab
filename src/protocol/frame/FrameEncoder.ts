import type { BodySchema } from '../schema/BodySchema.js';
import { bodyOffset, writeHeader, type FrameHeader } from './FrameHeader.js';

/**
 * Encode one whole frame (length, header, Avro body) into a single buffer, so that it goes to
 * the socket in one piece.
 */
export function encodeFrame<T>(header: FrameHeader, schema: BodySchema<T>, value: T, sizeHint = 256): Buffer {
  let buf = Buffer.allocUnsafe(bodyOffset + sizeHint);
  let end = schema.encodeInto(value, buf, bodyOffset);
  if (end < 0) {
    // avsc reports the shortfall as a negative number: the exact size is now known.
    buf = Buffer.allocUnsafe(buf.length - end);
    end = schema.encodeInto(value, buf, bodyOffset);
  }
  writeHeader(buf, end - bodyOffset, header);
  return buf.subarray(0, end);
}

/** A frame around a body that is already encoded. */
export function encodeRawFrame(header: FrameHeader, body: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(bodyOffset + body.length);
  writeHeader(buf, body.length, header);
  buf.set(body, bodyOffset);
  return buf;
}
