import { expect } from 'chai';
import { ConflictError, InvalidRequestError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { encodeRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { readEntryBatch, readKeyEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { encodeRawFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags, type Frame } from '../../../src/protocol/frame/FrameHeader.js';
import type { MessageDefinition } from '../../../src/protocol/Message.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Flush } from '../../../src/protocol/messages/flush.js';
import { Seal } from '../../../src/protocol/messages/seal.js';
import { Append, type AppendRequest } from '../../../src/protocol/messages/append.js';
import { Count } from '../../../src/protocol/messages/count.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Unsubscribe } from '../../../src/protocol/messages/unsubscribe.js';
import { CommitCursor } from '../../../src/protocol/messages/commitCursor.js';
import { GetCursor } from '../../../src/protocol/messages/getCursor.js';
import { DeleteCursor } from '../../../src/protocol/messages/deleteCursor.js';
import { ListCursors } from '../../../src/protocol/messages/listCursors.js';
import { ResetCursor } from '../../../src/protocol/messages/resetCursor.js';
import { BackupBegin, BackupEnd, BackupRead } from '../../../src/protocol/messages/backup.js';
import { DeleteKey } from '../../../src/protocol/messages/deleteKey.js';
import { Trim } from '../../../src/protocol/messages/trim.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { ListKeys } from '../../../src/protocol/messages/listKeys.js';
import { ListSegments } from '../../../src/protocol/messages/listSegments.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { Stats } from '../../../src/protocol/messages/stats.js';
import { Subscribe, type SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { errorOf, isErrorFrame, RawConnection, RawErrorResponse } from '../../support/RawConnection.js';

/** Zig-zag varint of any safe-or-not integer (BigInt arithmetic: 2^53 - 1 included). */
function avroLong(n: bigint): Buffer {
  let z = n >= 0n ? n * 2n : -n * 2n - 1n;
  const out: number[] = [];
  do {
    const low = Number(z & 0x7fn);
    z >>= 7n;
    out.push(z > 0n ? low | 0x80 : low);
  } while (z > 0n);
  return Buffer.from(out);
}

function avroBytes(bytes: Buffer): Buffer {
  return Buffer.concat([avroLong(BigInt(bytes.length)), bytes]);
}

function appendRequest(key: string, value: string, fields: Partial<AppendRequest> = {}): AppendRequest {
  return { producerId: null, batchNumber: 0, awaitDurable: false, timeoutMs: 0, expect: [], records: encodeRecordBatch([{ key: Buffer.from(key), value: Buffer.from(value) }]), ...fields };
}

function subscribeRequest(subscriptionId: number, fields: Partial<SubscribeRequest> = {}): SubscribeRequest {
  return { subscriptionId, keys: [Buffer.from('rules/sub')], prefix: null, from: 'LATEST', sequence: 0, cursor: null, creditRecords: 10, creditBytes: 1 << 20, timeMs: 0, ...fields };
}

/** The error code of a request that must fail (throws if it succeeded). */
async function codeOf(promise: Promise<unknown>): Promise<number> {
  const error = await rejectionOf(promise);
  expect(error, String(error)).to.be.instanceOf(RawErrorResponse);
  return (error as RawErrorResponse).body.code;
}

/**
 * The rules of docs/protocol.md a client author relies on, each checked with hand-made frames:
 * where the broker once accepted what the document forbids, it now refuses it with INVALID_REQUEST.
 */
describe('broker: protocol rules as docs/protocol.md states them (raw frames)', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  let broker: BrokerProcess;
  let client: OdlogClient;
  before(() => {
    broker = shared.broker;
    client = shared.client;
  });

  async function raw(): Promise<RawConnection> {
    return fixture.raw(broker);
  }

  /** A request frame whose body is `body` as given (any bytes). */
  function frameOf(conn: RawConnection, messageType: number, body: Buffer, correlationId = conn.allocateCorrelationId()): { frame: Buffer; correlationId: number } {
    return { frame: encodeRawFrame({ messageType, version: protocolVersion, flags: 0, correlationId }, body), correlationId };
  }

  async function answer(conn: RawConnection, messageType: number, body: Buffer): Promise<Frame> {
    const { frame, correlationId } = frameOf(conn, messageType, body);
    await conn.write(frame);
    return conn.response(correlationId);
  }

  describe('trailing bytes and bodies', () => {
    // A valid body for every request type; each is sent as is, then with one byte more.
    const bodies: [string, MessageDefinition<unknown, unknown>, unknown][] = [
      ['Hello', Hello as MessageDefinition<unknown, unknown>, { protocolVersion: 1, clientId: 'rules', authToken: null }],
      ['Ping', Ping as MessageDefinition<unknown, unknown>, { timeMs: 5 }],
      ['Append', Append as MessageDefinition<unknown, unknown>, appendRequest('rules/trail', 'v')],
      ['Scan', Scan as MessageDefinition<unknown, unknown>, { key: Buffer.from('rules/trail'), start: 0, end: null, limit: 10, maxBytes: 1000, maxWaitMs: 0 }],
      ['Subscribe', Subscribe as MessageDefinition<unknown, unknown>, subscribeRequest(40)],
      ['Credit', Credit as MessageDefinition<unknown, unknown>, { subscriptionId: 40, records: 1, bytes: 10 }],
      ['Unsubscribe', Unsubscribe as MessageDefinition<unknown, unknown>, { subscriptionId: 40 }],
      ['Count', Count as MessageDefinition<unknown, unknown>, { key: Buffer.from('rules/trail'), start: 0, end: null }],
      ['ListKeys', ListKeys as MessageDefinition<unknown, unknown>, { startSegment: null, endSegment: null, prefix: null, after: null, limit: 10 }],
      ['ListSegments', ListSegments as MessageDefinition<unknown, unknown>, { start: 0, end: null }],
      ['Seal', Seal as MessageDefinition<unknown, unknown>, {}],
      ['Flush', Flush as MessageDefinition<unknown, unknown>, {}],
      ['CommitCursor', CommitCursor as MessageDefinition<unknown, unknown>, { name: 'rules-trail', sequence: 0, keys: [], prefix: Buffer.from('rules/') }],
      ['GetCursor', GetCursor as MessageDefinition<unknown, unknown>, { name: 'rules-trail' }],
      ['Stats', Stats as MessageDefinition<unknown, unknown>, {}],
      ['ListCursors', ListCursors as MessageDefinition<unknown, unknown>, { prefix: 'rules-', after: null, limit: 10 }],
      ['ResetCursor', ResetCursor as MessageDefinition<unknown, unknown>, { name: 'rules-trail', to: 'SEQUENCE', sequence: 0, timeMs: 0 }],
      ['DeleteCursor', DeleteCursor as MessageDefinition<unknown, unknown>, { name: 'rules-trail' }],
      ['Trim', Trim as MessageDefinition<unknown, unknown>, { key: Buffer.from('rules/trim'), beforeSequence: 1 }],
      ['DeleteKey', DeleteKey as MessageDefinition<unknown, unknown>, { key: Buffer.from('rules/delete') }],
      ['BackupBegin', BackupBegin as MessageDefinition<unknown, unknown>, {}],
      ['BackupRead', BackupRead as MessageDefinition<unknown, unknown>, { backupId: 1_000_000, offset: 0, maxBytes: 16 }],
      ['BackupEnd', BackupEnd as MessageDefinition<unknown, unknown>, { backupId: 1_000_000 }],
    ];

    it('covers every request type the broker serves', async () => {
      const hello = await (await raw()).request(Hello, { protocolVersion: 1, clientId: 'rules', authToken: null });
      expect(bodies.map(([, m]) => m.type).sort((a, b) => a - b)).to.deep.equal([...hello.supportedMessages].sort((a, b) => a - b));
    });

    for (const [name, message, value] of bodies) {
      it(`${name}: a valid body is served; the same body with a byte after its last field is INVALID_REQUEST and has no effect`, async () => {
        const conn = await raw();
        const body = conn.encode(message, value).subarray(12);
        const trailing = Buffer.concat([body, Buffer.from([0])]);
        const countBefore = await client.count('rules/trail');
        const refused = await answer(conn, message.type, trailing);
        expect(isErrorFrame(refused), `${name} with a trailing byte was served`).to.equal(true);
        const error = errorOf(refused);
        expect(error.code, error.message).to.equal(ErrorCode.InvalidRequest);
        expect(error.message).to.match(/trail/);
        expect(await client.count('rules/trail'), 'the refused Append appended').to.equal(countBefore);
        const served = await answer(conn, message.type, body);
        // Credit and Unsubscribe of subscription 40 may find it gone, ResetCursor or DeleteCursor the cursor, and BackupRead or BackupEnd the backup (NOT_FOUND): never INVALID_REQUEST.
        if (isErrorFrame(served)) expect(errorOf(served).code, errorOf(served).message).to.equal(ErrorCode.NotFound);
      });
    }

    it('Seal, Flush and Stats with a non-empty body (length > 8) are INVALID_REQUEST', async () => {
      const conn = await raw();
      for (const type of [MessageType.Seal, MessageType.Flush, MessageType.Stats]) {
        const error = errorOf(await answer(conn, type, Buffer.from([0x02])));
        expect(error.code, `type ${type}`).to.equal(ErrorCode.InvalidRequest);
      }
    });
  });

  describe('numbers the document bounds', () => {
    it('Subscribe with negative initial credit (records or bytes) is INVALID_REQUEST, and no subscription is made', async () => {
      const conn = await raw();
      const before = (await client.stats()).subscriptions;
      expect(await codeOf(conn.request(Subscribe, subscribeRequest(1, { creditRecords: -1 })))).to.equal(ErrorCode.InvalidRequest);
      expect(await codeOf(conn.request(Subscribe, subscribeRequest(2, { creditBytes: -5 })))).to.equal(ErrorCode.InvalidRequest);
      expect((await client.stats()).subscriptions).to.equal(before);
      // Zero credit is valid: nothing is sent until Credit.
      expect((await conn.request(Subscribe, subscribeRequest(3, { creditRecords: 0, creditBytes: 0 }))).subscriptionId).to.equal(3);
    });

    it('Subscribe with subscription id 0 (or negative) is INVALID_REQUEST: ids are 1..2^31-1', async () => {
      const conn = await raw();
      expect(await codeOf(conn.request(Subscribe, subscribeRequest(0)))).to.equal(ErrorCode.InvalidRequest);
      expect(await codeOf(conn.request(Subscribe, subscribeRequest(-3)))).to.equal(ErrorCode.InvalidRequest);
      expect((await conn.request(Subscribe, subscribeRequest(0x7fff_ffff))).subscriptionId).to.equal(0x7fff_ffff);
    });

    it('Append with a negative timeoutMs is INVALID_REQUEST and appends nothing; 0 and positive values are served', async () => {
      const conn = await raw();
      expect(await codeOf(conn.request(Append, appendRequest('rules/timeout', 'never', { timeoutMs: -1 })))).to.equal(ErrorCode.InvalidRequest);
      expect(await client.count('rules/timeout')).to.equal(0);
      await conn.request(Append, appendRequest('rules/timeout', 'zero', { timeoutMs: 0 }));
      await conn.request(Append, appendRequest('rules/timeout', 'waits', { timeoutMs: 1000 }));
      expect(await client.count('rules/timeout')).to.equal(2);
    });

    it('byte credit up to 2^53 - 2 is accepted and accumulates (capped there); 2^53 - 1 is outside the wire range: INVALID_REQUEST', async () => {
      const conn = await raw();
      const biggest = 2 ** 53 - 2;
      await conn.request(Subscribe, subscribeRequest(7, { keys: [Buffer.from('rules/credit')], creditRecords: 0, creditBytes: biggest }));
      // Granting the maximum again caps the sum; the subscription keeps working.
      await conn.request(Credit, { subscriptionId: 7, records: 2, bytes: biggest });
      const tooBig = Buffer.concat([avroLong(7n), avroLong(1n), avroLong(2n ** 53n - 1n)]);
      const error = errorOf(await answer(conn, MessageType.Credit, tooBig));
      expect(error.code).to.equal(ErrorCode.InvalidRequest);
      await client.append([{ key: 'rules/credit', value: 'one' }, { key: 'rules/credit', value: 'two' }, { key: 'rules/credit', value: 'three' }]);
      await conn.waitUntil(() => conn.pushes(7).length > 0 && pushedValues(conn, 7).length >= 2, 'two pushed entries');
      // Two records of credit: exactly two entries, whatever the byte credit. A Ping answered after
      // the commit shows nothing more was on its way.
      await conn.request(Ping, { timeMs: 1 });
      expect(pushedValues(conn, 7)).to.deep.equal(['one', 'two']);
    });
  });

  describe('correlation id 0', () => {
    it('a request with correlation id 0 gets a connection-level INVALID_REQUEST (message type 0, correlation id 0), is not served, and the connection is closed', async () => {
      const conn = await raw();
      const { frame } = frameOf(conn, MessageType.Append, conn.encode(Append, appendRequest('rules/cid0', 'must not be appended')).subarray(12), 0);
      await conn.write(frame);
      await conn.waitUntil(() => conn.isClosed, 'the broker to close the connection');
      expect(conn.frames).to.have.length(1);
      const [only] = conn.frames;
      expect({ messageType: only.messageType, correlationId: only.correlationId, flags: only.flags }).to.deep.equal({ messageType: 0, correlationId: 0, flags: FrameFlags.Response | FrameFlags.Error });
      const error = errorOf(only);
      expect(error.code).to.equal(ErrorCode.InvalidRequest);
      expect(error.message).to.match(/correlation id 0/);
      expect(await client.count('rules/cid0')).to.equal(0);
    });
  });

  describe('strings', () => {
    it('a string that is not valid UTF-8 (Hello clientId, Append producerId, cursor name) is INVALID_REQUEST', async () => {
      const conn = await raw();
      const badUtf8 = Buffer.from([0x61, 0xff, 0xfe]);
      const hello = errorOf(await answer(conn, MessageType.Hello, Buffer.concat([avroLong(1n), avroBytes(badUtf8), Buffer.from([0])])));
      expect(hello.code).to.equal(ErrorCode.InvalidRequest);
      expect(hello.message).to.match(/UTF-8/);
      const records = encodeRecordBatch([{ key: Buffer.from('rules/utf8'), value: Buffer.from('v') }]);
      const append = Buffer.concat([Buffer.from([0x02]), avroBytes(badUtf8), avroLong(1n), Buffer.from([0]), avroLong(0n), Buffer.from([0]), avroBytes(records)]);
      expect(errorOf(await answer(conn, MessageType.Append, append)).code).to.equal(ErrorCode.InvalidRequest);
      expect(await client.count('rules/utf8')).to.equal(0);
      const commit = Buffer.concat([avroBytes(badUtf8), avroLong(0n), Buffer.from([0]), Buffer.from([0x02]), avroBytes(Buffer.from('rules/'))]);
      expect(errorOf(await answer(conn, MessageType.CommitCursor, commit)).code).to.equal(ErrorCode.InvalidRequest);
      // Valid UTF-8 beyond ASCII is fine.
      expect((await conn.request(Hello, { protocolVersion: 1, clientId: 'clé-客户端', authToken: null })).authenticated).to.equal(true);
    });
  });

  describe('Scan with no end', () => {
    it('an empty page means nothing more is visible now: nextSequence is the visible end, and scanning again from it later returns what came since', async () => {
      const conn = await raw();
      const first = await client.append([{ key: 'rules/tailscan', value: 'a' }]);
      const page = await conn.request(Scan, { key: Buffer.from('rules/tailscan'), start: first.startSequence + 1, end: null, limit: 10, maxBytes: 1000, maxWaitMs: 0, startTimeMs: null });
      expect(readKeyEntryBatch(page.entries)).to.deep.equal([]);
      expect(page.nextSequence).to.equal((await client.stats()).committedSequence);
      await client.append([{ key: 'rules/other', value: 'x' }]);
      const later = await client.append([{ key: 'rules/tailscan', value: 'b' }]);
      const next = await conn.request(Scan, { key: Buffer.from('rules/tailscan'), start: page.nextSequence, end: null, limit: 10, maxBytes: 1000, maxWaitMs: 0, startTimeMs: null });
      expect(readKeyEntryBatch(next.entries).map((e) => [e.sequence, e.value.toString()])).to.deep.equal([[later.startSequence, 'b']]);
    });
  });

  describe('the idempotency window', () => {
    it('remembers the last 64 appended batches: a refused one (CONFLICT) is not remembered, a retry of a remembered one is a duplicate, one older than all 64 is INVALID_REQUEST', async () => {
      const producer = { id: 'rules-window' };
      const append = (batchNumber: number, value = `b${batchNumber}`) => client.append([{ key: 'rules/window', value }], { producer: { ...producer, batchNumber } });
      const refused = await rejectionOf(client.append([{ key: 'rules/window', value: 'b1000 refused' }], { producer: { ...producer, batchNumber: 1000 }, expect: [{ key: 'rules/window', lastSequence: 12_345 }] }));
      expect(refused).to.be.instanceOf(ConflictError);
      const ten = await append(10);
      expect(ten.duplicate).to.equal(false);
      // 1000 was refused, so it is new now.
      const thousand = await append(1000);
      expect(thousand.duplicate).to.equal(false);
      expect(await append(10, 'b10 again')).to.deep.include({ startSequence: ten.startSequence, duplicate: true });
      expect(await append(1000)).to.deep.include({ startSequence: thousand.startSequence, duplicate: true });
      // Fewer than 64 remembered: a number below them all is still new.
      expect((await append(5)).duplicate).to.equal(false);
      // 61 more make 64 (10, 1000, 5, 1001..1061); one more forgets the oldest appended, 10.
      for (let n = 1001; n <= 1062; n++) await append(n);
      expect(await rejectionOf(append(4))).to.be.instanceOf(InvalidRequestError);
      expect((await append(10, 'b10 once more')).duplicate, 'forgotten, and above the oldest remembered (5): new').to.equal(false);
      expect(await append(1062)).to.deep.include({ duplicate: true });
      const values: string[] = [];
      for await (const e of client.scanAll('rules/window')) values.push(e.value.toString());
      expect(values.slice(0, 3)).to.deep.equal(['b10', 'b1000', 'b5']);
      expect(values.filter((v) => v.startsWith('b10 '))).to.deep.equal(['b10 once more']);
      expect(values).to.have.length(3 + 62 + 1);
    });
  });
});

describe('broker: the readiness line', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('is printed once on stdout, after the port accepts, as `odlog listening on HOST:PORT (data DIR, durability D[, tls][, metrics URL])`', async () => {
    const broker = await fixture.start(['--durability', 'async', '--metrics-port', '0']);
    const lines = broker.stdout.split('\n').filter((l) => l.startsWith('odlog listening'));
    expect(lines).to.have.length(1);
    const m = /^odlog listening on (127\.0\.0\.1):(\d+) \(data (.+), durability (sync|async)(, tls)?, metrics (http:\/\/127\.0\.0\.1:\d+\/metrics)\)$/.exec(lines[0]);
    expect(m, lines[0]).to.not.equal(null);
    expect(Number(m?.[2])).to.equal(broker.port).and.to.be.greaterThan(0);
    expect(m?.[3]).to.equal(broker.dataDir);
    expect(m?.[4]).to.equal('async');
    // Ready means ready: a connection made right after the line is served.
    const conn = await fixture.raw(broker);
    expect((await conn.request(Ping, { timeMs: 3 })).timeMs).to.equal(3);
    const scrape = await fetch(m?.[6] as string);
    expect(scrape.status).to.equal(200);
  });
});

function pushedValues(conn: RawConnection, subscriptionId: number): string[] {
  return conn.pushes(subscriptionId).flatMap((f) => readEntryBatch(SubscriptionBatchPush.body.at(1).decode(f.body).entries).map((e) => e.value.toString()));
}
