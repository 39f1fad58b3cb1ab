/**
 * Where the bytes of a log go: fills a log with `--keys` keys, each written `--rounds` times in a
 * seeded random order per round (1,000-record batches of 100-byte values), then prints the LMDB
 * pages of each table per record written, with their average key and value sizes, and the
 * process's anonymous memory peak while filling (the key states and memtable the log holds).
 *
 *   npm run bench:tables -- [--keys 1000000] [--rounds 5] [--dir .]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { nonNegativeInteger, text, valueFlag } from '../../src/args/Flag.js';
import { LogDb } from '../../src/index.js';
import { tablesIn } from '../../src/storage/index.js';
import { MemoryWatch } from '../harness/ProcessSampler.js';
import { parseScriptArgs } from '../support/ScriptArgs.js';

const flags = parseScriptArgs(
  {
    keys: valueFlag('keys', 'N', 'distinct keys [1000000]', nonNegativeInteger),
    rounds: valueFlag('rounds', 'N', 'times each key is written [5]', nonNegativeInteger),
    dir: valueFlag('dir', 'DIR', 'where the log is made (and removed) [.]', text),
  },
  { command: 'npm run bench:tables --', summary: 'LMDB bytes per record of each table of a filled log.', examples: ['npm run bench:tables -- --keys 100 --rounds 10000'] },
);
const keys = Math.max(1, flags.keys ?? 1_000_000);
const rounds = Math.max(1, flags.rounds ?? 5);
const dir = mkdtempSync(join(flags.dir ?? '.', 'odlog-tables-'));

async function fill(): Promise<void> {
  const log = await LogDb.open({ path: dir, durability: 'async' });
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const value = Buffer.alloc(100, 0x61);
  const order = Array.from({ length: keys }, (_, i) => i);
  for (let round = 0; round < rounds; round++) {
    for (let i = keys - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const inFlight: Promise<unknown>[] = [];
    for (let b = 0; b < keys; b += 1000) {
      inFlight.push(log.append(order.slice(b, b + 1000).map((k) => ({ key: `key-${String(k).padStart(8, '0')}`, value }))));
      if (inFlight.length >= 16) await inFlight.shift();
    }
    await Promise.all(inFlight);
  }
  await log.flush();
  await log.close();
}

try {
  const started = performance.now();
  const memory = MemoryWatch.start(process.pid);
  await fill();
  const peaks = memory.stop();
  const records = keys * rounds;
  let dirBytes = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    const stat = statSync(join(dir, String(name)));
    if (stat.isFile()) dirBytes += stat.size;
  }
  console.log(`${records.toLocaleString('en-US')} records over ${keys.toLocaleString('en-US')} keys in ${((performance.now() - started) / 1000).toFixed(1)} s; data directory ${(dirBytes / records).toFixed(1)} bytes/record; anonymous memory peak ${((peaks?.anonymousPeakBytes ?? 0) / 2 ** 20).toFixed(0)} MiB while filling`);
  const root = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, readOnly: true, maxDbs: 16 });
  try {
    for (const name of tablesIn(root)) {
      const db = root.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' });
      const stats = db.getStats() as { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number; entryCount: number; pageSize: number };
      const pages = stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages;
      let sampled = 0;
      let keyBytes = 0;
      let valueBytes = 0;
      for (const { key, value } of db.getRange({})) {
        keyBytes += (key as Buffer).length;
        valueBytes += (value as Buffer).length;
        if (++sampled === 100_000) break;
      }
      const avg = (n: number): string => (sampled === 0 ? '-' : (n / sampled).toFixed(1));
      console.log(`  ${name.padEnd(10)} ${stats.entryCount.toLocaleString('en-US').padStart(11)} entries  ${((pages * stats.pageSize) / records).toFixed(1).padStart(7)} bytes/record  key ${avg(keyBytes)} B, value ${avg(valueBytes)} B`);
    }
  } finally {
    await root.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
