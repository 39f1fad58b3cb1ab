import { expect } from 'chai';
import { EntryBatchWriter, readEntryBatch, readKeyEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { encodeRecordBatch, walkRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode, isRetryable } from '../../../src/protocol/ErrorCode.js';
import { FrameDecoder } from '../../../src/protocol/frame/FrameDecoder.js';
import { encodeFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { appendRecords, appendRecordsV2, exampleTimeMs, goldenFrames, pushEntries, pushEntriesV2, scanEntries, scanEntriesV2 } from './goldenFrames.js';
import { hex, plain, readFixture, RecordingSink } from './protocolTestKit.js';

describe('golden frames (test/fixtures/*.hex)', () => {
  for (const g of goldenFrames) {
    describe(g.name, () => {
      it('encodes to the committed fixture bytes', () => {
        const actual = hex(encodeFrame(g.header, g.schema, g.value));
        expect(actual, `${g.name}: the wire bytes changed; if on purpose, update test/fixtures/${g.name}.hex and docs/protocol.md to\n${actual}\n`).to.equal(hex(readFixture(g.name)));
      });

      it('encodes to the same bytes whatever the size hint', () => {
        for (const hint of [0, 1, 16, 4096]) expect(hex(encodeFrame(g.header, g.schema, g.value, hint))).to.equal(hex(readFixture(g.name)));
      });

      it('decodes from the fixture to the header and the value', () => {
        const bytes = readFixture(g.name);
        expect(bytes.readUInt32BE(0), 'length prefix').to.equal(bytes.length - 4);
        const sink = new RecordingSink();
        new FrameDecoder(16 * 1024 * 1024).push(bytes, sink);
        expect(sink.events.map((e) => e.kind)).to.deep.equal(['frame']);
        const [frame] = sink.frames;
        expect(frame.header).to.deep.equal(g.header);
        expect(plain(g.schema.decode(Buffer.from(frame.body, 'hex')))).to.deep.equal(plain(g.value));
      });

      it('decodes from the fixture fed one byte at a time', () => {
        const bytes = readFixture(g.name);
        const sink = new RecordingSink();
        const decoder = new FrameDecoder(16 * 1024 * 1024);
        for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1), sink);
        expect(sink.frames).to.have.length(1);
        expect(plain(g.schema.decode(Buffer.from(sink.frames[0].body, 'hex')))).to.deep.equal(plain(g.value));
      });
    });
  }

  it('decodes all fixtures back to back as one stream, in order', () => {
    const sink = new RecordingSink();
    new FrameDecoder(16 * 1024 * 1024).push(Buffer.concat(goldenFrames.map((g) => readFixture(g.name))), sink);
    expect(sink.frames.map((f) => f.header)).to.deep.equal(goldenFrames.map((g) => g.header));
  });

  it('carries in AppendRequest.records the record batch that encodeRecordBatch writes and walkRecordBatch reads', () => {
    const records = [
      { key: Buffer.from('k'), value: Buffer.from('v1') },
      { key: Buffer.from('k'), value: Buffer.from('v2') },
    ];
    expect(hex(encodeRecordBatch(records))).to.equal(hex(appendRecords));
    const walked = walkRecordBatch(appendRecords, 10);
    expect(walked.count).to.equal(2);
    expect(walked.payloadBytes).to.equal(6);
  });

  it('carries in ScanResponse.entries the key-entry batch that EntryBatchWriter writes', () => {
    const writer = new EntryBatchWriter(false);
    writer.add(undefined, 42, Buffer.from('v1'));
    writer.add(undefined, 43, Buffer.from('v2'));
    expect(hex(writer.finish())).to.equal(hex(scanEntries));
    expect(plain(readKeyEntryBatch(scanEntries))).to.deep.equal(plain([{ sequence: 42, value: Buffer.from('v1') }, { sequence: 43, value: Buffer.from('v2') }]));
  });

  it('carries in SubscriptionBatch.entries the entry batch that EntryBatchWriter writes', () => {
    const writer = new EntryBatchWriter(true);
    writer.add(Buffer.from('k'), 42, Buffer.from('v1'));
    writer.add(Buffer.from('k'), 43, Buffer.from('v2'));
    expect(hex(writer.finish())).to.equal(hex(pushEntries));
    expect(readEntryBatch(pushEntries).map((e) => e.sequence)).to.deep.equal([42, 43]);
  });

  it('carries in a version 2 AppendRequest.records the record batch with headers that encodeRecordBatch writes and walkRecordBatch reads', () => {
    const records = [
      { key: Buffer.from('k'), value: Buffer.from('v1'), headers: [{ name: 'trace', value: Buffer.from('abc') }] },
      { key: Buffer.from('k'), value: Buffer.from('v2'), headers: [{ name: 'gone', value: null }] },
    ];
    expect(hex(encodeRecordBatch(records, 2))).to.equal(hex(appendRecordsV2));
    const walked = walkRecordBatch(appendRecordsV2, 10, 0, appendRecordsV2.length, 2);
    expect(walked.count).to.equal(2);
    expect(walked.payloadBytes).to.equal(6);
    expect(plain(walked.headers)).to.deep.equal(plain([[{ name: 'trace', value: Buffer.from('abc') }], [{ name: 'gone', value: null }]]));
  });

  it('carries in a version 2 ScanResponse.entries the key-entry batch with offset, timestamp and headers that EntryBatchWriter writes', () => {
    const writer = new EntryBatchWriter(false, 2);
    writer.add(undefined, 42, Buffer.from('v1'), 0, 2, 0, exampleTimeMs, [{ name: 'trace', value: Buffer.from('abc') }]);
    writer.add(undefined, 43, Buffer.from('v2'), 0, 2, 1, exampleTimeMs + 1);
    expect(hex(writer.finish())).to.equal(hex(scanEntriesV2));
    expect(plain(readKeyEntryBatch(scanEntriesV2, 2))).to.deep.equal(
      plain([
        { sequence: 42, offset: 0, timestamp: exampleTimeMs, value: Buffer.from('v1'), headers: [{ name: 'trace', value: Buffer.from('abc') }] },
        { sequence: 43, offset: 1, timestamp: exampleTimeMs + 1, value: Buffer.from('v2') },
      ]),
    );
  });

  it('carries in a version 2 SubscriptionBatch.entries the entry batch with keys, offset, timestamp and headers that EntryBatchWriter writes', () => {
    const writer = new EntryBatchWriter(true, 2);
    writer.add(Buffer.from('k'), 42, Buffer.from('v1'), 0, 2, 0, exampleTimeMs, [{ name: 'trace', value: Buffer.from('abc') }]);
    writer.add(Buffer.from('k'), 43, Buffer.from('v2'), 0, 2, 1, exampleTimeMs + 1, []);
    expect(hex(writer.finish())).to.equal(hex(pushEntriesV2));
    expect(readEntryBatch(pushEntriesV2, 2).map((e) => [e.key.toString(), e.sequence, e.offset, e.timestamp, e.headers?.length ?? 0])).to.deep.equal([
      ['k', 42, 0, exampleTimeMs, 1],
      ['k', 43, 1, exampleTimeMs + 1, 0],
    ]);
  });

  it('reads a version 1 Scan request body into the version 2 type, the new field at its default (null)', () => {
    const body = readFixture('scan.request').subarray(12);
    expect(plain(Scan.request.at(1).decode(body))).to.deep.equal(plain({ key: Buffer.from('k'), start: 42, end: null, limit: 100, maxBytes: 65536, maxWaitMs: 5000, startTimeMs: null }));
  });

  it('numbers CONFLICT 8 and marks it not retryable, as the error fixture says', () => {
    expect(ErrorCode.Conflict).to.equal(8);
    expect(isRetryable(ErrorCode.Conflict)).to.equal(false);
  });
});
