import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { compileGuard, type AvroGuard } from './avro/AvroGuard.js';
import { ByteReader } from './avro/ByteReader.js';
import { ProtocolDecodeError } from './avro/ProtocolDecodeError.js';

/** An Avro schema from `src/protocol/schemas/<name>.avsc`, ready to encode and (safely) decode. */
export interface BodySchema<T> {
  readonly name: string;
  readonly type: avro.Type;
  readonly guard: AvroGuard;
  /** Encode `value` into `buf` at `pos`; returns the end position, or a negative shortfall. */
  encodeInto(value: T, buf: Buffer, pos: number): number;
  /** Check, then decode. Throws ProtocolDecodeError on malformed bytes. */
  decode(body: Buffer): T;
}

const schemaDir = new URL('./schemas/', import.meta.url);

/** Load one schema file (the files ship with the package; see docs/protocol.md). */
export function loadSchema<T>(name: string): BodySchema<T> {
  const json: unknown = JSON.parse(readFileSync(new URL(`${name}.avsc`, schemaDir), 'utf8'));
  const type = avro.Type.forSchema(json as avro.Schema);
  const guard = compileGuard(json);
  return {
    name,
    type,
    guard,
    encodeInto: (value, buf, pos) => type.encode(value, buf, pos),
    decode: (body) => {
      guard(new ByteReader(body));
      try {
        return type.fromBuffer(body) as T;
      } catch (error) {
        throw new ProtocolDecodeError(`${name}: ${(error as Error).message}`);
      }
    },
  };
}
