import { limits } from '../limits.js';
import type { CursorLag } from '../protocol/messages/stats.js';
import type { ConsumerCursor } from '../storage/CursorStore.js';
import type { LogDb } from '../storage/LogDb.js';

/**
 * How far a named cursor is behind the head of what it follows, in records: exact counts per key
 * (no values read); for a prefix, the keys under it in the segments since the cursor, counted up
 * to a bound beyond which the figure is reported as a lower bound.
 */
export async function cursorLag(log: LogDb, cursor: ConsumerCursor): Promise<CursorLag> {
  const range = { start: cursor.sequence };
  let lag = 0;
  let lowerBound = false;
  if ('keys' in cursor.follows) {
    for (const key of cursor.follows.keys) lag += await log.count(key, range);
  } else {
    const segments = await log.listSegments(range);
    if (segments.length > 0) {
      let keys = 0;
      for await (const key of log.listKeys({ start: segments[0].id }, { prefix: cursor.follows.prefix, limit: limits.cursorLagKeysMax + 1 })) {
        if (++keys > limits.cursorLagKeysMax) {
          lowerBound = true;
          break;
        }
        lag += await log.count(key, range);
      }
    }
  }
  return { name: cursor.name, sequence: cursor.sequence, lagRecords: lag, lagIsLowerBound: lowerBound };
}
