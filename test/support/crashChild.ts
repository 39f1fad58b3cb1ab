/**
 * Child process of the crash tests:
 * `node dist/test/support/crashChild.js <dir> <firstBatchId> [sync|async] [wideKeys] [journal]`.
 *
 * Opens the log (`sync` durability unless told otherwise; a small memtable, so that flushes to
 * LMDB happen, and get killed, during the run) and appends the batches `firstBatchId,
 * firstBatchId + 1, ...` (see CrashBatches; over `wideKeys` keys if given) with a few appends in
 * flight, until it is killed. With a journal path, the WAL goes through PowerCutWalFiles, so that
 * the parent can take it back to what a power cut would leave. On stdout (a pipe, written
 * synchronously on Linux, so a printed line survives a SIGKILL that follows it):
 *   ready                                   once the log is open
 *   send <batchId>                          before the batch is handed to append()
 *   ack <batchId> <startSequence> <count> <digest>   once append() resolved
 *   durable <sequence>                      when durableSequence moved (after an ack)
 *   flushed <n>                             when a flush to LMDB completed (n so far)
 * Any failure is printed to stderr and ends the process with status 1.
 */
import { LogDb } from '../../src/index.js';
import { batchDigest, crashLogBudgets, makeBatch } from './CrashBatches.js';
import { PowerCutWalFiles } from './PowerCutWalFiles.js';

const appendsInFlight = 4;

async function main(): Promise<void> {
  const [dir, first, durability = 'sync', wide = '0', journal] = process.argv.slice(2);
  const firstBatchId = Number.parseInt(first ?? '', 10);
  const wideKeys = Number.parseInt(wide, 10);
  if (dir === undefined || !Number.isSafeInteger(firstBatchId) || (durability !== 'sync' && durability !== 'async')) {
    throw new Error('usage: crashChild <dir> <firstBatchId> [sync|async] [wideKeys] [journal]');
  }
  const log = await LogDb.open({
    path: dir,
    durability,
    ...crashLogBudgets,
    // A durable write confirms 3 ms late, so that the parent's kill can land while one is unconfirmed.
    ...(journal !== undefined ? { walFiles: new PowerCutWalFiles(journal, durability === 'sync' ? 3 : 0) } : {}),
  });
  process.stdout.write('ready\n');
  let next = firstBatchId;
  let reportedDurable = 0;
  let reportedFlushes = 0;
  const worker = async (): Promise<never> => {
    for (;;) {
      const batchId = next++;
      const records = makeBatch(batchId, wideKeys);
      process.stdout.write(`send ${batchId}\n`);
      const out = await log.append(records);
      process.stdout.write(`ack ${batchId} ${out.startSequence} ${out.count} ${batchDigest(records)}\n`);
      const flushes = log.stats().flushes;
      if (flushes > reportedFlushes) {
        reportedFlushes = flushes;
        process.stdout.write(`flushed ${flushes}\n`);
      }
      if (log.durableSequence > reportedDurable) {
        reportedDurable = log.durableSequence;
        process.stdout.write(`durable ${reportedDurable}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: appendsInFlight }, worker));
}

main().catch((error: unknown) => {
  process.stderr.write(`crashChild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
