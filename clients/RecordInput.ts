import { limits } from '../src/limits.js';
import type { RecordBytes } from '../src/protocol/batch/RecordBatchCodec.js';
import type { RecordHeaderInput } from '../src/protocol/batch/RecordHeader.js';
import type { ProtocolVersion } from '../src/protocol/ProtocolVersion.js';
import { checkArray, describeValue } from './ArgumentChecks.js';
import { toBytes, type Bytes } from './Bytes.js';
import { InvalidArgumentError, ProtocolVersionError } from './errors.js';

/** A header of a record: a name and bytes (a string as UTF-8), or null. */
export interface HeaderInput {
  readonly name: string;
  readonly value: Bytes | null;
}

/**
 * A record to append: `key` names the stream, `value` is the payload, `headers` (optional, in
 * order) travel with it and come back on every read (protocol version 2).
 *
 * @example
 * const record: RecordInput = { key: 'orders', value: JSON.stringify(order), headers: [{ name: 'trace-id', value: traceId }] };
 */
export interface RecordInput {
  readonly key: Bytes;
  readonly value: Bytes;
  readonly headers?: readonly HeaderInput[];
}

/** In Unicode mode a surrogate pair is one code point: this matches only a surrogate alone, which has no UTF-8 form. */
const loneSurrogate = /[\uD800-\uDFFF]/u;

/** Names starting with this are odlog's own: the broker refuses them on appends. */
const reservedPrefix = 'odlog.';

/**
 * A record as bytes (`what` names it in messages: `record 3`; undefined: its fields are named
 * alone, as the arguments of `send`), its headers checked against the bounds the broker applies (count, name
 * length, total size, reserved names), so that one bad record is refused alone before a batch
 * is sent. Headers need protocol version 2: with a broker that speaks 1, ProtocolVersionError.
 */
export function toRecordBytes(record: unknown, what: string | undefined, version: ProtocolVersion): RecordBytes {
  if (record === null || typeof record !== 'object') throw new InvalidArgumentError(`${what ?? 'a record'} must be an object { key, value }, got ${describeValue(record)}`);
  const r = record as RecordInput;
  const field = (name: string): string => (what === undefined ? name : `${what}: ${name}`);
  const key = toBytes(r.key, field('key'));
  const value = toBytes(r.value, field('value'));
  if (r.headers === undefined || r.headers === null) return { key, value };
  const headers = checkHeaders(r.headers, field('headers'));
  if (headers.length === 0) return { key, value };
  if (version < 2) throw new ProtocolVersionError(`${what ?? 'the record'} has headers, which need protocol version 2; the broker speaks ${version}`, version);
  return { key, value, headers };
}

/** Headers as bytes, checked as the broker checks them. */
export function checkHeaders(headers: unknown, what: string): RecordHeaderInput[] {
  const list = checkArray(headers, what);
  if (list.length > limits.headersPerRecordMax) throw new InvalidArgumentError(`${what}: ${list.length} headers; a record has at most ${limits.headersPerRecordMax}`);
  // Counted as the broker stores them: 2 bytes, then 6 per header besides its name and value.
  let stored = 2;
  const out = list.map((h, i): RecordHeaderInput => {
    if (h === null || typeof h !== 'object' || typeof (h as HeaderInput).name !== 'string') throw new InvalidArgumentError(`${what}[${i}] must be { name: string, value: bytes | string | null }, got ${describeValue(h)}`);
    const { name, value } = h as HeaderInput;
    if (loneSurrogate.test(name)) throw new InvalidArgumentError(`${what}[${i}]: the name ${JSON.stringify(name)} is not well-formed Unicode (a lone surrogate), so it has no UTF-8 form`);
    const nameBytes = Buffer.byteLength(name, 'utf8');
    if (nameBytes === 0 || nameBytes > limits.headerNameBytesMax) throw new InvalidArgumentError(`${what}[${i}]: a header name is 1..${limits.headerNameBytesMax} bytes, got ${nameBytes}`);
    if (name.startsWith(reservedPrefix)) throw new InvalidArgumentError(`${what}[${i}]: header names starting with "${reservedPrefix}" are reserved for odlog; got ${JSON.stringify(name)}`);
    const bytes = value === null ? null : toBytes(value, `${what}[${i}].value`);
    stored += 6 + nameBytes + (bytes?.length ?? 0);
    return { name, value: bytes };
  });
  if (stored > limits.headerBytesPerRecordMax) throw new InvalidArgumentError(`${what}: ${stored} bytes of headers; a record holds at most ${limits.headerBytesPerRecordMax}`);
  return out;
}

/** Bytes a record takes against a batch's byte bound: key, value and (stored) header bytes. */
export function recordBytesOf(record: RecordBytes): number {
  let size = record.key.length + record.value.length;
  if (record.headers !== undefined && record.headers.length > 0) {
    size += 2;
    for (const h of record.headers) size += 6 + Buffer.byteLength(h.name, 'utf8') + (h.value?.length ?? 0);
  }
  return size;
}
