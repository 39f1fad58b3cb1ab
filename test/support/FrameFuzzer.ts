import { connect, type Socket } from 'node:net';
import { encodeRecordBatch } from '../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../src/protocol/ErrorCode.js';
import { encodeFrame } from '../../src/protocol/frame/FrameEncoder.js';
import { FrameDecoder, type FrameSink } from '../../src/protocol/frame/FrameDecoder.js';
import { FrameFlags, type Frame } from '../../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../../src/protocol/Message.js';
import { MessageType } from '../../src/protocol/MessageType.js';
import { baseProtocolVersion as protocolVersion } from '../../src/protocol/ProtocolVersion.js';
import { Flush } from '../../src/protocol/messages/flush.js';
import { Seal } from '../../src/protocol/messages/seal.js';
import { Append } from '../../src/protocol/messages/append.js';
import { Count } from '../../src/protocol/messages/count.js';
import { Credit } from '../../src/protocol/messages/credit.js';
import { Unsubscribe } from '../../src/protocol/messages/unsubscribe.js';
import { CommitCursor } from '../../src/protocol/messages/commitCursor.js';
import { GetCursor } from '../../src/protocol/messages/getCursor.js';
import { errorBody } from '../../src/protocol/messages/error.js';
import { Hello } from '../../src/protocol/messages/hello.js';
import { ListKeys } from '../../src/protocol/messages/listKeys.js';
import { ListSegments } from '../../src/protocol/messages/listSegments.js';
import { Ping } from '../../src/protocol/messages/ping.js';
import { Scan } from '../../src/protocol/messages/scan.js';
import { Stats } from '../../src/protocol/messages/stats.js';
import { Subscribe } from '../../src/protocol/messages/subscribe.js';
import { prng, randomInt } from './Random.js';
import { DeleteCursor } from '../../src/protocol/messages/deleteCursor.js';
import { ListCursors } from '../../src/protocol/messages/listCursors.js';
import { ResetCursor } from '../../src/protocol/messages/resetCursor.js';
import { BackupBegin, BackupEnd, BackupRead } from '../../src/protocol/messages/backup.js';
import { DeleteKey } from '../../src/protocol/messages/deleteKey.js';
import { Trim } from '../../src/protocol/messages/trim.js';

/**
 * A protocol fuzzer for the broker: it builds real frames of every request type (with the
 * message definitions and FrameEncoder), breaks them in many ways, sends them over many
 * connections at once, and checks every answer against docs/protocol.md:
 *
 * - frame-preserving cases (the frame's length is right, its header or body is not): each must
 *   be answered, on a connection that stays usable, by a response of its own correlation id and
 *   message type: a decodable response, or an error with a documented code, never INTERNAL; for
 *   the structural cases the code is the documented one (INVALID_REQUEST for a body that lies,
 *   UNKNOWN_MESSAGE, UNSUPPORTED_VERSION, FRAME_TOO_LARGE);
 * - stream-breaking cases (random bytes, truncated or bit-flipped whole frames, lengths below 8
 *   or huge): the broker may answer only with documented errors and closes that connection
 *   (at once for a length below 8, after --partial-frame-timeout-ms for a frame left unfinished).
 *
 * Everything is a function of the seed, so a failing run can be replayed.
 */

// ---- Avro by hand --------------------------------------------------------------------------------

/** Zig-zag varint of any integer, including ones no decoder should accept (beyond 64 bits too). */
export function zz(n: number | bigint): Buffer {
  const v = BigInt(n);
  let z = v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) b |= 0x80;
    out.push(b);
  } while (z > 0n);
  return Buffer.from(out);
}

type FieldTag = 'int' | 'long' | 'bool' | 'bytes' | 'union' | 'array' | 'enum';
interface Field {
  readonly tag: FieldTag;
  readonly enc: Buffer;
}

const f = {
  int: (n: number): Field => ({ tag: 'int', enc: zz(n) }),
  long: (n: number): Field => ({ tag: 'long', enc: zz(n) }),
  bool: (b: boolean): Field => ({ tag: 'bool', enc: Buffer.from([b ? 1 : 0]) }),
  bytes: (b: Buffer | string): Field => {
    const buf = Buffer.from(b);
    return { tag: 'bytes', enc: Buffer.concat([zz(buf.length), buf]) };
  },
  /** A ["null", T] union: null, or branch 1 with T's encoding. */
  opt: (inner: Buffer | undefined): Field => ({ tag: 'union', enc: inner === undefined ? zz(0) : Buffer.concat([zz(1), inner]) }),
  array: (items: readonly Buffer[]): Field => ({ tag: 'array', enc: items.length === 0 ? zz(0) : Buffer.concat([zz(items.length), ...items, zz(0)]) }),
  enumIndex: (i: number): Field => ({ tag: 'enum', enc: zz(i) }),
};
const bytesOf = (b: Buffer | string): Buffer => f.bytes(b).enc;

