import { InvalidArgumentError } from '../errors.js';
import type { RecordHeader } from '../types.js';

/**
 * The headers of one record, as stored (inside a StreamRow) and as carried by a RecordBatch:
 *
 * ```
 *   u16 LE  count
 *   count x { u16 LE nameBytes, name (UTF-8), i32 LE valueBytes (-1: null), value }
 * ```
 * A record without headers has an empty block (zero bytes), so headers cost nothing when absent.
 */
export interface HeaderBounds {
  readonly headersPerRecordMax: number;
  readonly headerNameBytesMax: number;
  readonly headerBytesPerRecordMax: number;
}

/** Header names starting with this are odlog's own (the Kafka listener's record key, for one). */
export const reservedHeaderPrefix = 'odlog.';

/** A header given by a caller: the value as bytes, a UTF-8 string, or null. */
export interface HeaderInput {
  readonly name: string;
  readonly value: Uint8Array | string | null;
}

/**
 * Encode one record's headers, checking them against the bounds. `allowReserved` lets odlog's
 * own listeners set `odlog.` names; callers of the public API may not.
 */
export function encodeHeaderBlock(headers: readonly HeaderInput[], bounds: HeaderBounds, what: string, allowReserved = false): Buffer {
  if (!Array.isArray(headers)) throw new InvalidArgumentError(`${what} headers must be an array of { name, value }`);
  if (headers.length === 0) return emptyBlock;
  if (headers.length > bounds.headersPerRecordMax) {
    throw new InvalidArgumentError(`${what} has ${headers.length} headers; at most ${bounds.headersPerRecordMax} are allowed`);
  }
  const names: Buffer[] = [];
  const values: (Buffer | null)[] = [];
  let size = 2;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h === null || typeof h !== 'object' || typeof h.name !== 'string') throw new InvalidArgumentError(`${what} header ${i} must be { name: string, value: bytes | string | null }`);
    if (!allowReserved && h.name.startsWith(reservedHeaderPrefix)) {
      throw new InvalidArgumentError(`${what} header ${JSON.stringify(h.name)}: names starting with "${reservedHeaderPrefix}" are reserved for odlog`);
    }
    const name = Buffer.from(h.name, 'utf8');
    if (name.length === 0 || name.length > bounds.headerNameBytesMax) {
      throw new InvalidArgumentError(`${what} header ${i} has a ${name.length}-byte name; names are 1..${bounds.headerNameBytesMax} bytes`);
    }
    const value = h.value === null ? null : typeof h.value === 'string' ? Buffer.from(h.value, 'utf8') : h.value instanceof Uint8Array ? Buffer.from(h.value.buffer, h.value.byteOffset, h.value.byteLength) : undefined;
    if (value === undefined) throw new InvalidArgumentError(`${what} header ${JSON.stringify(h.name)} has a value that is not bytes, a string or null`);
    names.push(name);
    values.push(value);
    size += 2 + name.length + 4 + (value === null ? 0 : value.length);
  }
  if (size > bounds.headerBytesPerRecordMax) {
    throw new InvalidArgumentError(`${what} has ${size} bytes of headers; at most ${bounds.headerBytesPerRecordMax} are allowed`);
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt16LE(headers.length, 0);
  let at = 2;
  for (let i = 0; i < names.length; i++) {
    out.writeUInt16LE(names[i].length, at);
    at += 2;
    at += names[i].copy(out, at);
    const value = values[i];
    out.writeInt32LE(value === null ? -1 : value.length, at);
    at += 4;
    if (value !== null) at += value.copy(out, at);
  }
  return out;
}

const emptyBlock = Buffer.alloc(0);

/** Decode a block written by `encodeHeaderBlock`; values are views into `buf`. */
export function decodeHeaderBlock(buf: Buffer, start: number, end: number): RecordHeader[] {
  if (end <= start) return [];
  const count = buf.readUInt16LE(start);
  const out: RecordHeader[] = new Array(count);
  let at = start + 2;
  for (let i = 0; i < count; i++) {
    const nameBytes = buf.readUInt16LE(at);
    at += 2;
    const name = buf.toString('utf8', at, at + nameBytes);
    at += nameBytes;
    const valueBytes = buf.readInt32LE(at);
    at += 4;
    if (valueBytes < 0) out[i] = { name, value: null };
    else {
      out[i] = { name, value: buf.subarray(at, at + valueBytes) };
      at += valueBytes;
    }
  }
  return out;
}
