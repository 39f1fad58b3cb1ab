import avro from 'avsc';
import { compileGuard, type AvroGuard } from '../avro/AvroGuard.js';
import { ByteReader } from '../avro/ByteReader.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';
import { latestProtocolVersion, protocolVersions, type ProtocolVersion } from '../ProtocolVersion.js';
import type { AvroSchema, AvroValue } from './AvroSchema.js';

/** One body schema in one protocol version, ready to encode and (safely) decode values of type T. */
export interface BodySchema<T> {
  /** The file it is published as (without `.avsc`). */
  readonly name: string;
  /** The avsc type of the bytes on the wire in this version. */
  readonly type: avro.Type;
  readonly guard: AvroGuard;
  /** Encode `value` into `buf` at `pos`; returns the end position, or a negative shortfall. */
  encodeInto(value: T, buf: Buffer, pos: number): number;
  /** Check, then decode. Throws ProtocolDecodeError on malformed bytes. */
  decode(body: Buffer): T;
}

/** A schema constant with the file name it is published under in `src/protocol/schemas/`. */
export interface PublishedSchema<S extends AvroSchema = AvroSchema> {
  readonly file: string;
  readonly schema: S;
}

/** `schema`, to be published as `src/protocol/schemas/<file>.avsc`. */
export function published<S extends AvroSchema>(file: string, schema: S): PublishedSchema<S> {
  return { file, schema };
}

/**
 * A body in every protocol version. Its value type is the newest version's: an older version's
 * bytes are read into it (fields that version lacks take their schema defaults, by Avro schema
 * resolution) and written from it (fields that version lacks are left out). So a new version adds
 * fields with defaults, and the code handles one type.
 */
export interface VersionedBody<T> {
  at(version: ProtocolVersion): BodySchema<T>;
  /** The schema of each version (the same object where a version did not change it). */
  readonly byVersion: { readonly [V in ProtocolVersion]: PublishedSchema };
}

/** The schemas of a body, by version. */
export type SchemaTable = { readonly [V in ProtocolVersion]: PublishedSchema };

/** A body whose schema is the same in every version. */
export function everyVersion<S extends AvroSchema>(body: PublishedSchema<S>): VersionedBody<AvroValue<S>> {
  const table = {} as { [V in ProtocolVersion]: PublishedSchema };
  for (const v of protocolVersions) table[v] = body;
  return versioned<AvroValue<S>>(table);
}

/**
 * A body whose schema changed between versions: one entry per version (repeat the previous one
 * where it did not change). The value type is the newest version's.
 *
 * @example
 * export const Scan = defineMessage(MessageType.Scan, 'Scan', byVersion({ 1: scanRequestV1, 2: scanRequestV2 }), everyVersion(scanResponse));
 */
export function byVersion<Table extends SchemaTable>(table: Table): VersionedBody<AvroValue<Table[typeof latestProtocolVersion]['schema']>> {
  return versioned(table);
}

function versioned<T>(table: SchemaTable): VersionedBody<T> {
  const latest = table[latestProtocolVersion];
  const latestType = avro.Type.forSchema(latest.schema as avro.Schema);
  const compiled = new Map<PublishedSchema, BodySchema<T>>();
  const byVersionCompiled = {} as { [V in ProtocolVersion]: BodySchema<T> };
  for (const v of protocolVersions) {
    const body = table[v];
    let schema = compiled.get(body);
    if (schema === undefined) {
      schema = compile<T>(body, body === latest ? undefined : latestType);
      compiled.set(body, schema);
    }
    byVersionCompiled[v] = schema;
  }
  return {
    byVersion: table,
    at: (version) => {
      const schema = byVersionCompiled[version];
      if (schema === undefined) throw new RangeError(`protocol version ${String(version)} does not exist`);
      return schema;
    },
  };
}

/** One published schema on its own (no resolution to another version), e.g. to test every schema file. */
export function compileBody<T = unknown>(body: PublishedSchema): BodySchema<T> {
  return compile<T>(body, undefined);
}

/** Compile one version's schema; `reader` is the newest version's type when this one is older. */
function compile<T>(body: PublishedSchema, reader: avro.Type | undefined): BodySchema<T> {
  const type = avro.Type.forSchema(body.schema as avro.Schema);
  const guard = compileGuard(body.schema);
  const resolver = reader?.createResolver(type);
  const into = reader ?? type;
  return {
    name: body.file,
    type,
    guard,
    encodeInto: (value, buf, pos) => type.encode(value, buf, pos),
    decode: (bytes) => {
      guard(new ByteReader(bytes));
      try {
        return (resolver !== undefined ? into.fromBuffer(bytes, resolver) : type.fromBuffer(bytes)) as T;
      } catch (error) {
        throw new ProtocolDecodeError(`${body.file}: ${(error as Error).message}`);
      }
    },
  };
}