// ---- seeds: valid requests of every type -------------------------------------------------------

interface Seed {
  readonly message: MessageDefinition<unknown, unknown>;
  readonly value: unknown;
  readonly fields: readonly Field[];
}

/** The keys fuzzed requests name: a few, so that appends, scans and long-polls meet. */
export const fuzzKeys: readonly Buffer[] = [Buffer.from('fz/a'), Buffer.from('fz/b'), Buffer.from('fz/c'), Buffer.from([0x66, 0x7a, 0x2f, 0x00, 0xff])];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, 0, items.length - 1)];
}

function randomBytes(random: Random, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = randomInt(random, 0, 255);
  return b;
}

function seedOf<Req>(message: MessageDefinition<Req, unknown>, value: Req, fields: readonly Field[]): Seed {
  return { message: message as MessageDefinition<unknown, unknown>, value, fields };
}

const startFrom = ['EARLIEST', 'LATEST', 'SEQUENCE'] as const;

/** One valid request; `weights` keep Seal (a new segment each) rare. */
const seedMakers: { weight: number; make: (r: Random) => Seed }[] = [
  { weight: 3, make: () => seedOf(Hello, { protocolVersion: 1, clientId: 'fuzz', authToken: null }, [f.int(1), f.bytes('fuzz'), f.opt(undefined)]) },
  {
    weight: 4,
    make: (r) => {
      const timeMs = randomInt(r, 0, 2 ** 40);
      return seedOf(Ping, { timeMs }, [f.long(timeMs)]);
    },
  },
  {
    weight: 14,
    make: (r) => {
      const records = Array.from({ length: randomInt(r, 1, 4) }, () => ({ key: pick(r, fuzzKeys), value: randomBytes(r, randomInt(r, 0, 48)) }));
      const batch = encodeRecordBatch(records);
      const producerId = r() < 0.3 ? `fz-p${randomInt(r, 0, 3)}` : null;
      const batchNumber = producerId === null ? 0 : randomInt(r, 0, 500);
      const expect = r() < 0.2 ? [{ key: pick(r, fuzzKeys), lastSequence: r() < 0.5 ? null : randomInt(r, 0, 5000) }] : [];
      return seedOf(Append, { producerId, batchNumber, awaitDurable: false, timeoutMs: 0, expect, records: batch }, [
        f.opt(producerId === null ? undefined : bytesOf(producerId)),
        f.long(batchNumber),
        f.bool(false),
        f.int(0),
        f.array(expect.map((e) => Buffer.concat([bytesOf(e.key), f.opt(e.lastSequence === null ? undefined : zz(e.lastSequence)).enc]))),
        f.bytes(batch),
      ]);
    },
  },
  {
    weight: 8,
    make: (r) => {
      const key = pick(r, fuzzKeys);
      const start = randomInt(r, 0, 3000);
      const end = r() < 0.5 ? null : start + randomInt(r, 0, 500);
      const limit = randomInt(r, 1, 100);
      const maxBytes = randomInt(r, 1, 65536);
      return seedOf(Scan, { key, start, end, limit, maxBytes, maxWaitMs: 0, startTimeMs: null }, [f.bytes(key), f.long(start), f.opt(end === null ? undefined : zz(end)), f.int(limit), f.int(maxBytes), f.int(0)]);
    },
  },
  {
    weight: 6,
    make: (r) => {
      const subscriptionId = randomInt(r, 1, 40);
      // The empty prefix is documented as "every key".
      const prefix = r() < 0.5 ? null : pick(r, [Buffer.from('fz/'), Buffer.alloc(0), Buffer.from('fz/a')]);
      const keys = prefix === null ? [pick(r, fuzzKeys)] : [];
      const fromIndex = randomInt(r, 0, 2);
      const sequence = randomInt(r, 0, 3000);
      const cursor = r() < 0.2 ? `fz-cur-${randomInt(r, 0, 3)}` : null;
      const creditRecords = randomInt(r, 0, 20);
      const creditBytes = randomInt(r, 0, 65536);
      return seedOf(Subscribe, { subscriptionId, keys, prefix, from: startFrom[fromIndex], sequence, cursor, creditRecords, creditBytes, timeMs: 0 }, [
        f.int(subscriptionId),
        f.array(keys.map((k) => bytesOf(k))),
        f.opt(prefix === null ? undefined : bytesOf(prefix)),
        f.enumIndex(fromIndex),
        f.long(sequence),
        f.opt(cursor === null ? undefined : bytesOf(cursor)),
        f.int(creditRecords),
        f.long(creditBytes),
      ]);
    },
  },
  {
    weight: 4,
    make: (r) => {
      const subscriptionId = randomInt(r, 1, 40);
      const records = randomInt(r, 0, 20);
      const bytes = randomInt(r, 0, 65536);
      return seedOf(Credit, { subscriptionId, records, bytes }, [f.int(subscriptionId), f.int(records), f.long(bytes)]);
    },
  },
  {
    weight: 3,
    make: (r) => {
      const subscriptionId = randomInt(r, 1, 40);
      return seedOf(Unsubscribe, { subscriptionId }, [f.int(subscriptionId)]);
    },
  },
  {
    weight: 5,
    make: (r) => {
      const key = pick(r, fuzzKeys);
      const start = randomInt(r, 0, 3000);
      const end = r() < 0.5 ? null : start + randomInt(r, 0, 500);
      return seedOf(Count, { key, start, end }, [f.bytes(key), f.long(start), f.opt(end === null ? undefined : zz(end))]);
    },
  },
  {
    weight: 5,
    make: (r) => {
      const startSegment = r() < 0.5 ? null : randomInt(r, 0, 3);
      const endSegment = r() < 0.5 ? null : randomInt(r, 0, 10);
      const prefix = r() < 0.5 ? null : Buffer.from('fz/');
      const after = r() < 0.7 ? null : pick(r, fuzzKeys);
      const limit = randomInt(r, 1, 100);
      return seedOf(ListKeys, { startSegment, endSegment, prefix, after, limit }, [
        f.opt(startSegment === null ? undefined : zz(startSegment)),
        f.opt(endSegment === null ? undefined : zz(endSegment)),
        f.opt(prefix === null ? undefined : bytesOf(prefix)),
        f.opt(after === null ? undefined : bytesOf(after)),
        f.int(limit),
      ]);
    },
  },
  {
    weight: 3,
    make: (r) => {
      const start = randomInt(r, 0, 3000);
      const end = r() < 0.5 ? null : start + randomInt(r, 0, 500);
      return seedOf(ListSegments, { start, end }, [f.long(start), f.opt(end === null ? undefined : zz(end))]);
    },
  },
  { weight: 0.2, make: () => seedOf(Seal, {}, []) },
  { weight: 2, make: () => seedOf(Flush, {}, []) },
  {
    weight: 3,
    make: (r) => {
      const name = `fz-cur-${randomInt(r, 0, 3)}`;
      const sequence = randomInt(r, 0, 3000);
      // The empty prefix is a valid prefix ("exactly one of keys (non-empty) and prefix (non-null)").
      const prefix = r() < 0.5 ? null : pick(r, [Buffer.from('fz/'), Buffer.alloc(0)]);
      const keys = prefix === null ? [pick(r, fuzzKeys)] : [];
      return seedOf(CommitCursor, { name, sequence, keys, prefix }, [f.bytes(name), f.long(sequence), f.array(keys.map((k) => bytesOf(k))), f.opt(prefix === null ? undefined : bytesOf(prefix))]);
    },
  },
  {
    weight: 2,
    make: (r) => {
      const name = `fz-cur-${randomInt(r, 0, 3)}`;
      return seedOf(GetCursor, { name }, [f.bytes(name)]);
    },
  },
  { weight: 2, make: () => seedOf(Stats, {}, []) },
];
const seedWeightTotal = seedMakers.reduce((sum, m) => sum + m.weight, 0);

