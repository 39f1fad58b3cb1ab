import { isUtf8 } from 'node:buffer';
import { limits } from '../../limits.js';
import { ByteReader } from './ByteReader.js';
import { ProtocolDecodeError } from './ProtocolDecodeError.js';

/** Checks that bytes are a well-formed encoding of a schema, without building values. */
export type AvroGuard = (reader: ByteReader) => void;

type Schema = string | Schema[] | { type: Schema; [attr: string]: unknown };

/**
 * Compile a guard for an Avro schema. avsc trusts the counts it reads (an array claiming 2^60
 * items is looped over), so every request body is checked by its guard before avsc decodes it:
 * lengths must fit the data, array counts must fit the bytes left, union and enum indexes must
 * exist, ints must be 32-bit, strings must be valid UTF-8, and nothing may trail.
 */
export function compileGuard(schema: unknown): AvroGuard {
  const named = new Map<string, AvroGuard>();
  definitions.clear(); // compiling is synchronous: the map serves this schema only
  collectDefinitions(schema as Schema, '');
  const root = compile(schema as Schema, named, '');
  return (reader) => {
    root(reader);
    if (reader.pos !== reader.end) throw new ProtocolDecodeError(`${reader.end - reader.pos} bytes trail the message`);
  };
}

function compile(schema: Schema, named: Map<string, AvroGuard>, namespace: string): AvroGuard {
  if (typeof schema === 'string') return primitive(schema, named, namespace);
  if (Array.isArray(schema)) {
    const branches = schema.map((s) => compile(s, named, namespace));
    return (r) => {
      const index = r.readLong();
      if (index < 0 || index >= branches.length) throw new ProtocolDecodeError(`union branch ${index} does not exist`);
      branches[index](r);
    };
  }
  const type = schema.type;
  if (typeof type !== 'string') return compile(type, named, namespace);
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  switch (type) {
    case 'record':
    case 'error': {
      const fields: AvroGuard[] = [];
      const guard: AvroGuard = (r) => {
        for (const field of fields) field(r);
      };
      registerName(schema, ns, named, guard);
      for (const field of schema.fields as { type: Schema }[]) fields.push(compile(field.type, named, ns));
      return guard;
    }
    case 'array': {
      const items = compile(schema.items as Schema, named, ns);
      const itemBytesMin = minBytes(schema.items as Schema, ns, new Set());
      return (r) => blocks(r, itemBytesMin, items);
    }
    case 'map': {
      const values = compile(schema.values as Schema, named, ns);
      return (r) =>
        blocks(r, 1, (rr) => {
          rr.readBytesRange();
          values(rr);
        });
    }
    case 'enum': {
      const symbols = (schema.symbols as string[]).length;
      const guard: AvroGuard = (r) => {
        const index = r.readLong();
        if (index < 0 || index >= symbols) throw new ProtocolDecodeError(`enum index ${index} does not exist`);
      };
      registerName(schema, ns, named, guard);
      return guard;
    }
    case 'fixed': {
      const size = schema.size as number;
      const guard: AvroGuard = (r) => r.skip(size);
      registerName(schema, ns, named, guard);
      return guard;
    }
    default:
      return primitive(type, named, ns);
  }
}

function blocks(r: ByteReader, itemBytesMin: number, item: AvroGuard): void {
  let total = 0;
  for (;;) {
    let count = r.readLong();
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      const size = r.readLong();
      if (size < 0) throw new ProtocolDecodeError(`an array block size is negative (${size})`);
    }
    total += count;
    // Each item takes at least itemBytesMin bytes: a count the data cannot hold is a lie.
    if (itemBytesMin > 0 ? count * itemBytesMin > r.remaining : total > limits.avroZeroByteItemsMax) {
      throw new ProtocolDecodeError(`an array claims ${itemBytesMin > 0 ? count : total} items but only ${r.remaining} bytes remain`);
    }
    for (let i = 0; i < count; i++) item(r);
  }
}

