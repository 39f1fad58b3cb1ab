import { KafkaReader } from '../wire/KafkaReader.js';
import { KafkaWriter, nullableStringSize } from '../wire/KafkaWriter.js';
import { frameSizeBytes } from './KafkaFrameDecoder.js';

/**
 * The request header at the start of every request payload.
 *
 *   RequestHeader v1 => ApiKey ApiVersion CorrelationId ClientId
 *     ApiKey        => int16
 *     ApiVersion    => int16
 *     CorrelationId => int32
 *     ClientId      => nullable string (int16 length, -1 = null)
 *
 *   RequestHeader v2 (flexible requests) => v1 fields, then TaggedFields (unsigned varint count, ...)
 *
 * Version 1 is the header of every non-flexible request, which is all odlog decodes. A flexible
 * request (for example ApiVersions v3, which librdkafka and the Java client send first) has the
 * same four fields and then tagged fields: decodeRequestHeader reads it alike, so the listener
 * knows the API, version and correlation id and can answer (ApiVersions: UNSUPPORTED_VERSION,
 * `apis/apiVersions.ts`) without decoding the body. Header v0 (no ClientId) is used only by
 * ControlledShutdown v0, a broker-to-broker request odlog never receives.
 */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Where the body starts in the payload (for a flexible request: where its tagged fields start). */
  readonly bodyOffset: number;
}

/** The fixed part of the header: apiKey, apiVersion, correlationId. */
export const requestHeaderFixedBytes = 8;

/**
 * Decode the header of a request payload (a frame without its size prefix).
 * Throws KafkaDecodeError (TRUNCATED) when the payload is shorter than its header.
 *
 * @example
 * const header = decodeRequestHeader(payload);
 * if (header.apiKey === ApiKey.ApiVersions && header.apiVersion > 2) socket.write(encodeApiVersionsUnsupported(header.correlationId));
 */
export function decodeRequestHeader(payload: Buffer): RequestHeader {
  const reader = new KafkaReader(payload);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: reader.pos };
}

/** Bytes of a v1 request header. */
export function requestHeaderSize(clientId: string | null): number {
  return requestHeaderFixedBytes + nullableStringSize(clientId);
}

/** Fields a client sets in a request header. */
export interface RequestHeaderFields {
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * A whole request frame (size prefix, header v1, body) in one buffer, for clients and tests.
 * `writeBody` must write exactly `bodySize` bytes.
 */
export function encodeRequestFrame(apiKey: number, apiVersion: number, header: RequestHeaderFields, bodySize: number, writeBody: (w: KafkaWriter) => void): Buffer {
  const payloadSize = requestHeaderSize(header.clientId) + bodySize;
  const w = new KafkaWriter(frameSizeBytes + payloadSize);
  w.int32(payloadSize);
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(header.correlationId);
  w.nullableString(header.clientId);
  writeBody(w);
  return w.finish();
}

