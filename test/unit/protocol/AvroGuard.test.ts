import avro from 'avsc';
import { expect } from 'chai';
import { compileGuard } from '../../../src/protocol/avro/AvroGuard.js';
import { ByteReader } from '../../../src/protocol/avro/ByteReader.js';
import { ProtocolDecodeError } from '../../../src/protocol/avro/ProtocolDecodeError.js';
import { publishedSchemas } from '../../../src/protocol/catalogue.js';
import { compileBody, type BodySchema } from '../../../src/protocol/schema/BodySchema.js';
import { prng, randomInt } from '../../support/Random.js';
import { expectDecodeError, fromHex, hex, plain } from './protocolTestKit.js';

/** The zig-zag varint of `n` (exact, for hand-built bodies). */
function long(n: number | bigint): string {
  let z = BigInt(n) >= 0n ? BigInt(n) << 1n : (-BigInt(n) << 1n) - 1n;
  let out = '';
  while (z >= 0x80n) {
    out += (Number(z & 0x7fn) | 0x80).toString(16).padStart(2, '0');
    z >>= 7n;
  }
  return out + Number(z).toString(16).padStart(2, '0');
}

function guardOf(schema: unknown): (bytes: Buffer) => void {
  const guard = compileGuard(schema);
  return (bytes) => guard(new ByteReader(bytes));
}

function randomValue(schema: BodySchema<unknown>): unknown {
  // avsc's typings declare random() as returning a Type; it returns a value of the type.
  return schema.type.random() as unknown;
}

/** Every schema the protocol publishes, by file name (without `.avsc`). */
const schemaNames = publishedSchemas().map((p) => p.file);

/** A published schema, compiled on its own. */
function loadSchema<T = unknown>(name: string): BodySchema<T> {
  const found = publishedSchemas().find((p) => p.file === name);
  if (found === undefined) throw new Error(`no published schema ${name}`);
  return compileBody<T>(found);
}

