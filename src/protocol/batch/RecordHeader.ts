import { isUtf8 } from 'node:buffer';
import type { ByteReader } from '../avro/ByteReader.js';
import { longSize, writeLongAt } from '../avro/ByteWriter.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';

/** A header of a record or entry (protocol version 2): a name and bytes, or null. */
export interface RecordHeader {
  readonly name: string;
  readonly value: Buffer | null;
}

/** A header to encode: the value as bytes or null (names are UTF-8 on the wire). */
export interface RecordHeaderInput {
  readonly name: string;
  readonly value: Uint8Array | null;
}

/** Bytes the Avro array of `headers` takes (`00` alone when there are none). */
export function headersSize(headers: readonly RecordHeaderInput[] | undefined): number {
  if (headers === undefined || headers.length === 0) return 1;
  let size = longSize(headers.length) + 1;
  for (const h of headers) {
    const nameBytes = Buffer.byteLength(h.name, 'utf8');
    size += longSize(nameBytes) + nameBytes + 1 + (h.value === null ? 0 : longSize(h.value.length) + h.value.length);
  }
  return size;
}

/** Write the Avro array of `headers` at `pos` (room for headersSize assumed); returns the new position. */
export function writeHeadersAt(buf: Buffer, pos: number, headers: readonly RecordHeaderInput[] | undefined): number {
  if (headers === undefined || headers.length === 0) {
    buf[pos] = 0;
    return pos + 1;
  }
  pos = writeLongAt(buf, pos, headers.length);
  for (const h of headers) {
    const nameBytes = Buffer.byteLength(h.name, 'utf8');
    pos = writeLongAt(buf, pos, nameBytes);
    pos += buf.write(h.name, pos, 'utf8');
    if (h.value === null) buf[pos++] = 0;
    else {
      buf[pos++] = 2; // union branch 1: bytes
      pos = writeLongAt(buf, pos, h.value.length);
      buf.set(h.value, pos);
      pos += h.value.length;
    }
  }
  buf[pos++] = 0;
  return pos;
}

/**
 * Read an Avro array of headers from `reader` (any block layout); undefined when it is empty, so
 * a record without headers costs no allocation. Values are views into the reader's buffer.
 * Refuses more than `headersMax` headers in one array before allocating for them.
 */
export function readHeaders(reader: ByteReader, headersMax: number): RecordHeader[] | undefined {
  let out: RecordHeader[] | undefined;
  for (;;) {
    let count = reader.readLong();
    if (count === 0) return out;
    if (count < 0) {
      count = -count;
      const size = reader.readLong();
      if (size < 0) throw new ProtocolDecodeError(`a header block size is negative (${size})`);
    }
    // A header takes two bytes at least (an empty name, a null value).
    if ((out?.length ?? 0) + count > headersMax) throw new ProtocolDecodeError(`a record has more than ${headersMax} headers`);
    if (count * 2 > reader.remaining) throw new ProtocolDecodeError(`a header block claims ${count} headers but only ${reader.remaining} bytes remain`);
    out ??= [];
    for (let i = 0; i < count; i++) {
      const [ns, ne] = reader.readBytesRange();
      if (!isUtf8(reader.buf.subarray(ns, ne))) throw new ProtocolDecodeError('a header name is not valid UTF-8');
      const name = reader.buf.toString('utf8', ns, ne);
      const branch = reader.readLong();
      if (branch === 0) out.push({ name, value: null });
      else if (branch === 1) {
        const [vs, ve] = reader.readBytesRange();
        out.push({ name, value: reader.buf.subarray(vs, ve) });
      } else throw new ProtocolDecodeError(`union branch ${branch} does not exist (a header value is null or bytes)`);
    }
  }
}
