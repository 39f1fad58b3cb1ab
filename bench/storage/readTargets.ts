/**
 * The embedded read targets, each beside raw lmdb on the same data in the same run:
 *
 *   node dist/bench/storage/readTargets.js [--entries 1000000] [--keys 1000000] [--value 100]
 *
 * - scan of one key with `--entries` entries (entries/s; target >= 2,000,000), vs a raw lmdb
 *   range read of the same values stored one per key (seq-keyed entries + (key, seq) index);
 * - count over that key (median ms of 50; target < 20 ms), vs raw lmdb getCount of its index range;
 * - listKeys over `--keys` distinct keys: keys/s and the heap and RSS growth while streaming them
 *   (target: flat memory), vs raw lmdb getKeys over the same number of keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { LogDb, RecordBatch } from '../../src/index.js';
import { nonNegativeInteger, valueFlag } from '../../src/args/Flag.js';
import { parseScriptArgs } from '../support/ScriptArgs.js';

const flags = parseScriptArgs(
  {
    entries: valueFlag('entries', 'N', 'entries of the scanned key', nonNegativeInteger),
    keys: valueFlag('keys', 'N', 'distinct keys listed', nonNegativeInteger),
    value: valueFlag('value', 'BYTES', 'value size', nonNegativeInteger),
  },
  { command: 'node dist/bench/storage/readTargets.js', summary: 'Embedded read targets: scan of one key, count over a large key, listKeys over many keys, each beside raw lmdb.', examples: ['npm run bench:reads -- --entries 1000000 --keys 1000000'] },
);
const args = { entries: flags.entries ?? 1_000_000, keys: flags.keys ?? 1_000_000, value: flags.value ?? 100 };
const entries = Number(args.entries);
const keyCount = Number(args.keys);
const value = Buffer.alloc(Number(args.value), 0x61);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'odlog-read-targets-'));
const log = await LogDb.open({ path: join(dir, 'odlog'), durability: 'async' });
const raw = open<Buffer, Buffer>({ path: join(dir, 'raw.mdb'), noSubdir: true, keyEncoding: 'binary', encoding: 'binary' });
const rawEntries = raw.openDB<Buffer, Buffer>({ name: 'entries', keyEncoding: 'binary', encoding: 'binary' });
const rawIndex = raw.openDB<Buffer, Buffer>({ name: 'index', keyEncoding: 'binary', encoding: 'binary' });
const seqKey = (s: number): Buffer => {
  const k = Buffer.allocUnsafe(8);
  k.writeUInt32BE(Math.floor(s / 2 ** 32), 0);
  k.writeUInt32BE(s >>> 0, 4);
  return k;
};

// ---- one hot key, interleaved with others as a real log would be ----
const hot = Buffer.from('hot');
const batchSize = 10_000;
const inFlight: Promise<unknown>[] = [];
for (let n = 0; n < entries; n += batchSize / 2) {
  const records = Array.from({ length: batchSize }, (_, i) => ({ key: i % 2 === 0 ? hot : Buffer.from(`other-${i % 50}`), value }));
  inFlight.push(log.append(RecordBatch.fromRecords(records)));
  if (inFlight.length >= 8) await inFlight.shift();
}
await Promise.all(inFlight);
await log.compact();
let rawSeq = 0;
for (let n = 0; n < entries; n += batchSize) {
  await raw.batch(() => {
    for (let i = 0; i < batchSize; i++, rawSeq++) {
      rawEntries.put(seqKey(rawSeq), value);
      rawIndex.put(Buffer.concat([hot, Buffer.from([0]), seqKey(rawSeq)]), seqKey(rawSeq));
    }
  });
}
const hotStart = Buffer.concat([hot, Buffer.from([0])]);
const hotEnd = Buffer.concat([hot, Buffer.from([1])]);

const scanRates: number[] = [];
const rawScanRates: number[] = [];
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  let n = 0;
  const iterator = log.scan(hot);
  for (let e = iterator.nextSync(); !e.done; e = iterator.nextSync()) n++;
  scanRates.push((n / (performance.now() - t0)) * 1000);
  t0 = performance.now();
  let m = 0;
  for (const { value: seq } of rawIndex.getRange({ start: hotStart, end: hotEnd })) {
    rawEntries.getBinary(seq);
    m++;
  }
  rawScanRates.push((m / (performance.now() - t0)) * 1000);
}
const hotCount = await log.count(hot);
console.log(`scan of one key (${fmt(hotCount)} entries): ${fmt(median(scanRates))} entries/s (median of 3); raw lmdb index range + gets: ${fmt(median(rawScanRates))} entries/s (${(median(scanRates) / median(rawScanRates)).toFixed(2)}x)`);

const countMs: number[] = [];
const rawCountMs: number[] = [];
for (let i = 0; i < 50; i++) {
  let t0 = performance.now();
  await log.count(hot, { start: 1000 + i, end: Number.MAX_SAFE_INTEGER - i });
  countMs.push(performance.now() - t0);
  t0 = performance.now();
  rawIndex.getCount({ start: hotStart, end: hotEnd });
  rawCountMs.push(performance.now() - t0);
}
console.log(`count over that key: ${median(countMs).toFixed(3)} ms (median of 50); raw lmdb getCount of its index range: ${median(rawCountMs).toFixed(3)} ms`);

// ---- listKeys over many distinct keys ----
for (let n = 0; n < keyCount; n += batchSize) {
  const count = Math.min(batchSize, keyCount - n);
  inFlight.push(log.append(RecordBatch.fromRecords(Array.from({ length: count }, (_, i) => ({ key: `k:${String(n + i).padStart(8, '0')}`, value: value.subarray(0, 8) })))));
  if (inFlight.length >= 8) await inFlight.shift();
}
await Promise.all(inFlight);
// As a broker's log is a second after the appends stop: flushed (a listing that finds more than
// listKeysUnflushedKeysMax keys still in the memtable flushes it first, which this would time).
await log.compact();
await raw.batch(() => {
  for (let i = 0; i < keyCount; i++) rawIndex.put(Buffer.from(`k:${String(i).padStart(8, '0')}`), value.subarray(0, 8));
});
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage.rss();
let heapPeak = heapBefore;
let rssPeak = rssBefore;
let listed = 0;
let t0 = performance.now();
for await (const _ of log.listKeys({}, { prefix: 'k:' })) {
  if (++listed % 50_000 === 0) {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }
}
const listMs = performance.now() - t0;
t0 = performance.now();
let rawListed = 0;
for (const _ of rawIndex.getKeys({ start: Buffer.from('k:'), end: Buffer.from('k;') })) rawListed++;
const rawListMs = performance.now() - t0;
console.log(
  `listKeys over ${fmt(listed)} distinct keys: ${fmt((listed / listMs) * 1000)} keys/s; raw lmdb getKeys: ${fmt((rawListed / rawListMs) * 1000)} keys/s; ` +
    `heap growth while streaming: ${mib(heapPeak - heapBefore)} MiB peak, RSS growth ${mib(rssPeak - rssBefore)} MiB (the keys themselves would be ${mib(listed * 12)} MiB)`,
);
await log.close();
await raw.close();
rmSync(dir, { recursive: true, force: true });