describe('AvroGuard and the published schemas', () => {
  it('publishes every protocol schema', () => {
    expect(schemaNames.length).to.be.at.least(31);
    for (const name of ['hello.request', 'append.request', 'record-batch', 'entry-batch', 'key-entry-batch', 'error.response']) {
      expect(schemaNames).to.include(name);
    }
  });

  describe('every schema file', () => {
    for (const name of schemaNames) {
      describe(name, () => {
        const schema = loadSchema<unknown>(name);

        it('passes the guard with avsc encodings of random values, and decodes them back equal', () => {
          for (let i = 0; i < 200; i++) {
            const value = randomValue(schema);
            const bytes = schema.type.toBuffer(value);
            const what = `${name} ${JSON.stringify(plain(value))}`;
            schema.guard(new ByteReader(bytes));
            const decoded = schema.decode(bytes);
            expect(plain(decoded), what).to.deep.equal(plain(value));
            expect(schema.type.isValid(decoded), what).to.equal(true);
            expect(hex(schema.type.toBuffer(decoded)), what).to.equal(hex(bytes));
          }
        });

        it('encodes with encodeInto at an offset, and reports the shortfall when the buffer is small', () => {
          const value = randomValue(schema);
          const bytes = schema.type.toBuffer(value);
          const big = Buffer.alloc(bytes.length + 20);
          expect(schema.encodeInto(value, big, 7)).to.equal(7 + bytes.length);
          expect(hex(big.subarray(7, 7 + bytes.length))).to.equal(hex(bytes));
          if (bytes.length > 0) expect(schema.encodeInto(value, Buffer.alloc(bytes.length - 1), 0)).to.be.below(0);
        });

        it('refuses every truncation and any trailing byte with ProtocolDecodeError', () => {
          for (let i = 0; i < 20; i++) {
            const bytes = schema.type.toBuffer(randomValue(schema));
            for (let length = 0; length < bytes.length; length++) {
              const cut = bytes.subarray(0, length);
              expectDecodeError(() => schema.guard(new ByteReader(cut)), `${name} guard, ${length} of ${bytes.length} bytes`);
              expectDecodeError(() => schema.decode(cut), `${name} decode, ${length} of ${bytes.length} bytes`);
            }
            const trailing = Buffer.concat([bytes, Buffer.from([0])]);
            expectDecodeError(() => schema.guard(new ByteReader(trailing)), `${name} trailing byte`);
            expectDecodeError(() => schema.decode(trailing), `${name} trailing byte`);
          }
        });

        it('answers mutated bodies only with a value or a ProtocolDecodeError, and what the guard passes avsc decodes', () => {
          const random = prng(name.length * 7919 + 1);
          for (let i = 0; i < 300; i++) {
            const bytes = Buffer.from(schema.type.toBuffer(randomValue(schema)));
            if (bytes.length === 0) continue;
            for (let flips = randomInt(random, 1, 3); flips > 0; flips--) bytes[randomInt(random, 0, bytes.length - 1)] = randomInt(random, 0, 255);
            let guarded = true;
            try {
              schema.guard(new ByteReader(bytes));
            } catch (error) {
              expect(error, `${name} guard of ${hex(bytes)}`).to.be.instanceOf(ProtocolDecodeError);
              guarded = false;
            }
            if (guarded) {
              // avsc refuses longs beyond +-(2^53-2) that the guard lets through; nothing else may fail.
              try {
                schema.type.fromBuffer(bytes);
              } catch (error) {
                expect((error as Error).message, `${name}: avsc failed on guarded ${hex(bytes)}`).to.match(/precision loss/);
              }
            }
            try {
              schema.decode(bytes);
            } catch (error) {
              expect(error, `${name} decode of ${hex(bytes)}`).to.be.instanceOf(ProtocolDecodeError);
            }
          }
        });
      });
    }
  });

  describe('refuses lies in message bodies', () => {
    const hello = loadSchema('hello.request');
    const subscribe = loadSchema('subscribe.request');
    const listKeys = loadSchema('list-keys.response');
    const count = loadSchema('count.request');
    const appendResponse = loadSchema('append.response');
    const credit = loadSchema('credit.request');
    const stats = loadSchema('stats.response');
    const getCursor = loadSchema('get-cursor.response');

    it('refuses a union index that does not exist (2 of a two-branch union, and -1)', () => {
      expect(plain(hello.decode(fromHex('02' + '00' + '00')))).to.deep.equal(plain({ protocolVersion: 1, clientId: '', authToken: null }));
      expectDecodeError(() => hello.decode(fromHex('02' + '00' + '04')), 'index 2');
      expectDecodeError(() => hello.decode(fromHex('02' + '00' + '01')), 'index -1');
      expectDecodeError(() => count.decode(fromHex('0261' + '00' + long(2 ** 40))), 'index 2^40');
    });

    it('refuses an enum index out of range (3 of EARLIEST, LATEST, SEQUENCE, and -1)', () => {
      const body = (fromIndex: string): Buffer => fromHex('02' + '00' + '00' + fromIndex + '00' + '00' + '00' + '00');
      expect((subscribe.decode(body('04')) as { from: string }).from).to.equal('SEQUENCE');
      expectDecodeError(() => subscribe.decode(body('06')), 'index 3');
      expectDecodeError(() => subscribe.decode(body('01')), 'index -1');
    });

    it('refuses an array count of 2^40 at once, in a plain or a sized (negative-count) block', () => {
      const started = performance.now();
      expectDecodeError(() => listKeys.decode(fromHex(long(2 ** 40) + '00' + '00')), 'count 2^40');
      expectDecodeError(() => listKeys.decode(fromHex(long(-(2 ** 40)) + long(10) + '00' + '00')), 'count -2^40');
      expectDecodeError(() => listKeys.decode(fromHex(long(2 ** 52) + '0261'.repeat(100) + '00' + '00')), 'count 2^52');
      const statsBody = stats.type.toBuffer(randomValue(stats));
      // Replace the trailing cursors array (its terminator is the last byte) with a lying count.
      const lying = Buffer.concat([statsBody.subarray(0, statsBody.length - 1), fromHex(long(2 ** 40)), Buffer.alloc(64)]);
      expectDecodeError(() => stats.guard(new ByteReader(lying)), 'stats cursors 2^40');
      expect(performance.now() - started).to.be.below(1000);
    });

    it('refuses an array count larger than the bytes left can hold', () => {
      // Three keys claimed, two bytes left.
      expectDecodeError(() => listKeys.guard(new ByteReader(fromHex('06' + '0261'))), 'count 3, two bytes');
      expect(plain(listKeys.decode(fromHex('04' + '0261' + '0262' + '00' + '01')))).to.deep.equal(plain({ keys: [Buffer.from('a'), Buffer.from('b')], more: true }));
    });

    it('refuses a negative bytes length', () => {
      expectDecodeError(() => count.decode(fromHex('01' + '00' + '00')), 'key length -1');
      expectDecodeError(() => count.decode(fromHex(long(-(2 ** 40)) + '00' + '00')), 'key length -2^40');
    });

    it('refuses a bytes length that runs past the end', () => {
      expectDecodeError(() => count.decode(fromHex(long(2 ** 40) + '00' + '00')), 'key length 2^40');
      expectDecodeError(() => count.decode(fromHex('0a' + '6162' + '00' + '00')), 'key length 5 of 2');
    });

    it('refuses a boolean byte other than 0 or 1', () => {
      expect(plain(appendResponse.decode(fromHex('02' + '04' + '01')))).to.deep.equal(plain({ startSequence: 1, count: 2, duplicate: true }));
      expectDecodeError(() => appendResponse.decode(fromHex('02' + '04' + '02')), 'boolean 2');
      expectDecodeError(() => appendResponse.decode(fromHex('02' + '04' + 'ff')), 'boolean 255');
    });

    it('refuses an int outside 32 bits, and accepts its bounds', () => {
      const body = (subscriptionId: number): Buffer => fromHex(long(subscriptionId) + '00' + '00');
      expect(plain(credit.decode(body(2 ** 31 - 1)))).to.deep.equal(plain({ subscriptionId: 2 ** 31 - 1, records: 0, bytes: 0 }));
      expect(plain(credit.decode(body(-(2 ** 31))))).to.deep.equal(plain({ subscriptionId: -(2 ** 31), records: 0, bytes: 0 }));
      expectDecodeError(() => credit.decode(body(2 ** 31)), 'int 2^31');
      expectDecodeError(() => credit.decode(body(-(2 ** 31) - 1)), 'int -2^31-1');
      expectDecodeError(() => credit.decode(body(2 ** 40)), 'int 2^40');
    });

    it('refuses a long beyond what a JavaScript number holds exactly', () => {
      expectDecodeError(() => credit.decode(fromHex('02' + '02' + long(2n ** 53n))), 'long 2^53');
      expectDecodeError(() => credit.decode(fromHex('02' + '02' + long(2n ** 63n - 1n))), 'long 2^63-1');
      expectDecodeError(() => credit.decode(fromHex('02' + '02' + 'ff'.repeat(10) + '01')), '11-byte long');
    });

    it('checks a nested record behind a union branch', () => {
      expect(plain(getCursor.decode(fromHex('00')))).to.deep.equal(plain({ cursor: null }));
      const cursor = '02' + '0263' + '0a' + '00' + '00' + '06';
      expect(plain(getCursor.decode(fromHex(cursor)))).to.deep.equal({ cursor: { name: 'c', sequence: 5, keys: [], prefix: null, updatedAtMs: 3 } });
      expectDecodeError(() => getCursor.decode(fromHex(cursor.slice(0, -2))), 'cut in the record');
      expectDecodeError(() => getCursor.decode(fromHex('04')), 'branch 2');
    });
  });

  describe('compileGuard on schemas the protocol does not use yet', () => {
    it('checks maps: entries, values and lying counts', () => {
      const schema = { type: 'map', values: 'long' };
      const guard = guardOf(schema);
      const bytes = avro.Type.forSchema(schema as avro.Schema).toBuffer({ a: 1, bc: -2 });
      guard(bytes);
      expectDecodeError(() => guard(fromHex(long(2 ** 40) + '0261' + '02' + '00')), 'map count 2^40');
      expectDecodeError(() => guard(fromHex('02' + '0461' + '02' + '00')), 'map key cut');
    });

    it('checks fixed, float and double sizes', () => {
      const guard = guardOf({ type: 'record', name: 'R', fields: [
        { name: 'f', type: { type: 'fixed', name: 'F', size: 4 } },
        { name: 'x', type: 'float' },
        { name: 'y', type: 'double' },
      ] });
      guard(Buffer.alloc(16));
      for (let length = 0; length < 16; length++) expectDecodeError(() => guard(Buffer.alloc(length)), `${length} bytes`);
      expectDecodeError(() => guard(Buffer.alloc(17)), 'trailing');
    });

    it('follows named and recursive types, by short and by full name', () => {
      const schema = {
        type: 'record', name: 'Node', namespace: 'x.y', fields: [
          { name: 'value', type: 'int' },
          { name: 'next', type: ['null', 'Node'] },
          { name: 'other', type: ['null', 'x.y.Node'] },
        ],
      };
      const type = avro.Type.forSchema(schema as avro.Schema);
      const guard = guardOf(schema);
      const value = { value: 1, next: { value: 2, next: { value: 3, next: null, other: null }, other: null }, other: { value: 4, next: null, other: null } };
      const bytes = type.toBuffer(value);
      guard(bytes);
      for (let length = 0; length < bytes.length; length++) expectDecodeError(() => guard(bytes.subarray(0, length)), `${length} bytes`);
    });

    it('bounds arrays of zero-byte items (null) by the bytes that are there', () => {
      const schema = { type: 'array', items: 'null' };
      const guard = guardOf(schema);
      guard(avro.Type.forSchema(schema as avro.Schema).toBuffer([null, null, null]));
      const started = performance.now();
      expectDecodeError(() => guard(fromHex(long(2 ** 40) + '00')), 'null items 2^40');
      expect(performance.now() - started).to.be.below(1000);
    });

    // minBytes() counts a type referenced by name as one byte, so an array of a named record
    // that encodes to zero bytes is refused when it holds more items than there are bytes left.
    it('accepts an array of a zero-byte record referenced by name', () => {
      const schema = { type: 'record', name: 'Holder', fields: [
        { name: 'one', type: { type: 'record', name: 'Nothing', fields: [] } },
        { name: 'many', type: { type: 'array', items: 'Nothing' } },
      ] };
      const bytes = avro.Type.forSchema(schema as avro.Schema).toBuffer({ one: {}, many: [{}, {}, {}, {}, {}] });
      expect(hex(bytes)).to.equal('0a00');
      guardOf(schema)(bytes);
    });

    it('accepts sized (negative-count) blocks and refuses a negative block size', () => {
      const guard = guardOf({ type: 'array', items: 'long' });
      guard(fromHex(long(-2) + long(2) + '0204' + '00'));
      expectDecodeError(() => guard(fromHex(long(-2) + long(-2) + '0204' + '00')), 'size -2');
    });
  });
});