function randomSeed(random: Random): Seed {
  let at = random() * seedWeightTotal;
  for (const m of seedMakers) {
    at -= m.weight;
    if (at < 0) return m.make(random);
  }
  return seedMakers[0].make(random);
}

/** Every request type the broker serves, by number. */
export const requestMessages: ReadonlyMap<number, MessageDefinition<unknown, unknown>> = new Map<number, MessageDefinition<unknown, unknown>>(
  [Hello, Ping, Append, Scan, Subscribe, Credit, Unsubscribe, Count, ListKeys, ListSegments, Seal, Flush, CommitCursor, GetCursor, Stats, ListCursors, DeleteCursor, ResetCursor, Trim, DeleteKey, BackupBegin, BackupRead, BackupEnd].map((m) => [
    m.type,
    m as MessageDefinition<unknown, unknown>,
  ]),
);

// ---- cases ------------------------------------------------------------------------------------------

/** What the broker must do with a case. */
export type CaseExpectation =
  /** Answered with this correlation id and message type; `codes`: the error codes allowed ('any': any documented one, or success). */
  | { readonly type: 'answer'; readonly correlationId: number; readonly messageType: number; readonly codes: readonly number[] | 'any'; readonly mayWait: boolean }
  /** The stream is broken: only documented errors may come back; the connection is then closed. */
  | {
      readonly type: 'breaks';
      /** Must the broker close the connection on its own (we keep our side open)? */
      readonly closesWithoutUs: boolean;
      /** An error that must arrive first: connection-level INVALID_REQUEST, or FRAME_TOO_LARGE for this correlation id. */
      readonly firstError?: { readonly code: number; readonly messageType: number; readonly correlationId: number };
    };

