import { limits } from '../../../limits.js';
import { KafkaDecodeError } from '../KafkaDecodeError.js';
import type { KafkaReader } from '../wire/KafkaReader.js';
import { nullableBytesSize, nullableStringSize, type KafkaWriter } from '../wire/KafkaWriter.js';

/**
 * How one Kafka wire type is read, sized and written. Message schemas (`struct.ts`) are built
 * from these; the schema is walked, never the input, so nesting depth is fixed by the code.
 * `read`/`size`/`write` are function-typed properties so that `KafkaType<T>` is invariant in `T`
 * (a non-nullable type cannot stand for a nullable field).
 */
export interface KafkaType<T> {
  /** For error messages. */
  readonly name: string;
  /** Whether -1 (null) is a legal encoding of this type. */
  readonly nullable: boolean;
  /** The value of a field of this type in a version that does not carry it. */
  readonly zero: T;
  readonly read: (reader: KafkaReader, version: number) => T;
  readonly size: (value: T, version: number) => number;
  readonly write: (writer: KafkaWriter, value: T, version: number) => void;
  /** The fewest bytes one value takes, to bound array counts against the bytes present. */
  readonly minBytes: (version: number) => number;
}

function fixed<T>(name: string, bytes: number, zero: T, read: (r: KafkaReader) => T, write: (w: KafkaWriter, v: T) => void): KafkaType<T> {
  return { name, nullable: false, zero, read, size: () => bytes, write, minBytes: () => bytes };
}

export const int8: KafkaType<number> = fixed('int8', 1, 0, (r) => r.int8(), (w, v) => w.int8(v));
export const int16: KafkaType<number> = fixed('int16', 2, 0, (r) => r.int16(), (w, v) => w.int16(v));
export const int32: KafkaType<number> = fixed('int32', 4, 0, (r) => r.int32(), (w, v) => w.int32(v));
/** int64 as a JavaScript number: values beyond ±(2^53 - 1) are refused on decode. */
export const int64: KafkaType<number> = fixed('int64', 8, 0, (r) => r.int64(), (w, v) => w.int64(v));
export const boolean: KafkaType<boolean> = fixed('bool', 1, false, (r) => r.boolean(), (w, v) => w.boolean(v));

export const string: KafkaType<string> = {
  name: 'string',
  nullable: false,
  zero: '',
  read: (r) => r.string(),
  size: (v) => nullableStringSize(v),
  write: (w, v) => w.nullableString(v),
  minBytes: () => 2,
};

export const nullableString: KafkaType<string | null> = {
  name: 'nullable string',
  nullable: true,
  zero: null,
  read: (r) => r.nullableString(),
  size: (v) => nullableStringSize(v),
  write: (w, v) => w.nullableString(v),
  minBytes: () => 2,
};

/** Decoded bytes are views of the request buffer: copy them to keep them past the request. */
export const bytes: KafkaType<Uint8Array> = {
  name: 'bytes',
  nullable: false,
  zero: Buffer.alloc(0),
  read: (r) => r.bytes(),
  size: (v) => nullableBytesSize(v),
  write: (w, v) => w.nullableBytes(v),
  minBytes: () => 4,
};

/** Kafka's nullable `bytes` and its `records` type (a record set carried as int32-length bytes). */
export const nullableBytes: KafkaType<Uint8Array | null> = {
  name: 'nullable bytes',
  nullable: true,
  zero: null,
  read: (r) => r.nullableBytes(),
  size: (v) => nullableBytesSize(v),
  write: (w, v) => w.nullableBytes(v),
  minBytes: () => 4,
};

const emptyArray: readonly never[] = Object.freeze([]);

function readItems<T>(reader: KafkaReader, version: number, item: KafkaType<T>, count: number): T[] {
  const out = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = item.read(reader, version);
  return out;
}

function itemsSize<T>(items: readonly T[], version: number, item: KafkaType<T>): number {
  let size = 4;
  for (const value of items) size += item.size(value, version);
  return size;
}

function writeItems<T>(writer: KafkaWriter, items: readonly T[], version: number, item: KafkaType<T>): void {
  writer.int32(items.length);
  for (const value of items) item.write(writer, value, version);
}

/**
 * An int32-counted array. The count is checked against `limits.kafkaArrayElementsMax` and
 * against the bytes left before the array is allocated.
 */
export function array<T>(item: KafkaType<T>): KafkaType<readonly T[]> {
  return {
    name: `[]${item.name}`,
    nullable: false,
    zero: emptyArray,
    read: (r, version) => {
      const count = r.arrayCount(item.minBytes(version), limits.kafkaArrayElementsMax);
      if (count === -1) throw new KafkaDecodeError('NULL_NOT_ALLOWED', `an array of ${item.name} is null (count -1) where null is not allowed`);
      return readItems(r, version, item, count);
    },
    size: (v, version) => itemsSize(v, version, item),
    write: (w, v, version) => writeItems(w, v, version, item),
    minBytes: () => 4,
  };
}

/** An int32-counted array where -1 means null. */
export function nullableArray<T>(item: KafkaType<T>): KafkaType<readonly T[] | null> {
  return {
    name: `[]${item.name} (nullable)`,
    nullable: true,
    zero: null,
    read: (r, version) => {
      const count = r.arrayCount(item.minBytes(version), limits.kafkaArrayElementsMax);
      return count === -1 ? null : readItems(r, version, item, count);
    },
    size: (v, version) => (v === null ? 4 : itemsSize(v, version, item)),
    write: (w, v, version) => {
      if (v === null) w.int32(-1);
      else writeItems(w, v, version, item);
    },
    minBytes: () => 4,
  };
}
