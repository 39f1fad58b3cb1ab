/**
 * Child process of the trim crash test: `node dist/test/support/trimCrashChild.js <dir> <records>`.
 * Appends `records` records to key `big` (and a few to `other`), flushes them to LMDB, deletes
 * `big` and flushes again (the flush that erases its rows), printing on stdout:
 *   filled <n>        the records are in LMDB
 *   deleted <n>       deleteKey resolved (durable) with n records removed
 *   erased            the erasing flush completed
 * The parent kills it while it erases.
 */
import { LogDb, RecordBatch } from '../../src/index.js';

async function main(): Promise<void> {
  const [dir, count] = process.argv.slice(2);
  const records = Number(count);
  const log = await LogDb.open({ path: dir });
  const value = Buffer.alloc(100, 0x62);
  for (let i = 0; i < records; i += 1000) {
    await log.append(RecordBatch.fromRecords(Array.from({ length: Math.min(1000, records - i) }, (_, j) => ({ key: j % 100 === 0 ? 'other' : 'big', value }))));
  }
  await log.compact();
  process.stdout.write(`filled ${records}\n`);
  const removed = await log.deleteKey('big');
  process.stdout.write(`deleted ${removed}\n`);
  await log.compact();
  process.stdout.write('erased\n');
  await new Promise(() => undefined); // wait to be killed
}

main().catch((error: unknown) => {
  process.stderr.write(`trimCrashChild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
