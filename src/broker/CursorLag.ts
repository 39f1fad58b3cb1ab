import { limits } from '../limits.js';
import type { CursorLag } from '../protocol/messages/stats.js';
import type { ConsumerCursor } from '../storage/index.js';
import type { LogDb } from '../storage/index.js';
import type { Segment } from '../storage/index.js';

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
