/**
 * Micro-benchmarks (tinybench), each beside the baseline it should be compared with:
 * raw lmdb puts and range reads for the storage paths, a Buffer copy of the same bytes for codecs.
 *
 *   npm run bench:micro                 print the table
 *   npm run bench:micro -- --json FILE  also write it as JSON
 *   npm run bench:micro -- --time 300   ms per task (default 500)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Bench } from 'tinybench';
import { EntryBatchWriter, readEntryBatch, readKeyEntryBatch } from '../../src/protocol/batch/EntryBatchCodec.js';
import { encodeRecordBatch, walkRecordBatch } from '../../src/protocol/batch/RecordBatchCodec.js';
import { FrameDecoder } from '../../src/protocol/frame/FrameDecoder.js';
import { encodeFrame } from '../../src/protocol/frame/FrameEncoder.js';
import { Append } from '../../src/protocol/messages/append.js';
import { batchSchemas } from '../../src/protocol/batch/batchSchemas.js';
import { publishedSchemas } from '../../src/protocol/catalogue.js';
import { compileBody } from '../../src/protocol/schema/BodySchema.js';
import { LogDb, RecordBatch } from '../../src/index.js';
import { headerBlocks } from '../../src/broker/handlers/headerBlocks.js';
import { nonNegativeInteger, text, valueFlag } from '../../src/args/Flag.js';
import { parseScriptArgs } from '../support/ScriptArgs.js';

const flags = parseScriptArgs(
  { time: valueFlag('time', 'MS', 'ms per task', nonNegativeInteger), json: valueFlag('json', 'FILE', 'also write the table as JSON', text) },
  { command: 'npm run bench:micro --', summary: 'Micro-benchmarks of codecs and storage operations, each beside its baseline.', examples: ['npm run bench:micro -- --json micro.json'] },
);
const args = { time: flags.time ?? 500, json: flags.json ?? '' };
const records = 1000;
const keys = Array.from({ length: records }, (_, i) => Buffer.from(`key-${i % 100}`));
const value = Buffer.alloc(100, 0x61);
const recordList = keys.map((key) => ({ key, value }));
const recordBytes = encodeRecordBatch(recordList);

interface Row {
  group: string;
  task: string;
  baseline: boolean;
  items: number;
  opsPerSec: number;
  itemsPerSec: number;
  meanUs: number;
}

const rows: Row[] = [];

async function group(name: string, items: number, tasks: [string, () => unknown, boolean?][]): Promise<void> {
  const bench = new Bench({ time: Number(args.time), warmupTime: 100 });
  for (const [task, fn] of tasks) bench.add(task, fn);
  await bench.run();
  for (const t of bench.tasks) {
    const hz = t.result?.throughput?.mean ?? (t.result as { hz?: number } | undefined)?.hz ?? 0;
    const baseline = tasks.find(([task]) => task === t.name)?.[2] === true;
    rows.push({ group: name, task: t.name, baseline, items, opsPerSec: hz, itemsPerSec: hz * items, meanUs: hz > 0 ? 1e6 / hz : 0 });
  }
}

// ---- codecs ---------------------------------------------------------------------------------------

const appendRequest = { producerId: 'p', batchNumber: 1, awaitDurable: true, timeoutMs: 0, expect: [], records: recordBytes };
const appendFrame = encodeFrame({ messageType: Append.type, version: 1, flags: 0, correlationId: 7 }, Append.request.at(1), appendRequest);
const hundredFrames = Buffer.concat(Array.from({ length: 100 }, () => encodeFrame({ messageType: Append.type, version: 1, flags: 1, correlationId: 7 }, Append.response.at(1), { startSequence: 123456, count: 1000, duplicate: false })));
const sink = { frame: () => undefined, oversized: () => undefined, malformed: () => undefined };
const copyTarget = Buffer.allocUnsafe(1 << 21);

await group('frame (1 Append of 1000 records)', 1, [
  ['encodeFrame(Append request)', () => encodeFrame({ messageType: Append.type, version: 1, flags: 0, correlationId: 7 }, Append.request.at(1), appendRequest)],
  ['baseline: Buffer copy of the frame', () => appendFrame.copy(copyTarget), true],
]);
await group('frame decode (100 small frames in one chunk)', 100, [
  ['FrameDecoder.push', () => new FrameDecoder(1 << 24).push(hundredFrames, sink)],
  ['baseline: Buffer copy of the chunk', () => hundredFrames.copy(copyTarget), true],
]);
await group('record batch (1000 records, 100 B values)', records, [
  ['walkRecordBatch', () => walkRecordBatch(recordBytes, 100_000)],
  ['encodeRecordBatch', () => encodeRecordBatch(recordList)],
  ['avsc record-batch.avsc decode', (() => {
    const type = batchSchemas.record[1].type;
    return () => type.fromBuffer(recordBytes);
  })()],
  ['baseline: Buffer copy of the batch', () => recordBytes.copy(copyTarget), true],
]);
// Protocol version 2: what headers cost when absent (a 00 per record) and when present (two per
// record), against version 1 on the same records. The broker's path is walk + storage header blocks.
const withHeaders = recordList.map((r, i) => ({ ...r, headers: [{ name: 'trace-id', value: Buffer.from(`t-${i}`) }, { name: 'content-type', value: Buffer.from('application/json') }] }));
const recordBytesV2 = encodeRecordBatch(recordList, 2);
const recordBytesV2Headers = encodeRecordBatch(withHeaders, 2);
const walkWithBlocks = (bytes: Buffer): unknown => {
  const walked = walkRecordBatch(bytes, 100_000, 0, bytes.length, 2);
  return walked.headers !== undefined ? headerBlocks(walked.headers, walked.count) : walked;
};
await group('record batch walk, protocol 2 (1000 records, 100 B values)', records, [
  ['walkRecordBatch, version 1', () => walkRecordBatch(recordBytes, 100_000), true],
  ['walkRecordBatch, version 2, no headers', () => walkWithBlocks(recordBytesV2)],
  ['walkRecordBatch + header blocks, version 2, 2 headers/record', () => walkWithBlocks(recordBytesV2Headers)],
]);
await group('record batch encode, protocol 2 (1000 records, 100 B values)', records, [
  ['encodeRecordBatch, version 1', () => encodeRecordBatch(recordList), true],
  ['encodeRecordBatch, version 2, no headers', () => encodeRecordBatch(recordList, 2)],
  ['encodeRecordBatch, version 2, 2 headers/record', () => encodeRecordBatch(withHeaders, 2)],
]);
const twoHeaders = withHeaders[0].headers;
const entriesOf = (version: 1 | 2, headers: typeof twoHeaders | undefined): Buffer => {
  const w = new EntryBatchWriter(true, version);
  for (let i = 0; i < records; i++) w.add(keys[i], 1_000_000 + i, value, 0, value.length, i, 1_764_669_600_000 + i, headers);
  return w.finish();
};
const entryBytesV2 = entriesOf(2, undefined);
const entryBytesV2Headers = entriesOf(2, twoHeaders);
await group('entry batch, protocol 2 (1000 entries, 100 B values)', records, [
  ['EntryBatchWriter, version 1', () => entriesOf(1, undefined), true],
  ['EntryBatchWriter, version 2, no headers', () => entriesOf(2, undefined)],
  ['EntryBatchWriter, version 2, 2 headers/entry', () => entriesOf(2, twoHeaders)],
  ['readEntryBatch, version 2, no headers', () => readEntryBatch(entryBytesV2, 2)],
  ['readEntryBatch, version 2, 2 headers/entry', () => readEntryBatch(entryBytesV2Headers, 2)],
]);

const entryWriter = (): Buffer => {
  const w = new EntryBatchWriter(true);
  for (let i = 0; i < records; i++) w.add(keys[i], 1_000_000 + i, value);
  return w.finish();
};
const entryBytes = entryWriter();
await group('entry batch (1000 entries)', records, [
  ['EntryBatchWriter', entryWriter],
  ['readEntryBatch', () => readEntryBatch(entryBytes)],
  ['baseline: Buffer copy of the batch', () => entryBytes.copy(copyTarget), true],
]);

// Issue 11 item 8: the hand-written entry readers against avsc on the same batches (what a client
// decodes from every push and Scan page): avsc alone (it trusts the counts it reads), and avsc
// behind the guard every untrusted body goes through. The faster one is kept.
const keyEntriesOf = (version: 1 | 2): Buffer => {
  const w = new EntryBatchWriter(false, version);
  for (let i = 0; i < records; i++) w.add(undefined, 1_000_000 + i, value, 0, value.length, i, 1_764_669_600_000 + i);
  return w.finish();
};
for (const version of [1, 2] as const) {
  const pushBatch = version === 1 ? entryBytes : entryBytesV2;
  const pageBatch = keyEntriesOf(version);
  await group(`entry readers vs avsc, version ${version} (1000 entries, 100 B values)`, records, [
    ['readEntryBatch (push)', () => readEntryBatch(pushBatch, version)],
    ['avsc fromBuffer (push)', () => batchSchemas.entry[version].type.fromBuffer(pushBatch)],
    ['avsc guard + fromBuffer (push)', () => batchSchemas.entry[version].decode(pushBatch)],
    ['readKeyEntryBatch (scan page)', () => readKeyEntryBatch(pageBatch, version)],
    ['avsc fromBuffer (scan page)', () => batchSchemas.keyEntry[version].type.fromBuffer(pageBatch)],
    ['avsc guard + fromBuffer (scan page)', () => batchSchemas.keyEntry[version].decode(pageBatch)],
    ['baseline: Buffer copy of the push batch', () => pushBatch.copy(copyTarget), true],
  ]);
}

// Every message body schema: encode + decode of a representative value (avsc's random value, fixed once).
const schemaTasks: [string, () => unknown, boolean?][] = [];
const randomValues: Buffer[] = [];
for (const published of publishedSchemas()) {
  const file = `${published.file}.avsc`;
  const schema = compileBody(published);
  const sample: unknown = schema.type.random();
  const encoded = schema.type.toBuffer(sample);
  randomValues.push(encoded);
  schemaTasks.push([`${file}: encode+guard+decode`, () => schema.decode(schema.type.toBuffer(sample))]);
}
const typical = Buffer.concat(randomValues);
schemaTasks.push([`baseline: Buffer copy of all ${randomValues.length} encodings`, () => typical.copy(copyTarget), true]);
await group('Avro message bodies (avsc random values)', 1, schemaTasks);

// ---- storage --------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'odlog-micro-'));
const log = await LogDb.open({ path: join(dir, 'odlog'), durability: 'async' });
const raw = open<Buffer, Buffer>({ path: join(dir, 'raw.mdb'), noSubdir: true, keyEncoding: 'binary', encoding: 'binary' });
const rawEntries = raw.openDB<Buffer, Buffer>({ name: 'entries', keyEncoding: 'binary', encoding: 'binary' });
const rawIndex = raw.openDB<Buffer, Buffer>({ name: 'index', keyEncoding: 'binary', encoding: 'binary' });
const batch = RecordBatch.fromRecords(recordList);
let rawSeq = 0;
const empty = Buffer.alloc(0);
const seqKey = (s: number): Buffer => {
  const k = Buffer.allocUnsafe(8);
  k.writeUInt32BE(Math.floor(s / 2 ** 32), 0);
  k.writeUInt32BE(s >>> 0, 4);
  return k;
};
const indexKey = (key: Buffer, s: number): Buffer => Buffer.concat([key, Buffer.from([0]), seqKey(s)]);
await group('storage append (1000 records, 100 keys, async durability)', records, [
  ['LogDb.append', () => log.append(batch)],
  ['baseline: raw lmdb, 2 puts/record in one batch', () =>
    raw.batch(() => {
      for (let i = 0; i < records; i++, rawSeq++) {
        rawEntries.put(seqKey(rawSeq), value);
        rawIndex.put(indexKey(keys[i], rawSeq), empty);
      }
    }), true],
]);
await log.flush();
// One key with 100,000 entries for reads.
for (let i = 0; i < 100; i++) await log.append(RecordBatch.fromRecords(Array.from({ length: 1000 }, () => ({ key: 'hot', value }))));
raw.transactionSync(() => {
  for (let i = 0; i < 100_000; i++, rawSeq++) {
    rawEntries.put(seqKey(rawSeq), value);
    rawIndex.put(indexKey(Buffer.from('hot'), rawSeq), seqKey(rawSeq));
  }
});
const hotStart = Buffer.concat([Buffer.from('hot'), Buffer.from([0])]);
const hotEnd = Buffer.concat([Buffer.from('hot'), Buffer.from([1])]);
await group('storage scan (1000 entries of one key)', records, [
  ['LogDb.scan', () => log.scan('hot', { start: 50_000 }, { limit: records }).toArray()],
  ['baseline: raw lmdb index range + entry gets', () => {
    let n = 0;
    for (const { value: seq } of rawIndex.getRange({ start: hotStart, end: hotEnd, limit: records })) {
      rawEntries.getBinary(seq);
      n++;
    }
    return n;
  }, true],
]);
await group('storage count (key with 100,000 entries)', 1, [
  ['LogDb.count over a sub-range', () => log.count('hot', { start: 1000, end: 90_000_000 })],
  ['baseline: raw lmdb getCount of the index range', () => rawIndex.getCount({ start: hotStart, end: hotEnd }), true],
]);
await group('storage listKeys (100 keys)', 100, [
  ['LogDb.listKeys', async () => {
    let n = 0;
    for await (const _ of log.listKeys({}, { prefix: 'key-' })) n++;
    return n;
  }],
  ['baseline: raw lmdb getKeys of 100 keys', () => [...rawIndex.getKeys({ limit: 100 })].length, true],
]);
await log.close();
await raw.close();
rmSync(dir, { recursive: true, force: true });

// ---- output ---------------------------------------------------------------------------------------

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
let lastGroup = '';
for (const r of rows) {
  if (r.group !== lastGroup) {
    console.log(`\n${r.group}`);
    lastGroup = r.group;
  }
  const base = rows.find((b) => b.group === r.group && b.baseline);
  const ratio = base !== undefined && !r.baseline && base.opsPerSec > 0 ? `  ${(r.opsPerSec / base.opsPerSec).toFixed(2)}x baseline` : '';
  console.log(`  ${r.task.padEnd(58)} ${fmt(r.opsPerSec).padStart(12)} ops/s ${fmt(r.itemsPerSec).padStart(14)} items/s${ratio}`);
}
if (typeof args.json === 'string' && args.json.length > 0) {
  writeFileSync(args.json, JSON.stringify({ schema: 'odlog-micro/1', node: process.version, at: new Date().toISOString(), rows }, null, 2) + '\n');
  console.log(`\nwrote ${args.json}`);
}