export interface FuzzCase {
  readonly kind: string;
  readonly bytes: Buffer;
  readonly expect: CaseExpectation;
}

export interface FuzzerOptions {
  /** The broker's --frame-bytes-max (for oversized cases). */
  readonly frameBytesMax: number;
}

const documentedCodes = new Set<number>(Object.values(ErrorCode));

function frameOf(messageType: number, version: number, flags: number, correlationId: number, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(8 + body.length, 0);
  out.writeUInt8(messageType & 0xff, 4);
  out.writeUInt8(version & 0xff, 5);
  out.writeUInt16BE(flags & 0xffff, 6);
  out.writeUInt32BE(correlationId >>> 0, 8);
  body.copy(out, 12);
  return out;
}

/** A poisoned encoding for a field of this kind: each must make the body undecodable. */
function poison(random: Random, tag: FieldTag): { what: string; enc: Buffer } {
  const overflow = (): Buffer => Buffer.concat([Buffer.alloc(randomInt(random, 10, 12), 0xff), Buffer.from([0x01])]);
  const beyondSafe = (): Buffer => zz(2n ** 53n + BigInt(randomInt(random, 0, 1000)));
  switch (tag) {
    case 'int':
      return pick(random, [
        { what: 'int beyond 32 bits', enc: zz(2 ** 31 + randomInt(random, 0, 1000)) },
        { what: 'int below -2^31', enc: zz(-(2 ** 31) - 1 - randomInt(random, 0, 1000)) },
        { what: 'varint longer than 10 bytes', enc: overflow() },
      ]);
    case 'long':
      return pick(random, [
        { what: 'long beyond 2^53', enc: beyondSafe() },
        { what: 'varint longer than 10 bytes', enc: overflow() },
        { what: 'long of 2^64', enc: zz(2n ** 64n) },
      ]);
    case 'bool':
      return { what: 'boolean byte above 1', enc: Buffer.from([randomInt(random, 2, 255)]) };
    case 'bytes':
      return pick(random, [
        { what: 'negative bytes length', enc: Buffer.concat([zz(-randomInt(random, 1, 1000)), Buffer.from('abc')]) },
        { what: 'bytes length past the end', enc: Buffer.concat([zz(randomInt(random, 100_000, 2 ** 31)), Buffer.from('abc')]) },
        { what: 'bytes length beyond 2^53', enc: beyondSafe() },
      ]);
    case 'union':
      return pick(random, [
        { what: 'union branch 2', enc: Buffer.concat([zz(2), zz(0)]) },
        { what: 'union branch -1', enc: Buffer.concat([zz(-1), zz(0)]) },
        { what: 'union branch 2^40', enc: zz(2 ** 40) },
      ]);
    case 'array':
      return pick(random, [
        { what: 'array count 2^40', enc: Buffer.concat([zz(2 ** 40), zz(0)]) },
        { what: 'array count 2^31 with a few bytes', enc: Buffer.concat([zz(2 ** 31), Buffer.from([2, 0x61, 0])]) },
        { what: 'negative array count with a negative block size', enc: Buffer.concat([zz(-3), zz(-5), zz(0)]) },
        { what: 'negative array count with a block size past the end', enc: Buffer.concat([zz(-(2 ** 30)), zz(2 ** 40), zz(0)]) },
        { what: 'array count beyond 2^53', enc: beyondSafe() },
      ]);
    case 'enum':
      return pick(random, [
        { what: 'enum index 3', enc: zz(3) },
        { what: 'enum index -1', enc: zz(-1) },
      ]);
  }
}

