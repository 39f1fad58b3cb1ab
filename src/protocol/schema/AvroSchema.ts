/**
 * Avro schemas as TypeScript constants, and the TypeScript type of the values they encode.
 *
 * A message body is defined once, as a schema constant (`as const`); its value type is derived
 * from it with `AvroValue`, so the schema on the wire and the type the code handles cannot
 * disagree. The `.avsc` files for other languages are generated from the same constants
 * (`npm run schemas`; a test fails when a checked-in file differs).
 *
 * @example
 * const pingRequest = { type: 'record', name: 'PingRequest', namespace: 'odlog', fields: [{ name: 'timeMs', type: 'long' }] } as const satisfies AvroRecord;
 * type PingRequest = AvroValue<typeof pingRequest>; // { readonly timeMs: number }
 */

/** The primitive types the protocol uses (no float, no map, no fixed). */
export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'double' | 'bytes' | 'string';

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  /** For schema resolution only: on the wire every field is always written. */
  readonly default?: unknown;
  readonly doc?: string;
}

export interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  /** Former names, so that a body of an older version resolves to this one. */
  readonly aliases?: readonly string[];
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

export interface AvroArray {
  readonly type: 'array';
  readonly items: AvroSchema;
  readonly doc?: string;
}

export interface AvroEnum {
  readonly type: 'enum';
  readonly name: string;
  readonly symbols: readonly string[];
  readonly doc?: string;
}

/** A union: its branches, e.g. `['null', 'long']`. */
export type AvroUnion = readonly AvroSchema[];

export type AvroSchema = AvroPrimitive | AvroRecord | AvroArray | AvroEnum | AvroUnion;

interface PrimitiveValues {
  null: null;
  boolean: boolean;
  int: number;
  long: number;
  double: number;
  bytes: Buffer;
  string: string;
}

/** The TypeScript type of the values a schema encodes (as avsc reads and writes them). */
export type AvroValue<S> = S extends keyof PrimitiveValues
  ? PrimitiveValues[S]
  : S extends readonly (infer Branch)[]
    ? AvroValue<Branch>
    : S extends { readonly type: 'record'; readonly fields: infer Fields extends readonly AvroField[] }
      ? { readonly [F in Fields[number] as F['name']]: AvroValue<F['type']> }
      : S extends { readonly type: 'array'; readonly items: infer Items }
        ? AvroValue<Items>[]
        : S extends { readonly type: 'enum'; readonly symbols: readonly (infer Symbol)[] }
          ? Symbol
          : never;