function primitive(type: string, named: Map<string, AvroGuard>, namespace: string): AvroGuard {
  switch (type) {
    case 'null':
      return () => undefined;
    case 'boolean':
      return (r) => {
        const b = r.readByte();
        if (b > 1) throw new ProtocolDecodeError(`a boolean byte is ${b}`);
      };
    case 'int':
      return (r) => {
        const n = r.readLong();
        if (n < -0x8000_0000 || n > 0x7fff_ffff) throw new ProtocolDecodeError(`an int is out of 32-bit range (${n})`);
      };
    case 'long':
      return (r) => void r.readLong();
    case 'float':
      return (r) => r.skip(4);
    case 'double':
      return (r) => r.skip(8);
    case 'bytes':
      return (r) => void r.readBytesRange();
    case 'string':
      return (r) => {
        const [start, end] = r.readBytesRange();
        // avsc would replace invalid sequences with U+FFFD: a name would silently change.
        if (!isUtf8(r.buf.subarray(start, end))) throw new ProtocolDecodeError('a string is not valid UTF-8');
      };
    default: {
      const full = type.includes('.') ? type : namespace ? `${namespace}.${type}` : type;
      return (r) => {
        const guard = named.get(full) ?? named.get(type);
        if (guard === undefined) throw new Error(`schema refers to unknown type ${type}`);
        guard(r);
      };
    }
  }
}

function registerName(schema: { [attr: string]: unknown }, namespace: string, named: Map<string, AvroGuard>, guard: AvroGuard): void {
  const name = schema.name as string | undefined;
  if (name === undefined) return;
  named.set(name.includes('.') ? name : namespace ? `${namespace}.${name}` : name, guard);
}

/** Named types by full name, for minBytes of references (filled by collectDefinitions). */
const definitions = new Map<string, { schema: Schema; namespace: string }>();

function fullName(name: string, namespace: string): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function collectDefinitions(schema: Schema, namespace: string): void {
  if (typeof schema === 'string') return;
  if (Array.isArray(schema)) {
    for (const s of schema) collectDefinitions(s, namespace);
    return;
  }
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (typeof schema.name === 'string') definitions.set(fullName(schema.name, ns), { schema, namespace: ns });
  if (typeof schema.type !== 'string') collectDefinitions(schema.type, ns);
  for (const field of (schema.fields as { type: Schema }[] | undefined) ?? []) collectDefinitions(field.type, ns);
  if (schema.items !== undefined) collectDefinitions(schema.items as Schema, ns);
  if (schema.values !== undefined) collectDefinitions(schema.values as Schema, ns);
}

/** The fewest bytes an encoding of the schema can take (0 for a type referring to itself while being measured). */
function minBytes(schema: Schema, namespace: string, measuring: Set<string>): number {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null':
        return 0;
      case 'float':
        return 4;
      case 'double':
        return 8;
      case 'boolean':
      case 'int':
      case 'long':
      case 'bytes':
      case 'string':
        return 1;
      default: {
        const name = definitions.has(fullName(schema, namespace)) ? fullName(schema, namespace) : schema;
        const def = definitions.get(name);
        if (def === undefined || measuring.has(name)) return 0;
        measuring.add(name);
        const size = minBytes(def.schema, def.namespace, measuring);
        measuring.delete(name);
        return size;
      }
    }
  }
  if (Array.isArray(schema)) return 1;
  const type = schema.type;
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (typeof type !== 'string') return minBytes(type, ns, measuring);
  if (type === 'record' || type === 'error') {
    const name = typeof schema.name === 'string' ? fullName(schema.name, ns) : undefined;
    if (name !== undefined) measuring.add(name);
    const size = (schema.fields as { type: Schema }[]).reduce((sum, f) => sum + minBytes(f.type, ns, measuring), 0);
    if (name !== undefined) measuring.delete(name);
    return size;
  }
  if (type === 'fixed') return schema.size as number;
  if (type === 'array' || type === 'map' || type === 'enum') return 1;
  return minBytes(type, ns, measuring);
}