/** Record batches whose inner counts and lengths lie (carried in a well-formed `records` bytes field). */
function lyingRecordBatch(random: Random): { what: string; batch: Buffer } {
  const key = Buffer.from('fz/a');
  const good = Buffer.concat([bytesOf(key), bytesOf('v')]);
  return pick(random, [
    { what: 'more records claimed than present', batch: Buffer.concat([zz(5), good, zz(0)]) },
    { what: 'record count 2^31', batch: Buffer.concat([zz(2 ** 31), good, zz(0)]) },
    { what: 'key length past the end', batch: Buffer.concat([zz(1), zz(1000), key, zz(0)]) },
    { what: 'negative key length', batch: Buffer.concat([zz(1), zz(-4), key, zz(0)]) },
    { what: 'value length past the end', batch: Buffer.concat([zz(1), bytesOf(key), zz(5000), Buffer.from('v'), zz(0)]) },
    { what: 'negative block count with a block size past the end', batch: Buffer.concat([zz(-1), zz(100_000), good, zz(0)]) },
    { what: 'negative block count with a negative block size', batch: Buffer.concat([zz(-1), zz(-1), good, zz(0)]) },
    { what: 'bytes after the terminator', batch: Buffer.concat([zz(1), good, zz(0), Buffer.from('junk')]) },
    { what: 'missing terminator', batch: Buffer.concat([zz(1), good]) },
    { what: 'empty batch', batch: zz(0) },
    { what: 'empty key', batch: Buffer.concat([zz(1), bytesOf(Buffer.alloc(0)), bytesOf('v'), zz(0)]) },
    { what: 'key longer than keyBytesMax', batch: Buffer.concat([zz(1), bytesOf(Buffer.alloc(5000, 0x6b)), bytesOf('v'), zz(0)]) },
    { what: 'record count beyond 2^53', batch: Buffer.concat([zz(2n ** 60n), good, zz(0)]) },
    { what: 'overlong varint count', batch: Buffer.concat([Buffer.alloc(11, 0xff), Buffer.from([1]), good, zz(0)]) },
  ]);
}

function flipBits(random: Random, bytes: Buffer, from: number, flips: number): Buffer {
  const out = Buffer.from(bytes);
  if (out.length <= from) return out;
  for (let i = 0; i < flips; i++) {
    const at = randomInt(random, from, out.length - 1);
    out[at] ^= 1 << randomInt(random, 0, 7);
  }
  return out;
}

/**
 * Makes fuzz cases from a seed. `frameCase` gives cases that keep the stream in sync (the next
 * frame is read where it starts); `breakingCase` gives cases after which the connection is done.
 */
export class FrameFuzzer {
  private readonly random: Random;
  /** Cases made, by kind. */
  readonly kinds = new Map<string, number>();

  constructor(
    seed: number,
    private readonly options: FuzzerOptions,
  ) {
    this.random = prng(seed);
    // The seeds' hand-written Avro is the real encoding of their values: a structural case is one
    // field away from a request a real client sends.
    for (let i = 0; i < 200; i++) {
      const seed = randomSeed(this.random);
      const real = encodeFrame({ messageType: seed.message.type, version: protocolVersion, flags: 0, correlationId: 1 }, seed.message.request.at(1), seed.value).subarray(12);
      const byHand = Buffer.concat(seed.fields.map((x) => x.enc));
      if (!real.equals(byHand)) throw new Error(`fuzzer self-check: ${seed.message.name} by hand ${byHand.toString('hex')} != encoded ${real.toString('hex')}`);
    }
  }

