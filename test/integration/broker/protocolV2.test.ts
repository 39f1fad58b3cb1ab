import { expect } from 'chai';
import { limits } from '../../../src/limits.js';
import { readKeyEntryBatch, type KeyEntry } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { encodeRecordBatch, type RecordBytes } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { Append, type AppendRequest } from '../../../src/protocol/messages/append.js';
import { Count } from '../../../src/protocol/messages/count.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { ListSegments } from '../../../src/protocol/messages/listSegments.js';
import { Seal } from '../../../src/protocol/messages/seal.js';
import { Scan, type ScanRequest } from '../../../src/protocol/messages/scan.js';
import { Subscribe, type SubscribeRequest } from '../../../src/protocol/messages/subscribe.js';
import type { ProtocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { pushedEntries } from '../../support/PushFrames.js';
import { RawErrorResponse, type RawConnection } from '../../support/RawConnection.js';

const trace = { name: 'trace', value: Buffer.from('abc') };

function appendOf(records: readonly RecordBytes[], version: ProtocolVersion): AppendRequest {
  return { producerId: null, batchNumber: 0, awaitDurable: false, timeoutMs: 0, expect: [], records: encodeRecordBatch(records, version) };
}

function scanOf(key: string, fields: Partial<ScanRequest> = {}): ScanRequest {
  return { key: Buffer.from(key), start: 0, end: null, limit: 1000, maxBytes: 1 << 20, maxWaitMs: 0, startTimeMs: null, ...fields };
}

function subscribeOf(subscriptionId: number, keys: string[], fields: Partial<SubscribeRequest> = {}): SubscribeRequest {
  return { subscriptionId, keys: keys.map((k) => Buffer.from(k)), prefix: null, from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 1000, creditBytes: 1 << 20, timeMs: 0, ...fields };
}

async function codeOf(promise: Promise<unknown>): Promise<number> {
  const error = await rejectionOf(promise);
  expect(error, String(error)).to.be.instanceOf(RawErrorResponse);
  return (error as RawErrorResponse).body.code;
}

/** Resolve once the wall clock is past `timeMs` (commits stamp the broker's clock, which is this machine's). */
async function clockPast(timeMs: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() <= timeMs) {
    if (Date.now() > deadline) throw new Error(`the clock did not pass ${timeMs}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('broker: protocol version 2 (headers, timestamps, offsets, starting at a time) beside version 1', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();

  async function raw(version: ProtocolVersion): Promise<RawConnection> {
    const conn = await fixture.raw(shared.broker);
    const hello = await conn.request(Hello, { protocolVersion: version, clientId: `v${version}`, authToken: null });
    expect(hello.protocolVersion).to.equal(version);
    conn.version = version;
    return conn;
  }

  async function scanEntries(conn: RawConnection, key: string, fields: Partial<ScanRequest> = {}): Promise<{ entries: KeyEntry[]; nextSequence: number }> {
    const page = await conn.request(Scan, scanOf(key, fields));
    return { entries: readKeyEntryBatch(page.entries, conn.version), nextSequence: page.nextSequence };
  }

  it('answers a version 2 Scan with entries carrying offset, append time and headers as appended, in order', async () => {
    const conn = await raw(2);
    const before = Date.now();
    const { startSequence } = await conn.request(Append, appendOf([
      { key: Buffer.from('v2/h'), value: Buffer.from('one'), headers: [trace, { name: 'gone', value: null }] },
      { key: Buffer.from('v2/h'), value: Buffer.from('two') },
    ], 2));
    const after = Date.now();
    const { entries } = await scanEntries(conn, 'v2/h');
    expect(entries.map((e) => [e.sequence, e.offset, e.value.toString()])).to.deep.equal([[startSequence, 0, 'one'], [startSequence + 1, 1, 'two']]);
    for (const e of entries) expect(e.timestamp).to.be.within(before, after);
    expect(entries[0].headers?.map((h) => [h.name, h.value?.toString() ?? null])).to.deep.equal([['trace', 'abc'], ['gone', null]]);
    expect(entries[1]).not.to.have.property('headers');
  });

  it('answers a version 1 Scan of the same records exactly as before version 2: sequence and value only, no headers', async () => {
    const v2 = await raw(2);
    const { startSequence } = await v2.request(Append, appendOf([{ key: Buffer.from('v2/old-reader'), value: Buffer.from('x'), headers: [trace] }], 2));
    const v1 = await raw(1);
    const page = await v1.request(Scan, scanOf('v2/old-reader'));
    // key-entry-batch.avsc: one block of one entry (sequence, value "x"), then the end.
    const z = startSequence * 2;
    expect(page.entries.toString('hex')).to.equal(Buffer.concat([Buffer.from([2]), encodeLong(z), Buffer.from('0278', 'hex'), Buffer.from([0])]).toString('hex'));
  });

  it('keeps serving a version 1 client unchanged: it appends without headers and reads entries without them', async () => {
    const v1 = await raw(1);
    const { startSequence } = await v1.request(Append, appendOf([{ key: Buffer.from('v2/v1only'), value: Buffer.from('a') }], 1));
    const { entries } = await scanEntries(v1, 'v2/v1only');
    expect(entries).to.deep.equal([{ sequence: startSequence, value: Buffer.from('a') }]);
    // The same record read in version 2 has its offset and time, and no headers.
    const v2 = await raw(2);
    const read = (await scanEntries(v2, 'v2/v1only')).entries;
    expect(read.map((e) => [e.sequence, e.offset, typeof e.timestamp, e.headers])).to.deep.equal([[startSequence, 0, 'number', undefined]]);
  });

  it('refuses a header name starting with "odlog." with INVALID_REQUEST, and appends nothing of the batch', async () => {
    const conn = await raw(2);
    const code = await codeOf(conn.request(Append, appendOf([
      { key: Buffer.from('v2/reserved'), value: Buffer.from('fine') },
      { key: Buffer.from('v2/reserved'), value: Buffer.from('bad'), headers: [{ name: 'odlog.key', value: Buffer.from('k') }] },
    ], 2)));
    expect(code).to.equal(ErrorCode.InvalidRequest);
    expect((await conn.request(Count, { key: Buffer.from('v2/reserved'), start: 0, end: null })).count).to.equal(0);
  });

  it('refuses more headers on a record than the bound, and a header name over its bound, with INVALID_REQUEST', async () => {
    const conn = await raw(2);
    const tooMany = Array.from({ length: limits.headersPerRecordMax + 1 }, (_, i) => ({ name: `h${i}`, value: null }));
    expect(await codeOf(conn.request(Append, appendOf([{ key: Buffer.from('v2/bounds'), value: Buffer.from('v'), headers: tooMany }], 2)))).to.equal(ErrorCode.InvalidRequest);
    const longName = [{ name: 'n'.repeat(limits.headerNameBytesMax + 1), value: null }];
    expect(await codeOf(conn.request(Append, appendOf([{ key: Buffer.from('v2/bounds'), value: Buffer.from('v'), headers: longName }], 2)))).to.equal(ErrorCode.InvalidRequest);
    expect((await conn.request(Count, { key: Buffer.from('v2/bounds'), start: 0, end: null })).count).to.equal(0);
  });

  it('pushes version 2 entries with headers, both from storage (catch-up) and live, to a version 2 subscription', async () => {
    const conn = await raw(2);
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/sub'), value: Buffer.from('stored'), headers: [trace] }], 2));
    await conn.request(Subscribe, subscribeOf(11, ['v2/sub']));
    await conn.waitUntil(() => conn.pushes(11).flatMap(pushedEntries).length >= 1, 'the stored entry');
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/sub'), value: Buffer.from('live'), headers: [{ name: 'n', value: Buffer.from('2') }] }], 2));
    await conn.waitUntil(() => conn.pushes(11).flatMap(pushedEntries).length >= 2, 'the live entry');
    const entries = conn.pushes(11).flatMap(pushedEntries);
    expect(entries.map((e) => [e.key.toString(), e.offset, e.value.toString(), e.headers?.map((h) => `${h.name}=${h.value?.toString()}`)])).to.deep.equal([
      ['v2/sub', 0, 'stored', ['trace=abc']],
      ['v2/sub', 1, 'live', ['n=2']],
    ]);
    for (const e of entries) expect(e.timestamp).to.be.a('number');
  });

  it('pushes version 1 entries (no headers, no timestamps) to a version 1 subscription of the same records', async () => {
    const v2 = await raw(2);
    await v2.request(Append, appendOf([{ key: Buffer.from('v2/sub1'), value: Buffer.from('x'), headers: [trace] }], 2));
    const v1 = await raw(1);
    await v1.request(Subscribe, subscribeOf(12, ['v2/sub1']));
    await v1.waitUntil(() => v1.pushes(12).length >= 1, 'a push');
    expect(v1.pushes(12)[0].version).to.equal(1);
    expect(v1.pushes(12).flatMap(pushedEntries).map((e) => Object.keys(e).sort())).to.deep.equal([['key', 'sequence', 'value']]);
  });

  it('charges a version 2 entry its header bytes too: it waits for byte credit covering key, value, header names and values', async () => {
    const conn = await raw(2);
    // key 9 + value 1 + header name 5 + header value 3 = 18 bytes.
    const cost = 'v2/credit'.length + 1 + 'trace'.length + 3;
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/credit'), value: Buffer.from('x'), headers: [trace] }], 2));
    await conn.request(Subscribe, subscribeOf(13, ['v2/credit'], { creditBytes: cost - 1 }));
    const other = await raw(2);
    await other.request(Subscribe, subscribeOf(14, ['v2/credit'], { creditBytes: cost }));
    await other.waitUntil(() => other.pushes(14).length >= 1, 'the entry, with exactly enough credit');
    // The subscription granted one byte less (started first) got nothing; one more byte lets the entry through.
    expect(conn.pushes(13)).to.have.length(0);
    await conn.request(Credit, { subscriptionId: 13, records: 0, bytes: 1 });
    await conn.waitUntil(() => conn.pushes(13).length >= 1, 'the entry, once the byte credit covers it');
  });

  it('starts a version 2 Scan at a time: the key\'s first entry appended at or after it; a time after every entry gives an empty page at the visible end', async () => {
    const conn = await raw(2);
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/time'), value: Buffer.from('early') }], 2));
    const early = (await scanEntries(conn, 'v2/time')).entries[0];
    await clockPast(early.timestamp as number);
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/time'), value: Buffer.from('late') }], 2));
    const late = (await scanEntries(conn, 'v2/time')).entries[1];
    expect(late.timestamp).to.be.greaterThan(early.timestamp as number);
    const fromLate = await scanEntries(conn, 'v2/time', { startTimeMs: late.timestamp });
    expect(fromLate.entries.map((e) => e.value.toString())).to.deep.equal(['late']);
    const fromEarly = await scanEntries(conn, 'v2/time', { startTimeMs: early.timestamp });
    expect(fromEarly.entries.map((e) => e.value.toString())).to.deep.equal(['early', 'late']);
    // `start` still applies when it is later than the time's entry.
    expect((await scanEntries(conn, 'v2/time', { startTimeMs: early.timestamp, start: late.sequence })).entries.map((e) => e.value.toString())).to.deep.equal(['late']);
    const future = await scanEntries(conn, 'v2/time', { startTimeMs: Date.now() + 3_600_000 });
    expect(future.entries).to.deep.equal([]);
    expect(future.nextSequence).to.be.greaterThan(late.sequence);
  });

  it('starts a version 2 subscription at a time (from = TIME): its first entry is the first appended at or after it', async () => {
    const conn = await raw(2);
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/subtime'), value: Buffer.from('before') }], 2));
    const before = (await scanEntries(conn, 'v2/subtime')).entries[0];
    await clockPast(before.timestamp as number);
    await conn.request(Append, appendOf([{ key: Buffer.from('v2/subtime'), value: Buffer.from('after') }], 2));
    const after = (await scanEntries(conn, 'v2/subtime')).entries[1];
    const response = await conn.request(Subscribe, subscribeOf(15, ['v2/subtime'], { from: 'TIME', timeMs: after.timestamp }));
    expect(response.startSequence).to.be.at.most(after.sequence);
    expect(response.startSequence).to.be.greaterThan(before.sequence);
    await conn.waitUntil(() => conn.pushes(15).length >= 1, 'a push');
    expect(conn.pushes(15).flatMap(pushedEntries).map((e) => e.value.toString())).to.deep.equal(['after']);
  });

  it('answers a version 2 Seal with the segment it sealed, or null when there was nothing to seal; a version 1 Seal with an empty body, as before', async () => {
    const v2 = await raw(2);
    await v2.request(Append, appendOf([{ key: Buffer.from('v2/seal'), value: Buffer.from('x') }], 2));
    const segments = await v2.request(ListSegments, { start: 0, end: null });
    const active = segments.segments[segments.segments.length - 1];
    expect(active.sealed).to.equal(false);
    expect((await v2.request(Seal, {})).sealedSegment).to.equal(active.id);
    expect((await v2.request(Seal, {})).sealedSegment).to.equal(null);
    const v1 = await raw(1);
    await v1.request(Append, appendOf([{ key: Buffer.from('v2/seal'), value: Buffer.from('y') }], 1));
    const id = await v1.send(Seal, {});
    const frame = await v1.response(id);
    expect([frame.version, frame.body.length]).to.deep.equal([1, 0]);
  });

  it('refuses from = TIME in a version 1 Subscribe, whose enum has no such symbol: the client cannot encode it', async () => {
    const conn = await raw(1);
    expect(() => conn.encode(Subscribe, subscribeOf(16, ['v2/x'], { from: 'TIME' }))).to.throw(/TIME/);
  });
});

/** Zig-zag already applied: the varint of `z`. */
function encodeLong(z: number): Buffer {
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return Buffer.from(out);
}
