import type { Workload } from './BenchOptions.js';
import type { PrefillFigures } from './BenchResult.js';
import { diskUsage } from './DiskUsage.js';
import type { Progress } from './Progress.js';
import type { ToWorker } from './workers/WorkerMessages.js';

/** What the prefill needs from the run coordinating the workers. */
export interface PrefillRun {
  readonly workload: Workload;
  /** The target's data directory, when the harness owns it (for bytes per key). */
  readonly dataDir: string | undefined;
  readonly progress: Progress;
  broadcast(message: ToWorker): void;
  /** Resolves once every producer has answered `prefilled` to the last `prefill` broadcast. */
  prefilled(): Promise<void>;
  /** Records acknowledged by every producer since the run began. */
  producedRecords(): number;
}

/** Broadcast `prefill` for rounds [from, to) and wait for it, with a progress line each second. */
async function rounds(run: PrefillRun, from: number, to: number, what: string): Promise<number> {
  const before = run.producedRecords();
  const total = run.workload.keys * (to - from);
  run.broadcast({ kind: 'prefill', fromRound: from, toRound: to });
  const ticker = setInterval(() => run.progress.update(`${what} ${(run.producedRecords() - before).toLocaleString('en-US')}/${total.toLocaleString('en-US')} records`), 1000);
  try {
    await run.prefilled();
  } finally {
    clearInterval(ticker);
  }
  return run.producedRecords() - before;
}

/**
 * Write every key `workload.prefillRounds` times before the measured phase. Round 1 alone is key
 * creation (every record makes a new key): its rate and the data directory's growth in that time
 * are reported per key. The other rounds follow, so the measured phase (the steady state) starts
 * with every key holding `prefillRounds` records.
 */
export async function prefillKeys(run: PrefillRun): Promise<PrefillFigures> {
  const w = run.workload;
  const diskBefore = run.dataDir !== undefined ? diskUsage(run.dataDir).bytes : undefined;
  const createStart = performance.now();
  await rounds(run, 0, 1, 'key creation:');
  const createSeconds = (performance.now() - createStart) / 1000;
  const diskGrowth = run.dataDir !== undefined && diskBefore !== undefined ? diskUsage(run.dataDir).bytes - diskBefore : undefined;
  const fillStart = performance.now();
  const fillRecords = w.prefillRounds > 1 ? await rounds(run, 1, w.prefillRounds, `prefill rounds 2-${w.prefillRounds}:`) : 0;
  run.progress.done();
  return {
    rounds: w.prefillRounds,
    keyCreation: {
      keys: w.keys,
      seconds: createSeconds,
      keysPerSec: w.keys / createSeconds,
      diskGrowthBytes: diskGrowth,
      bytesPerKey: diskGrowth !== undefined ? diskGrowth / w.keys : undefined,
    },
    fillRecords,
    fillSeconds: (performance.now() - fillStart) / 1000,
  };
}