  private count(kind: string): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
  }

  get randomSource(): Random {
    return this.random;
  }

  /** A valid frame (header and body from a random seed). */
  validFrame(correlationId: number): { seed: Seed; frame: Buffer } {
    const seed = randomSeed(this.random);
    return { seed, frame: encodeFrame({ messageType: seed.message.type, version: protocolVersion, flags: 0, correlationId }, seed.message.request.at(1), seed.value) };
  }

  frameCase(correlationId: number): FuzzCase {
    const r = this.random;
    const { seed, frame } = this.validFrame(correlationId);
    const type = seed.message.type;
    const body = frame.subarray(12);
    const answer = (kind: string, bytes: Buffer, codes: readonly number[] | 'any', messageType: number = type): FuzzCase => {
      this.count(kind);
      return { kind, bytes, expect: { type: 'answer', correlationId, messageType, codes, mayWait: mayLongPoll(bytes) } };
    };
    const roll = r() * 100;
    if (roll < 8) return answer('valid', frame, 'any');
    if (roll < 36) return answer('body bit flips', frameOf(type, 1, 0, correlationId, flipBits(r, body, 0, randomInt(r, 1, 6))), 'any');
    if (roll < 42 && body.length > 0) return answer('body truncated (length fixed)', frameOf(type, 1, 0, correlationId, body.subarray(0, randomInt(r, 0, body.length - 1))), 'any');
    if (roll < 47) return answer('bytes trailing the body', frameOf(type, 1, 0, correlationId, Buffer.concat([body, randomBytes(r, randomInt(r, 1, 8))])), [ErrorCode.InvalidRequest]);
    if (roll < 68 && seed.fields.length > 0) {
      const at = randomInt(r, 0, seed.fields.length - 1);
      const p = poison(r, seed.fields[at].tag);
      const poisoned = Buffer.concat(seed.fields.map((x, i) => (i === at ? p.enc : x.enc)));
      return answer(`structural: ${p.what}`, frameOf(type, 1, 0, correlationId, poisoned), [ErrorCode.InvalidRequest]);
    }
    if (roll < 76) {
      const lie = lyingRecordBatch(r);
      const fields = [f.opt(undefined), f.long(0), f.bool(false), f.int(0), f.array([]), f.bytes(lie.batch)];
      return answer(`append records: ${lie.what}`, frameOf(MessageType.Append, 1, 0, correlationId, Buffer.concat(fields.map((x) => x.enc))), [ErrorCode.InvalidRequest], MessageType.Append);
    }
    if (roll < 83) {
      // Not 19..23: a random body read as Trim, DeleteKey or BackupBegin would erase the log the
      // ledger checks, or copy all of it per case; protocolRules.test.ts covers their framing.
      const other = randomInt(r, 1, 18);
      return answer('body of another message type', frameOf(other, 1, 0, correlationId, body), 'any', other);
    }
    if (roll < 87) {
      const unknown = pick(r, [0, randomInt(r, 24, 31), 32, 33, randomInt(r, 34, 255)]);
      return answer('unknown message type', frameOf(unknown, 1, 0, correlationId, body), [ErrorCode.UnknownMessage], unknown);
    }
    // Versions 1 and 2 are spoken; any other is refused.
    if (roll < 91) return answer('wrong protocol version', frameOf(type, pick(r, [0, 3, randomInt(r, 3, 255)]), 0, correlationId, body), [ErrorCode.UnsupportedVersion]);
    if (roll < 95) return answer('RESPONSE/PUSH/ERROR flag on a request', frameOf(type, 1, randomInt(r, 1, 7) | (randomInt(r, 0, 0x1fff) << 3), correlationId, body), [ErrorCode.InvalidRequest]);
    if (roll < 97) return answer('unknown flag bits', frameOf(type, 1, randomInt(r, 1, 0x1fff) << 3, correlationId, body), 'any');
    // A frame just over the maximum, sent whole: refused from its header, body skipped, connection kept.
    const extra = randomInt(r, 1, 512);
    const oversized = frameOf(type, 1, 0, correlationId, Buffer.concat([body, randomBytes(r, this.options.frameBytesMax - 8 - body.length + extra)]));
    return answer('frame over frameBytesMax (sent whole)', oversized, [ErrorCode.FrameTooLarge]);
  }

  breakingCase(correlationId: number): FuzzCase {
    const r = this.random;
    const { frame } = this.validFrame(correlationId);
    const roll = r() * 100;
    const breaks = (kind: string, bytes: Buffer, closesWithoutUs: boolean, firstError?: { code: number; messageType: number; correlationId: number }): FuzzCase => {
      this.count(kind);
      return { kind, bytes, expect: { type: 'breaks', closesWithoutUs, firstError } };
    };
    if (roll < 25) return breaks('random bytes', randomBytes(r, randomInt(r, 1, 300)), false);
    if (roll < 45) {
      const keepOpen = r() < 0.3;
      return breaks(keepOpen ? 'truncated frame, left open' : 'truncated frame', frame.subarray(0, randomInt(r, 1, frame.length - 1)), keepOpen);
    }
    if (roll < 65) return breaks('whole-frame bit flips', flipBits(r, frame, 0, randomInt(r, 1, 8)), false);
    if (roll < 80) {
      const bytes = Buffer.concat([Buffer.alloc(4), randomBytes(r, randomInt(r, 0, 40))]);
      bytes.writeUInt32BE(randomInt(r, 0, 7), 0);
      return breaks('frame length below 8', bytes, true, { code: ErrorCode.InvalidRequest, messageType: 0, correlationId: 0 });
    }
    const length = pick(r, [0xffff_ffff, 0x8000_0000, this.options.frameBytesMax + 1, randomInt(r, this.options.frameBytesMax + 1, 0xffff_ffff)]);
    const header = Buffer.from(frame.subarray(0, 12));
    header.writeUInt32BE(length, 0);
    const keepOpen = r() < 0.3;
    return breaks(keepOpen ? 'huge length, body never sent, left open' : 'huge length, body never sent', Buffer.concat([header, randomBytes(r, randomInt(r, 0, 64))]), keepOpen, {
      code: ErrorCode.FrameTooLarge,
      messageType: header.readUInt8(4),
      correlationId,
    });
  }
}

