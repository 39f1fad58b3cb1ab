import { expect } from 'chai';
import { encodeRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { readKeyEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { encodeRawFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags, type Frame } from '../../../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Append, type AppendRequest } from '../../../src/protocol/messages/append.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { sleep } from '../../support/LogFixture.js';
import { decodeResponse, errorOf, isErrorFrame, RawConnection } from '../../support/RawConnection.js';

const frameBytesMax = 64 * 1024;
const partialFrameTimeoutMs = 1500;

function appendRequest(key: string, value: string): AppendRequest {
  return {
    producerId: null,
    batchNumber: 0,
    awaitDurable: false,
    timeoutMs: 0,
    expect: [],
    records: encodeRecordBatch([{ key: Buffer.from(key), value: Buffer.from(value) }]),
  };
}

describe('broker: raw frames on a socket (framing, malformed input, errors)', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  /** A well-behaved connection that must keep being served whatever the other sockets send. */
  let bystander: RawConnection;

  before(async () => {
    broker = await fixture.start(['--frame-bytes-max', String(frameBytesMax), '--partial-frame-timeout-ms', String(partialFrameTimeoutMs)]);
    bystander = await fixture.raw(broker, 'file');
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  async function open(): Promise<RawConnection> {
    return fixture.raw(broker);
  }

  async function expectServed(conn: RawConnection, what: string): Promise<void> {
    const pong = await conn.request(Ping, { timeMs: 4242 });
    expect(pong.timeMs, what).to.equal(4242);
  }

  async function expectBystanderServed(): Promise<void> {
    await expectServed(bystander, 'the other connection is still served');
  }

  async function scanValues(conn: RawConnection, key: string): Promise<string[]> {
    const page = await conn.request(Scan, { key: Buffer.from(key), start: 0, end: null, limit: 10_000, maxBytes: 1 << 20, maxWaitMs: 0, startTimeMs: null });
    return readKeyEntryBatch(page.entries).map((e) => e.value.toString());
  }

  it('answers a request written one byte at a time', async () => {
    const conn = await open();
    const frame = conn.encode(Append, appendRequest('raw/bytewise', 'one byte at a time'), { correlationId: 77 });
    await conn.writeInPieces(frame, Array.from({ length: frame.length - 1 }, (_, i) => i + 1), 2);
    const response = decodeResponse(Append, await conn.response(77));
    expect(response.count).to.equal(1);
    expect(await scanValues(conn, 'raw/bytewise')).to.deep.equal(['one byte at a time']);
    await expectBystanderServed();
  });

  it('answers a frame split in two at every byte boundary', async () => {
    const conn = await open();
    const frames: { cut: number; correlationId: number }[] = [];
    const sample = conn.encode(Append, appendRequest('raw/split', 'cut at 00'));
    for (let cut = 1; cut < sample.length; cut++) {
      const correlationId = conn.allocateCorrelationId();
      const frame = conn.encode(Append, appendRequest('raw/split', `cut at ${String(cut).padStart(2, '0')}`), { correlationId });
      expect(frame.length).to.equal(sample.length);
      await conn.writeInPieces(frame, [cut], 2);
      frames.push({ cut, correlationId });
    }
    const sequences: number[] = [];
    for (const { correlationId } of frames) sequences.push(decodeResponse(Append, await conn.response(correlationId)).startSequence);
    expect(sequences.every((s, i) => i === 0 || s > sequences[i - 1])).to.equal(true);
    expect(await scanValues(conn, 'raw/split')).to.deep.equal(frames.map(({ cut }) => `cut at ${String(cut).padStart(2, '0')}`));
    await expectBystanderServed();
  });

  it('answers every frame of many written in one chunk, each with its own correlation id', async () => {
    const conn = await open();
    const ids = Array.from({ length: 100 }, () => conn.allocateCorrelationId());
    await conn.write(Buffer.concat(ids.map((id) => conn.encode(Ping, { timeMs: id * 3 }, { correlationId: id }))));
    for (const id of ids) expect(decodeResponse(Ping, await conn.response(id)).timeMs).to.equal(id * 3);
  });

  it('refuses a frame longer than --frame-bytes-max with FRAME_TOO_LARGE from its header alone, skips its body, and serves the next request', async () => {
    const conn = await open();
    const bodyLength = 2 * frameBytesMax;
    // The body is full of valid-looking Ping frames: skipped bytes must not be parsed as frames.
    const filler = conn.encode(Ping, { timeMs: 1 }, { correlationId: 999 });
    const body = Buffer.alloc(bodyLength);
    for (let at = 0; at + filler.length <= body.length; at += filler.length) filler.copy(body, at);
    const oversized = encodeRawFrame({ messageType: MessageType.Append, version: protocolVersion, flags: 0, correlationId: 31 }, body);
    await conn.write(oversized.subarray(0, 12));
    // Refused from the header, before a byte of the body was sent.
    const error = errorOf(await conn.response(31));
    expect(error.code).to.equal(ErrorCode.FrameTooLarge);
    expect(error.message).to.contain(String(frameBytesMax));
    for (let at = 12; at < oversized.length; at += 16 * 1024) await conn.write(oversized.subarray(at, Math.min(oversized.length, at + 16 * 1024)));
    await expectServed(conn, 'the connection still works after the oversized frame');
    expect(conn.frames.filter((f) => f.correlationId === 999)).to.deep.equal([]);
    await expectBystanderServed();
  });

  it('refuses a frame over the limit whose body arrives with its header in one write, and keeps the connection', async () => {
    const conn = await open();
    const oversized = encodeRawFrame({ messageType: MessageType.Scan, version: protocolVersion, flags: 0, correlationId: 32 }, Buffer.alloc(frameBytesMax + 1, 7));
    const next = conn.encode(Append, appendRequest('raw/after-oversized', 'kept'), { correlationId: 33 });
    await conn.write(Buffer.concat([oversized, next]));
    expect(errorOf(await conn.response(32)).code).to.equal(ErrorCode.FrameTooLarge);
    expect(decodeResponse(Append, await conn.response(33)).count).to.equal(1);
    expect(await scanValues(conn, 'raw/after-oversized')).to.deep.equal(['kept']);
  });

  it('answers garbage Avro in a known message type with INVALID_REQUEST and keeps the connection', async () => {
    const conn = await open();
    await conn.write(encodeRawFrame({ messageType: MessageType.Append, version: protocolVersion, flags: 0, correlationId: 41 }, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])));
    const garbage = errorOf(await conn.response(41));
    expect(garbage.code).to.equal(ErrorCode.InvalidRequest);
    expect(garbage.retryable).to.equal(false);
    // A valid request cut short is malformed too.
    const whole = conn.encode(Append, appendRequest('raw/truncated', 'never stored'), { correlationId: 42 });
    await conn.write(encodeRawFrame({ messageType: MessageType.Append, version: protocolVersion, flags: 0, correlationId: 42 }, whole.subarray(12, whole.length - 3)));
    expect(errorOf(await conn.response(42)).code).to.equal(ErrorCode.InvalidRequest);
    // And so is a valid body with bytes trailing it.
    await conn.write(encodeRawFrame({ messageType: MessageType.Ping, version: protocolVersion, flags: 0, correlationId: 43 }, Buffer.concat([conn.encode(Ping, { timeMs: 5 }).subarray(12), Buffer.from([1, 2, 3])])));
    expect(errorOf(await conn.response(43)).code).to.equal(ErrorCode.InvalidRequest);
    await expectServed(conn, 'the connection still works after malformed bodies');
    expect(await scanValues(conn, 'raw/truncated')).to.deep.equal([]);
    await expectBystanderServed();
  });

  it('answers an unknown message type with UNKNOWN_MESSAGE and keeps the connection', async () => {
    const conn = await open();
    await conn.write(encodeRawFrame({ messageType: 99, version: protocolVersion, flags: 0, correlationId: 51 }, Buffer.from([0])));
    const frame = await conn.response(51);
    expect(frame.messageType).to.equal(99);
    expect(errorOf(frame).code).to.equal(ErrorCode.UnknownMessage);
    await expectServed(conn, 'the connection still works after an unknown message');
    await expectBystanderServed();
  });

  it('answers a frame of a protocol version it does not speak (0, 3) with UNSUPPORTED_VERSION in version 1, and keeps the connection', async () => {
    const conn = await open();
    await conn.write(conn.encode(Ping, { timeMs: 1 }, { version: 3, correlationId: 61 }));
    const frame = await conn.response(61);
    expect(frame.version).to.equal(1);
    expect(errorOf(frame).code).to.equal(ErrorCode.UnsupportedVersion);
    await conn.write(conn.encode(Ping, { timeMs: 1 }, { version: 0, correlationId: 62 }));
    expect(errorOf(await conn.response(62)).code).to.equal(ErrorCode.UnsupportedVersion);
    await expectServed(conn, 'the connection still works after a frame of version 3');
    await expectBystanderServed();
  });

  it('answers a Hello offering protocol version 0 with UNSUPPORTED_VERSION, and one offering a newer version than it speaks with its newest', async () => {
    const conn = await open();
    const id = await conn.send(Hello, { protocolVersion: 0, clientId: 'from-the-past', authToken: null });
    expect(errorOf(await conn.response(id)).code).to.equal(ErrorCode.UnsupportedVersion);
    expect((await conn.request(Hello, { protocolVersion: 1, clientId: 'raw-test', authToken: null })).protocolVersion).to.equal(1);
    expect((await conn.request(Hello, { protocolVersion: 2, clientId: 'raw-test', authToken: null })).protocolVersion).to.equal(2);
    expect((await conn.request(Hello, { protocolVersion: 3, clientId: 'from-the-future', authToken: null })).protocolVersion).to.equal(2);
  });

  it('answers a frame flagged as a response or push (clients send requests only) with INVALID_REQUEST', async () => {
    const conn = await open();
    await conn.write(conn.encode(Ping, { timeMs: 1 }, { flags: FrameFlags.Response, correlationId: 71 }));
    await conn.write(conn.encode(Ping, { timeMs: 1 }, { flags: FrameFlags.Push, correlationId: 72 }));
    expect(errorOf(await conn.response(71)).code).to.equal(ErrorCode.InvalidRequest);
    expect(errorOf(await conn.response(72)).code).to.equal(ErrorCode.InvalidRequest);
    await expectServed(conn, 'the connection still works');
  });

  it('answers a frame length shorter than the header with an error, then closes the connection', async () => {
    const conn = await open();
    await expectServed(conn, 'the connection works before');
    const short = Buffer.alloc(4);
    short.writeUInt32BE(5, 0);
    // Whatever follows the bad length is never parsed.
    await conn.write(Buffer.concat([short, Buffer.alloc(5), conn.encode(Ping, { timeMs: 9 }, { correlationId: 81 })]));
    await conn.waitUntil(() => conn.isClosed, 'the broker to close the connection');
    const errors = conn.frames.filter(isErrorFrame);
    expect(errors).to.have.length(1);
    expect(errors[0].correlationId).to.equal(0);
    expect(errorOf(errors[0]).code).to.equal(ErrorCode.InvalidRequest);
    expect(conn.frames.some((f: Frame) => f.correlationId === 81)).to.equal(false);
    await expectBystanderServed();
  });

  it('closes a connection whose frame does not complete within --partial-frame-timeout-ms, while others are served', async () => {
    const conn = await open();
    const frame = conn.encode(Ping, { timeMs: 1 }, { correlationId: 91 });
    await conn.write(frame.subarray(0, 7));
    await sleep(partialFrameTimeoutMs / 3);
    await expectBystanderServed();
    expect(conn.isEnded).to.equal(false);
    await conn.waitUntil(() => conn.isEnded, 'the broker to drop the stalled connection', partialFrameTimeoutMs * 4);
    expect(conn.frames).to.deep.equal([]);
    await expectBystanderServed();
  });
});
