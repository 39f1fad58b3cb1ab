/**
 * Sustained embedded append throughput, odlog vs raw lmdb-js on the same records in the same run.
 *
 *   node dist/bench/storage/appendThroughput.js [--records 10000000] [--keys 100] [--batch 1000]
 *        [--value 100] [--in-flight 16] [--durability sync|async] [--baseline-records 2000000]
 *
 * The raw baseline is what the issue calls raw lmdb: every record costs two puts (entry by
 * sequence + (key, seq) index row), 10,000 records per transaction, awaited until flushed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { LogDb, RecordBatch } from '../../src/index.js';
import { nonNegativeInteger, oneOf, switchFlag, text, valueFlag } from '../../src/args/Flag.js';
import { parseArgs } from '../../src/args/parseArgs.js';

const { flags } = parseArgs(
  process.argv.slice(2),
  {
    records: valueFlag('records', 'N', 'records appended by odlog', nonNegativeInteger),
    keys: valueFlag('keys', 'N', 'distinct keys', nonNegativeInteger),
    batch: valueFlag('batch', 'N', 'records per append', nonNegativeInteger),
    value: valueFlag('value', 'BYTES', 'value size', nonNegativeInteger),
    inFlight: valueFlag('in-flight', 'N', 'appends in flight', nonNegativeInteger),
    durability: valueFlag('durability', 'sync|async', 'durability', oneOf(['sync', 'async'] as const)),
    baselineRecords: valueFlag('baseline-records', 'N', 'records written by the raw lmdb baseline', nonNegativeInteger),
    checkpoints: valueFlag('checkpoints', 'N,N,…', 'log sizes at which the rate is reported', text),
    json: switchFlag('json', 'also print the result as JSON'),
  },
  { command: 'node dist/bench/storage/appendThroughput.js', positionalsMax: 0 },
);
const args = {
  records: flags.records ?? 10_000_000,
  keys: flags.keys ?? 100,
  batch: flags.batch ?? 1000,
  value: flags.value ?? 100,
  'in-flight': flags.inFlight ?? 16,
  durability: flags.durability ?? 'sync',
  'baseline-records': flags.baselineRecords ?? 2_000_000,
  checkpoints: flags.checkpoints ?? '1000000,10000000,50000000',
  json: flags.json === true,
};

function makeBatches(count: number, batchSize: number, keys: number, valueBytes: number): RecordBatch[] {
  const value = Buffer.alloc(valueBytes, 0x61);
  const out: RecordBatch[] = [];
  let n = 0;
  for (let b = 0; b < count; b++) {
    const records = [];
    for (let i = 0; i < batchSize; i++, n++) records.push({ key: `key-${n % keys}`, value });
    out.push(RecordBatch.fromRecords(records));
  }
  return out;
}

async function odlog(): Promise<{ recordsPerSec: number; checkpoints: { at: number; recordsPerSec: number }[]; bytesPerRecord: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'odlog-bench-'));
  const log = await LogDb.open({ path: dir, durability: args.durability as 'sync' | 'async' });
  const batches = makeBatches(64, Number(args.batch), Number(args.keys), Number(args.value));
  const total = Number(args.records);
  const batchSize = Number(args.batch);
  const checkpoints = String(args.checkpoints).split(',').map(Number).filter((c) => c <= total);
  const marks: { at: number; recordsPerSec: number }[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let sent = 0;
  let acked = 0;
  let windowStart = performance.now();
  let windowAcked = 0;
  const t0 = performance.now();
  while (sent < total) {
    const p = log.append(batches[(sent / batchSize) % batches.length]).then(() => {
      acked += batchSize;
      inFlight.delete(p);
      if (checkpoints.length > 0 && acked >= checkpoints[0]) {
        const now = performance.now();
        marks.push({ at: checkpoints.shift() as number, recordsPerSec: ((acked - windowAcked) / (now - windowStart)) * 1000 });
        windowStart = now;
        windowAcked = acked;
      }
    });
    inFlight.add(p);
    sent += batchSize;
    if (inFlight.size >= Number(args['in-flight'])) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  await log.close();
  const bytes = statSync(join(dir, 'log.mdb')).size;
  rmSync(dir, { recursive: true, force: true });
  return { recordsPerSec: total / seconds, checkpoints: marks, bytesPerRecord: bytes / total };
}

async function rawLmdb(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'odlog-bench-raw-'));
  const env = open<Buffer, Buffer>({ path: join(dir, 'raw.mdb'), noSubdir: true, separateFlushed: true, keyEncoding: 'binary', encoding: 'binary' });
  const entries = env.openDB<Buffer, Buffer>({ name: 'entries', keyEncoding: 'binary', encoding: 'binary' });
  const index = env.openDB<Buffer, Buffer>({ name: 'index', keyEncoding: 'binary', encoding: 'binary' });
  const keys = Number(args.keys);
  const value = Buffer.alloc(Number(args.value), 0x61);
  const empty = Buffer.alloc(0);
  const total = Number(args['baseline-records']);
  const perTxn = 10_000;
  const inFlight: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let seq = 0; seq < total; ) {
    const start = seq;
    const p = env.batch(() => {
      for (let i = 0; i < perTxn; i++) {
        const s = start + i;
        const k = Buffer.allocUnsafe(8);
        k.writeUInt32BE(0, 0);
        k.writeUInt32BE(s, 4);
        entries.put(k, value);
        const key = Buffer.from(`key-${s % keys}`);
        const ik = Buffer.allocUnsafe(key.length + 8);
        key.copy(ik, 0);
        ik.writeUInt32BE(0, key.length);
        ik.writeUInt32BE(s, key.length + 4);
        index.put(ik, empty);
      }
    }) as Promise<boolean> & { flushed?: Promise<unknown> };
    inFlight.push(p.flushed ?? p);
    seq += perTxn;
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  await env.close();
  rmSync(dir, { recursive: true, force: true });
  return total / seconds;
}

const raw = await rawLmdb();
const result = await odlog();
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`raw lmdb (2 puts/record, 10k/txn): ${fmt(raw)} records/s`);
console.log(`odlog append (${args.batch}/batch, ${args.keys} keys, ${args.value} B values, ${args['in-flight']} in flight, ${args.durability}): ${fmt(result.recordsPerSec)} records/s  (${(result.recordsPerSec / raw).toFixed(2)}x raw)`);
for (const c of result.checkpoints) console.log(`  window ending at ${fmt(c.at)} records: ${fmt(c.recordsPerSec)} records/s`);
console.log(`  data file: ${result.bytesPerRecord.toFixed(1)} bytes/record`);
if (args.json) console.log(JSON.stringify({ raw, ...result }));
