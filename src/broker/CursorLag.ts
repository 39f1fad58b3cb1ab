import { statSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '../limits.js';
import type { CursorLag } from '../protocol/messages/stats.js';
import type { ConsumerCursor, LogDb, Segment } from '../storage/index.js';
import type { Logger } from './Logger.js';

/** Keys counted for all cursors of one Stats request together; past it, lags are lower bounds. */
export interface LagBudget {
  keysLeft: number;
}

/**
 * How far a named cursor is behind the head of what it follows, in records: exact counts per key
 * (no values read); for a prefix, the keys under it in the segments since the cursor, counted
 * within the shared budget, beyond which the figure is reported as a lower bound.
 */
export async function cursorLag(log: LogDb, cursor: ConsumerCursor, segments: readonly Segment[], budget: LagBudget): Promise<CursorLag> {
  const range = { start: cursor.sequence };
  let lag = 0;
  let lowerBound = false;
  const keys = async function* (): AsyncGenerator<Buffer> {
    if ('keys' in cursor.follows) {
      yield* cursor.follows.keys;
      return;
    }
    // The segments since the cursor: the newest one starting at or before it, and every later one.
    const from = segments.findLastIndex((s) => s.startSeq <= cursor.sequence);
    if (segments.length === 0) return;
    yield* log.listKeys({ start: segments[Math.max(0, from)].id }, { prefix: cursor.follows.prefix, limit: limits.cursorLagKeysMax + 1 });
  };
  let counted = 0;
  for await (const key of keys()) {
    if (budget.keysLeft <= 0 || ++counted > limits.cursorLagKeysMax) {
      lowerBound = true;
      break;
    }
    budget.keysLeft--;
    lag += await log.count(key, range);
  }
  return { name: cursor.name, sequence: cursor.sequence, lagRecords: lag, lagIsLowerBound: lowerBound };
}

/**
 * The lag of up to statsCursorsMax named cursors, within one statsLagKeysMax budget. Other
 * connections run between cursors, so this never holds the broker for long; a cursor whose lag
 * cannot be computed is reported as 0, a lower bound, and logged.
 */
export async function cursorLags(log: LogDb, logger: Logger): Promise<CursorLag[]> {
  const out: CursorLag[] = [];
  const segments = await log.listSegments();
  const budget = { keysLeft: limits.statsLagKeysMax };
  for (const cursor of [...log.cursors.list()].slice(0, limits.statsCursorsMax)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (log.isClosed) break;
    try {
      out.push(await cursorLag(log, cursor, segments, budget));
    } catch (error) {
      // One cursor whose lag cannot be computed must not take Stats down for everyone.
      logger.warn('cursor_lag_failed', { cursor: cursor.name, error: (error as Error).message });
      out.push({ name: cursor.name, sequence: cursor.sequence, lagRecords: 0, lagIsLowerBound: true });
    }
  }
  return out;
}

/** Size of the log's LMDB data file in bytes (0 before it exists). */
export function dataFileBytes(dataDir: string): number {
  try {
    return statSync(join(dataDir, 'log.mdb')).size;
  } catch {
    return 0; // not there yet
  }
}
