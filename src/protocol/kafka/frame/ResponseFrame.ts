import { KafkaReader } from '../wire/KafkaReader.js';
import { KafkaWriter } from '../wire/KafkaWriter.js';
import { frameSizeBytes } from './KafkaFrameDecoder.js';

/**
 * A response frame. Every non-flexible response (and every ApiVersions response, whatever its
 * version) uses response header v0:
 *
 *   Frame => Size CorrelationId Body
 *     Size          => int32   bytes that follow
 *     CorrelationId => int32   copied from the request header
 *     Body          => the API's response body for the request's version
 */
export const responseHeaderBytes = 4;

/**
 * A whole response frame in one buffer, ready for `socket.write`. `writeBody` must write
 * exactly `bodySize` bytes.
 */
export function encodeResponseFrame(correlationId: number, bodySize: number, writeBody: (w: KafkaWriter) => void): Buffer {
  const w = new KafkaWriter(frameSizeBytes + responseHeaderBytes + bodySize);
  w.int32(responseHeaderBytes + bodySize);
  w.int32(correlationId);
  writeBody(w);
  return w.finish();
}

/** Split a response payload (a frame without its size prefix) into correlation id and body. */
export function decodeResponseHeader(payload: Buffer): { correlationId: number; bodyOffset: number } {
  const reader = new KafkaReader(payload);
  const correlationId = reader.int32();
  return { correlationId, bodyOffset: reader.pos };
}
