import { expect } from 'chai';
import { crc32c } from '../../../../src/protocol/kafka/crc32c.js';
import { KafkaDecodeError } from '../../../../src/protocol/kafka/KafkaDecodeError.js';
import { KafkaReader } from '../../../../src/protocol/kafka/wire/KafkaReader.js';
import { KafkaWriter, nullableStringSize, varintSize, varlongSize } from '../../../../src/protocol/kafka/wire/KafkaWriter.js';
import { prng } from '../../../support/Random.js';
import { expectThrows, kafkajsModule } from './kafkaTestKit.js';

interface KafkajsEncoderInstance {
  writeVarInt(v: number): KafkajsEncoderInstance;
  writeVarLong(v: unknown): KafkajsEncoderInstance;
  readonly buffer: Buffer;
}
const KafkajsEncoder = kafkajsModule<new () => KafkajsEncoderInstance>('encoder');
const Long = kafkajsModule<{ fromString(s: string): unknown }>('../utils/long');
const kafkajsCrc32c = kafkajsModule<(b: Buffer) => number>('recordBatch/crc32C');

const varints = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, 2 ** 20, -(2 ** 20), 2 ** 27, 2 ** 28, 2 ** 31 - 1, -(2 ** 31)];
const varlongs = [...varints, 2 ** 31, -(2 ** 31) - 1, 2 ** 35 + 3, -(2 ** 40), 1_700_000_000_000, -1_700_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];