/** Whether a frame is a Scan that may long-poll (its answer can take up to 60 s). */
function mayLongPoll(bytes: Buffer): boolean {
  if (bytes.length < 12 || bytes.readUInt8(4) !== MessageType.Scan || bytes.readUInt8(5) !== protocolVersion || (bytes.readUInt16BE(6) & 7) !== 0) return false;
  try {
    return Scan.request.at(1).decode(bytes.subarray(12)).maxWaitMs > 0;
  } catch {
    return false;
  }
}

// ---- running cases on connections ----------------------------------------------------------------

/** What a run saw: counts for docs/reliability.md and every violation of the protocol's promises. */
export class FuzzTally {
  framesSent = 0;
  bytesSent = 0;
  answered = 0;
  successes = 0;
  pushes = 0;
  connections = 0;
  connectionsClosedByBroker = 0;
  longPollsLeft = 0;
  readonly codes = new Map<number, number>();
  readonly violations: string[] = [];

  violation(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }
}

interface Pending {
  readonly fuzz: FuzzCase;
  readonly resolve: (frame: Frame | undefined) => void;
}

/** One raw connection of the fuzzer. */
class FuzzConnection implements FrameSink {
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly pending = new Map<number, Pending>();
  readonly unexpected: Frame[] = [];
  closed = false;
  readonly whenClosed: Promise<void>;

  private constructor(
    readonly socket: Socket,
    private readonly tally: FuzzTally,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk, this));
    socket.on('error', () => undefined);
    this.whenClosed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        for (const p of this.pending.values()) p.resolve(undefined);
        this.pending.clear();
        resolve();
      }),
    );
  }

  static open(host: string, port: number, tally: FuzzTally): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new FuzzConnection(socket, tally));
      });
      socket.once('error', reject);
    });
  }

  frame(frame: Frame): void {
    if ((frame.flags & FrameFlags.Push) !== 0) {
      this.tally.pushes++;
      return;
    }
    const pending = (frame.flags & FrameFlags.Response) !== 0 ? this.pending.get(frame.correlationId) : undefined;
    if (pending === undefined) {
      this.unexpected.push({ ...frame, body: Buffer.from(frame.body) });
      return;
    }
    this.pending.delete(frame.correlationId);
    pending.resolve({ ...frame, body: Buffer.from(frame.body) });
  }

  oversized(length: number): void {
    this.tally.violation(`the broker sent a frame of ${length} bytes`);
  }

  malformed(reason: string): void {
    this.tally.violation(`the broker's stream could not be parsed: ${reason}`);
  }

  /** Send a case; resolves with its answer (undefined if the connection closed first). */
  send(fuzz: FuzzCase, correlationId: number): Promise<Frame | undefined> {
    const answer = new Promise<Frame | undefined>((resolve) => {
      if (this.closed) resolve(undefined);
      else this.pending.set(correlationId, { fuzz, resolve });
    });
    this.write(fuzz.bytes);
    return answer;
  }

  write(bytes: Buffer): void {
    this.tally.framesSent++;
    this.tally.bytesSent += bytes.length;
    if (!this.closed) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]).finally(() => clearTimeout(timer));
}

/** Check one answer against its case; records violations. */
function checkAnswer(tally: FuzzTally, fuzz: FuzzCase, frame: Frame | undefined, where: string): void {
  if (fuzz.expect.type !== 'answer') return;
  const e = fuzz.expect;
  if (frame === undefined) {
    tally.violation(`${where}: ${fuzz.kind}: no answer (the connection closed or the answer timed out); frame ${fuzz.bytes.subarray(0, 64).toString('hex')}`);
    return;
  }
  tally.answered++;
  if (frame.messageType !== e.messageType) tally.violation(`${where}: ${fuzz.kind}: answered with message type ${frame.messageType}, sent ${e.messageType}`);
  if ((frame.flags & FrameFlags.Error) === 0) {
    tally.successes++;
    if (e.codes !== 'any') tally.violation(`${where}: ${fuzz.kind}: succeeded, expected error ${e.codes.join('|')}; frame ${fuzz.bytes.subarray(0, 64).toString('hex')}`);
    const message = requestMessages.get(frame.messageType);
    try {
      message?.response.at(frame.version === 2 ? 2 : 1).decode(frame.body);
    } catch (error) {
      tally.violation(`${where}: ${fuzz.kind}: the response does not decode: ${(error as Error).message}`);
    }
    return;
  }
  let code: number;
  let text: string;
  try {
    const body = errorBody.at(1).decode(frame.body);
    code = body.code;
    text = body.message;
  } catch (error) {
    tally.violation(`${where}: ${fuzz.kind}: the error body does not decode: ${(error as Error).message}`);
    return;
  }
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
  if (!documentedCodes.has(code) || code === ErrorCode.Internal) {
    tally.violation(`${where}: ${fuzz.kind}: error code ${code} (${text}); frame ${fuzz.bytes.subarray(0, 80).toString('hex')}`);
  } else if (e.codes !== 'any' && !e.codes.includes(code)) {
    tally.violation(`${where}: ${fuzz.kind}: error code ${code} (${text}), expected ${e.codes.join('|')}; frame ${fuzz.bytes.subarray(0, 80).toString('hex')}`);
  }
}

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  /** Frame-preserving cases pipelined on the connection. */
  readonly cases: number;
  /** End the session with a stream-breaking case. */
  readonly breakAtEnd: boolean;
  /** The broker's --partial-frame-timeout-ms. */
  readonly partialFrameTimeoutMs: number;
  readonly label: string;
}

