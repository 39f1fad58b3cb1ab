import { KafkaDecodeError } from '../KafkaDecodeError.js';
import type { KafkaReader } from '../wire/KafkaReader.js';
import type { KafkaWriter } from '../wire/KafkaWriter.js';
import type { KafkaType } from './KafkaType.js';
import { inVersions, parseVersions, type VersionRange, type VersionSpec } from './VersionRange.js';

/**
 * One field of a message, as a line of Kafka's JSON message definition: its type, the versions
 * that carry it (default all), the versions where it may be null (default: all, when the type is
 * nullable), and its value in the versions that do not carry it (default: the type's zero).
 */
export interface FieldSpec<V> {
  readonly type: KafkaType<V>;
  readonly versions?: VersionSpec;
  readonly nullableVersions?: VersionSpec;
  readonly default?: V;
}

/**
 * The fields of `T`, in wire order (object key order is the order on the wire). Every property
 * of `T` must have a field, and each field's type must be exactly the property's type: the
 * compiler checks that a message's interface and its schema agree.
 */
export type StructSpec<T> = { readonly [K in keyof T]-?: FieldSpec<T[K]> };

interface CompiledField {
  readonly name: string;
  readonly type: KafkaType<unknown>;
  readonly present: boolean;
  readonly nullable: boolean;
  readonly absentValue: unknown;
}

const MAX_VERSION = 63;

/**
 * A struct type: fields in order, each present in some versions. Decoding fills the fields a
 * version lacks with their defaults, so a decoded value always has every property; encoding
 * writes only the fields the version carries.
 *
 * @example
 * const topic = struct<{ name: string; partitions: readonly number[] }>('Topic', {
 *   name: { type: string },
 *   partitions: { type: array(int32), versions: '1+' },
 * });
 */
export function struct<T extends object>(name: string, spec: StructSpec<T>): KafkaType<T> {
  const fields = Object.entries(spec as Record<string, FieldSpec<unknown>>).map(([field, f]) => ({
    name: field,
    type: f.type,
    versions: f.versions === undefined ? { min: 0, max: Number.POSITIVE_INFINITY } : parseVersions(f.versions),
    nullableVersions: f.nullableVersions === undefined ? undefined : parseVersions(f.nullableVersions),
    absentValue: f.default === undefined ? f.type.zero : f.default,
  }));
  const plans: (readonly CompiledField[] | undefined)[] = [];
  const minBytesByVersion: number[] = [];

  const plan = (version: number): readonly CompiledField[] => {
    const cached = plans[version];
    if (cached !== undefined) return cached;
    if (!Number.isInteger(version) || version < 0 || version > MAX_VERSION) throw new RangeError(`${name}: version ${version} is out of range`);
    const compiled = fields.map((f) => ({
      name: f.name,
      type: f.type,
      present: inVersions(f.versions, version),
      nullable: f.type.nullable && (f.nullableVersions === undefined || inVersions(f.nullableVersions as VersionRange, version)),
      absentValue: f.absentValue,
    }));
    plans[version] = compiled;
    return compiled;
  };

  return {
    name,
    nullable: false,
    zero: undefined as unknown as T, // a struct field is never absent from a version without a default
    read: (reader: KafkaReader, version: number): T => {
      const out: Record<string, unknown> = {};
      for (const f of plan(version)) {
        if (!f.present) {
          out[f.name] = f.absentValue;
          continue;
        }
        const value = f.type.read(reader, version);
        if (value === null && !f.nullable) {
          throw new KafkaDecodeError('NULL_NOT_ALLOWED', `${name}.${f.name} is null, which version ${version} does not allow`);
        }
        out[f.name] = value;
      }
      return out as T;
    },
    size: (value: T, version: number): number => {
      const record = value as Record<string, unknown>;
      let size = 0;
      for (const f of plan(version)) if (f.present) size += f.type.size(fieldValue(name, f, record, version), version);
      return size;
    },
    write: (writer: KafkaWriter, value: T, version: number): void => {
      const record = value as Record<string, unknown>;
      for (const f of plan(version)) if (f.present) f.type.write(writer, fieldValue(name, f, record, version), version);
    },
    minBytes: (version: number): number => {
      let bytes = minBytesByVersion[version];
      if (bytes === undefined) {
        bytes = 0;
        for (const f of plan(version)) if (f.present) bytes += f.type.minBytes(version);
        minBytesByVersion[version] = bytes;
      }
      return bytes;
    },
  };
}

/** A field's value for encoding; a missing or misplaced null is a caller bug, reported by name. */
function fieldValue(struct: string, f: CompiledField, record: Record<string, unknown>, version: number): unknown {
  const value = record[f.name];
  if (value === undefined) throw new RangeError(`${struct}.${f.name} is missing (needed in version ${version})`);
  if (value === null && !f.nullable) throw new RangeError(`${struct}.${f.name} may not be null in version ${version}`);
  return value;
}
