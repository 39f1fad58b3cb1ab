/**
 * How long the operator's slow steps take: a consistent backup of a large log (`LogDb.backup`),
 * and the replay a restart does after the process was killed with a full memtable.
 *
 *   node dist/bench/storage/lifecycleTimes.js [--records 10000000] [--replay-records 2000000]
 *
 * Backup: `--records` records (1,000-record batches over 100 keys, 100-byte values) are appended,
 * then the backup is timed, from the call to the copy on disk (it flushes first, then copies with
 * compaction). Replay: a child process appends `--replay-records` records with `async`
 * durability, waits until they are in the write-ahead log (`flush()`), and is SIGKILLed; the
 * time to open the log again is what a restart after a crash costs. What is replayed is bounded
 * by `memtableBytesMax`, never by the log's size.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonNegativeInteger, text, valueFlag } from '../../src/args/Flag.js';
import { LogDb, RecordBatch } from '../../src/index.js';
import { parseScriptArgs } from '../support/ScriptArgs.js';

const flags = parseScriptArgs(
  {
    records: valueFlag('records', 'N', 'records in the log that is backed up', nonNegativeInteger),
    replayRecords: valueFlag('replay-records', 'N', 'records appended before the kill whose replay is timed', nonNegativeInteger),
    child: valueFlag('child-fill', 'DIR', 'internal: fill DIR, report, wait to be killed', text),
  },
  {
    command: 'node dist/bench/storage/lifecycleTimes.js',
    summary: 'Times a backup of a large log and the replay of a restart after a kill.',
    examples: ['node dist/bench/storage/lifecycleTimes.js --records 10000000 --replay-records 2000000'],
  },
);
const backupRecords = flags.records ?? 10_000_000;
const replayRecords = flags.replayRecords ?? 2_000_000;
const value = Buffer.alloc(100, 0x61);
const batches = Array.from({ length: 64 }, (_, b) => RecordBatch.fromRecords(Array.from({ length: 1000 }, (_, i) => ({ key: `key-${(b * 1000 + i) % 100}`, value }))));

/** Append `records` records, 16 batches in flight. */
async function fill(log: LogDb, records: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records) {
      const batch = batches[(next / 1000) % batches.length | 0];
      next += 1000;
      await log.append(batch);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? directoryBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

if (flags.child !== undefined) {
  const log = await LogDb.open({ path: flags.child, durability: 'async' });
  await fill(log, replayRecords);
  await log.flush();
  process.stdout.write('filled\n');
  // Stay alive, log open, until the parent's SIGKILL: a crash, not a close.
  setInterval(() => undefined, 60_000);
  await new Promise(() => undefined);
}

const root = mkdtempSync(join(tmpdir(), 'odlog-lifecycle-'));
try {
  // Backup.
  const source = join(root, 'source');
  const log = await LogDb.open({ path: source, durability: 'async' });
  let started = performance.now();
  await fill(log, backupRecords);
  await log.flush();
  const fillSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const copy = await log.backup(join(root, 'backup'));
  const backupSeconds = (performance.now() - started) / 1000;
  const sourceBytes = directoryBytes(source);
  await log.close();
  console.log(`backup of ${fmt(backupRecords)} records (filled in ${fillSeconds.toFixed(1)} s): ${backupSeconds.toFixed(2)} s, ${fmt(copy.bytes / 2 ** 20)} MiB copied (${fmt(copy.bytes / 2 ** 20 / backupSeconds)} MiB/s) from a ${fmt(sourceBytes / 2 ** 20)} MiB data directory, through sequence ${fmt(copy.sequence)}`);
  rmSync(join(root, 'backup'), { recursive: true, force: true });

  // Replay after a kill.
  const crashed = join(root, 'crashed');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child-fill', crashed, '--replay-records', String(replayRecords)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('filled') && resolve());
    child.once('exit', (code) => reject(new Error(`the filling process exited early (${String(code)})`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const walBytes = directoryBytes(join(crashed, 'wal'));
  started = performance.now();
  const reopened = await LogDb.open({ path: crashed, durability: 'async' });
  const openSeconds = (performance.now() - started) / 1000;
  const stats = reopened.stats();
  await reopened.close();
  console.log(`restart after SIGKILL with ${fmt(replayRecords)} records appended: open took ${openSeconds.toFixed(2)} s with ${fmt(walBytes / 2 ** 20)} MiB of write-ahead log present; ${fmt(stats.storedRecords)} records after reopening, ${fmt(stats.memtableBytes / 2 ** 20)} MiB of them replayed into the memtable`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