/** One connection: pipelined frame-preserving cases, all answered, then maybe one that breaks the stream. */
export async function runSession(fuzzer: FrameFuzzer, tally: FuzzTally, options: SessionOptions): Promise<void> {
  let conn: FuzzConnection;
  try {
    conn = await FuzzConnection.open(options.host, options.port, tally);
  } catch (error) {
    tally.violation(`${options.label}: cannot connect: ${(error as Error).message}`);
    return;
  }
  tally.connections++;
  try {
    let correlationId = 1 + randomInt(fuzzer.randomSource, 0, 1000);
    const answers: Promise<void>[] = [];
    for (let i = 0; i < options.cases; i++) {
      const id = correlationId++;
      const fuzz = fuzzer.frameCase(id);
      const e = fuzz.expect as Extract<CaseExpectation, { type: 'answer' }>;
      const answered = conn.send(fuzz, id);
      if (e.mayWait) {
        tally.longPollsLeft++;
        continue; // a long-poll may take a minute; its connection is closed under it at the end
      }
      answers.push(within(answered, 20_000, undefined).then((frame) => checkAnswer(tally, fuzz, frame, options.label)));
      if (fuzzer.randomSource() < 0.3) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(answers);
    if (conn.closed) {
      tally.violation(`${options.label}: the broker closed a connection that sent only whole frames`);
      return;
    }
    if (!options.breakAtEnd) return;
    const fuzz = fuzzer.breakingCase(correlationId);
    const e = fuzz.expect as Extract<CaseExpectation, { type: 'breaks' }>;
    const unexpectedBefore = conn.unexpected.length;
    conn.write(fuzz.bytes);
    if (!e.closesWithoutUs) conn.socket.end();
    const closed = await within(conn.whenClosed.then(() => true), options.partialFrameTimeoutMs + 10_000, false);
    if (!closed) tally.violation(`${options.label}: ${fuzz.kind}: the broker did not close the connection within ${options.partialFrameTimeoutMs + 10_000} ms`);
    else tally.connectionsClosedByBroker++;
    const got = conn.unexpected.slice(unexpectedBefore);
    for (const frame of got) {
      if ((frame.flags & FrameFlags.Error) === 0) continue; // a response to a frame the random bytes happened to form
      try {
        const body = errorBody.at(1).decode(frame.body);
        tally.codes.set(body.code, (tally.codes.get(body.code) ?? 0) + 1);
        if (!documentedCodes.has(body.code) || body.code === ErrorCode.Internal) tally.violation(`${options.label}: ${fuzz.kind}: error code ${body.code} (${body.message})`);
      } catch (error) {
        tally.violation(`${options.label}: ${fuzz.kind}: an error body does not decode: ${(error as Error).message}`);
      }
    }
    if (e.firstError !== undefined) {
      const first = got.find((fr) => (fr.flags & FrameFlags.Error) !== 0);
      const code = first === undefined ? undefined : errorBody.at(1).decode(first.body).code;
      if (first === undefined || code !== e.firstError.code || first.correlationId !== e.firstError.correlationId || first.messageType !== e.firstError.messageType) {
        tally.violation(
          `${options.label}: ${fuzz.kind}: expected error ${e.firstError.code} for type ${e.firstError.messageType} id ${e.firstError.correlationId}, got ` +
            (first === undefined ? 'none' : `${code} for type ${first.messageType} id ${first.correlationId}`),
        );
      }
    }
  } finally {
    conn.destroy();
  }
}