describe('Kafka wire primitives', () => {
  it('writes and reads back big-endian integers, booleans, strings and bytes', () => {
    const w = new KafkaWriter(1 + 2 + 4 + 4 + 8 + 8 + 1 + nullableStringSize('héllo') + nullableStringSize(null) + 4 + 3 + 4);
    w.int8(-5);
    w.int16(-300);
    w.int32(-70000);
    w.uint32(0xfffffffe);
    w.int64(-(2 ** 40) - 1);
    w.int64(Number.MAX_SAFE_INTEGER);
    w.boolean(true);
    w.nullableString('héllo');
    w.nullableString(null);
    w.nullableBytes(Buffer.from([1, 2, 3]));
    w.nullableBytes(null);
    const r = new KafkaReader(w.finish());
    expect([r.int8(), r.int16(), r.int32(), r.uint32(), r.int64(), r.int64(), r.boolean()]).to.deep.equal([-5, -300, -70000, 0xfffffffe, -(2 ** 40) - 1, Number.MAX_SAFE_INTEGER, true]);
    expect([r.string(), r.nullableString()]).to.deep.equal(['héllo', null]);
    expect([...r.bytes()]).to.deep.equal([1, 2, 3]);
    expect(r.nullableBytes()).to.equal(null);
    r.expectEnd('the test buffer');
  });

  it('refuses an int64 outside the safe integer range instead of rounding it', () => {
    expectThrows(() => new KafkaReader(Buffer.from('0020000000000000', 'hex')).int64(), KafkaDecodeError, 'INT64_OUT_OF_RANGE');
    expectThrows(() => new KafkaReader(Buffer.from('ffe0000000000000', 'hex')).int64(), KafkaDecodeError, 'INT64_OUT_OF_RANGE');
    expect(new KafkaReader(Buffer.from('ffe0000000000001', 'hex')).int64()).to.equal(-Number.MAX_SAFE_INTEGER);
  });

  it('refuses lengths below -1, nulls where not allowed, and lengths past the data', () => {
    expectThrows(() => new KafkaReader(Buffer.from('fffe', 'hex')).nullableString(), KafkaDecodeError, 'INVALID_LENGTH');
    expectThrows(() => new KafkaReader(Buffer.from('ffff', 'hex')).string(), KafkaDecodeError, 'NULL_NOT_ALLOWED');
    expectThrows(() => new KafkaReader(Buffer.from('0005616263', 'hex')).string(), KafkaDecodeError, 'TRUNCATED');
    expectThrows(() => new KafkaReader(Buffer.from('7fffffff00', 'hex')).bytes(), KafkaDecodeError, 'TRUNCATED');
    expectThrows(() => new KafkaReader(Buffer.from('80000000', 'hex')).nullableBytes(), KafkaDecodeError, 'INVALID_LENGTH');
  });

  it('checks an array count against the bytes left and the limit before anything is allocated', () => {
    // Claims 2^31 - 1 four-byte elements in 4 bytes: refused from the count alone.
    expectThrows(() => new KafkaReader(Buffer.from('7fffffff00000000', 'hex')).arrayCount(4, 2 ** 31), KafkaDecodeError, 'TRUNCATED');
    const body = Buffer.alloc(4 + 400);
    body.writeInt32BE(11, 0);
    expectThrows(() => new KafkaReader(body).arrayCount(1, 10), KafkaDecodeError, 'TOO_MANY_ELEMENTS');
    body.writeInt32BE(100, 0);
    expect(new KafkaReader(body).arrayCount(4, 1000)).to.equal(100);
    expect(new KafkaReader(Buffer.from('ffffffff', 'hex')).arrayCount(4, 1000)).to.equal(-1);
    expectThrows(() => new KafkaReader(Buffer.from('fffffffe', 'hex')).arrayCount(4, 1000), KafkaDecodeError, 'INVALID_LENGTH');
  });

  it('encodes zig-zag varints and varlongs as kafkajs does, and reads them back', () => {
    for (const v of varints) {
      const theirs = new KafkajsEncoder().writeVarInt(v).buffer;
      const w = new KafkaWriter(varintSize(v));
      w.varint(v);
      expect(w.finish().toString('hex'), `varint ${v}`).to.equal(theirs.toString('hex'));
      expect(new KafkaReader(theirs).varint()).to.equal(v);
    }
    for (const v of varlongs) {
      const theirs = new KafkajsEncoder().writeVarLong(Long.fromString(String(v))).buffer;
      const w = new KafkaWriter(varlongSize(v));
      w.varlong(v);
      expect(w.finish().toString('hex'), `varlong ${v}`).to.equal(theirs.toString('hex'));
      expect(new KafkaReader(theirs).varlong()).to.equal(v);
    }
  });

  it('refuses varints that are too long, cut off, or beyond the safe range', () => {
    expectThrows(() => new KafkaReader(Buffer.from('8080808080', 'hex')).varint(), KafkaDecodeError, 'VARINT_TOO_LONG');
    expectThrows(() => new KafkaReader(Buffer.from('8080', 'hex')).varint(), KafkaDecodeError, 'TRUNCATED');
    expectThrows(() => new KafkaReader(Buffer.from('80808080808080808080', 'hex')).varlong(), KafkaDecodeError, 'VARINT_TOO_LONG');
    expectThrows(() => new KafkaReader(Buffer.from('feffffffffffffff7f', 'hex')).varlong(), KafkaDecodeError, 'INT64_OUT_OF_RANGE');
    expectThrows(() => new KafkaReader(Buffer.from('ffffffffffffff', 'hex')).varlong(), KafkaDecodeError, 'TRUNCATED');
  });

  it('a writer whose size was computed wrong throws instead of sending a short frame', () => {
    const w = new KafkaWriter(5);
    w.int32(1);
    expect(() => w.finish()).to.throw(Error, /wrote 4 bytes into a 5-byte buffer/);
  });
});

describe('CRC-32C', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const descending = Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i));
    expect(crc32c(Buffer.alloc(32, 0))).to.equal(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).to.equal(0x62a8ab43);
    expect(crc32c(ascending)).to.equal(0x46dd794e);
    expect(crc32c(descending)).to.equal(0x113fdb5c);
    expect(crc32c(Buffer.alloc(0))).to.equal(0);
  });

  it('agrees with kafkajs on random data of every length up to 100 and on a range within a buffer', () => {
    const random = prng(3);
    for (let n = 0; n <= 100; n++) {
      const data = Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      expect(crc32c(data), `length ${n}`).to.equal(kafkajsCrc32c(data));
    }
    const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    expect(crc32c(big, 13, 4099)).to.equal(kafkajsCrc32c(big.subarray(13, 4099)));
  });
});
