/**
 * Child process of the crash test: `node dist/test/support/crashChild.js <dir> <firstBatchId>`.
 *
 * Opens the log with `sync` durability and appends the batches `firstBatchId, firstBatchId + 1, ...`
 * (see CrashBatches) with a few appends in flight, until it is killed. On stdout (a pipe, written
 * synchronously on Linux, so a printed line survives a SIGKILL that follows it):
 *   ready                                   once the log is open
 *   send <batchId>                          before the batch is handed to append()
 *   ack <batchId> <startSequence> <count> <digest>   once append() resolved
 * Any failure is printed to stderr and ends the process with status 1.
 */
import { LogDb } from '../../src/index.js';
import { batchDigest, makeBatch } from './CrashBatches.js';

const appendsInFlight = 4;

async function main(): Promise<void> {
  const [dir, first] = process.argv.slice(2);
  const firstBatchId = Number.parseInt(first ?? '', 10);
  if (dir === undefined || !Number.isSafeInteger(firstBatchId)) throw new Error('usage: crashChild <dir> <firstBatchId>');
  const log = await LogDb.open({ path: dir, durability: 'sync' });
  process.stdout.write('ready\n');
  let next = firstBatchId;
  const worker = async (): Promise<never> => {
    for (;;) {
      const batchId = next++;
      const records = makeBatch(batchId);
      process.stdout.write(`send ${batchId}\n`);
      const out = await log.append(records);
      process.stdout.write(`ack ${batchId} ${out.startSequence} ${out.count} ${batchDigest(records)}\n`);
    }
  };
  await Promise.all(Array.from({ length: appendsInFlight }, worker));
}

main().catch((error: unknown) => {
  process.stderr.write(`crashChild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
