import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { nodeWalFiles, type WalHandle } from '../../src/index.js';
import { PassThroughWalFiles } from './PassThroughWalFiles.js';

/**
 * A WAL file layer that can be taken back to what a power cut would leave. Every write is
 * journaled (synchronously, so the journal survives a SIGKILL of the process) before it is made:
 * the file, the position, and the bytes it overwrites. The journal also records when a write
 * completed on a durable handle (O_DSYNC: on disk) and when a sync completed (covering every
 * write completed before it began). After the process is killed, `revertUnsynced` undoes every
 * write no completed sync covers, newest first, keeping a random prefix of each (a torn write),
 * which is the worst a power cut can do to the WAL. LMDB needs no such help: its commits are
 * synchronous to disk, so a killed process leaves it exactly as a power cut would.
 *
 * `ackDelayMs` makes a durable write return that much later (a disk slow to confirm), so that a
 * kill has a wide window in which a write is on its way but not yet covered: without it, an O_DSYNC
 * write is in flight for well under a millisecond and a kill can miss every one of them.
 */
export class PowerCutWalFiles extends PassThroughWalFiles {
  private nextId = 0;

  constructor(
    private readonly journal: string,
    private readonly ackDelayMs = 0,
  ) {
    super();
  }

  open(path: string, durable: boolean): WalHandle {
    const inner = nodeWalFiles.open(path, durable);
    const completed: number[] = [];
    return {
      write: async (data, position) => {
        const id = this.nextId++;
        const size = this.size(path);
        const old = Buffer.alloc(Math.max(0, Math.min(data.length, size - position)));
        if (old.length > 0) {
          const fd = openSync(path, 'r');
          try {
            readSync(fd, old, 0, old.length, position);
          } finally {
            closeSync(fd);
          }
        }
        this.record({ op: 'write', id, path, position, length: data.length, size, old: old.toString('base64') });
        await inner.write(data, position);
        // Not a wait for a condition: the delay is the behaviour simulated, a disk slow to confirm.
        if (durable && this.ackDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.ackDelayMs));
        if (durable) this.record({ op: 'synced', ids: [id] });
        else completed.push(id);
      },
      sync: async () => {
        const covered = completed.splice(0);
        await inner.sync();
        this.record({ op: 'synced', ids: covered });
      },
      close: () => inner.close(),
    };
  }

  private record(entry: object): void {
    const fd = openSync(this.journal, 'a');
    try {
      writeSync(fd, JSON.stringify(entry) + '\n');
    } finally {
      closeSync(fd);
    }
  }
}

interface WriteEntry {
  readonly op: 'write';
  readonly id: number;
  readonly path: string;
  readonly position: number;
  readonly length: number;
  readonly size: number;
  readonly old: string;
}

type JournalEntry = WriteEntry | { readonly op: 'synced'; readonly ids: number[] };

/** The complete entries of a journal's text (a line cut by a kill is ignored). */
function parseJournal(text: string): JournalEntry[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as JournalEntry);
}

/** How far back `hasUnsyncedWrite` looks: far more than the writes of one group commit. */
const journalTailBytes = 256 * 1024;

/**
 * Whether the journal ends with a write that no completed sync covers yet, i.e. a kill now would
 * leave something for `revertUnsynced` to undo. Reads only the journal's tail: a write and the
 * sync that covers it are journaled close together.
 */
export function hasUnsyncedWrite(journal: string): boolean {
  if (!existsSync(journal)) return false;
  const size = statSync(journal).size;
  const start = Math.max(0, size - journalTailBytes);
  const tail = Buffer.alloc(size - start);
  const fd = openSync(journal, 'r');
  try {
    readSync(fd, tail, 0, tail.length, start);
  } finally {
    closeSync(fd);
  }
  let text = tail.toString('utf8');
  if (start > 0) text = text.slice(text.indexOf('\n') + 1); // the first line may be cut
  const pending = new Set<number>();
  for (const entry of parseJournal(text)) {
    if (entry.op === 'write') pending.add(entry.id);
    else for (const id of entry.ids) pending.delete(id);
  }
  return pending.size > 0;
}

/**
 * Undo every journaled write that no completed sync covers, newest first; of each, keep the first
 * `keep(length)` bytes (a torn write reached the disk that far). Returns how many were undone.
 * The journal is consumed: the next process journals afresh (its write ids start again from 0).
 */
export function revertUnsynced(journal: string, keep: (length: number) => number): number {
  if (!existsSync(journal)) return 0;
  const writes: WriteEntry[] = [];
  const synced = new Set<number>();
  for (const entry of parseJournal(readFileSync(journal, 'utf8'))) {
    if (entry.op === 'write') writes.push(entry);
    else for (const id of entry.ids) synced.add(id);
  }
  let undone = 0;
  for (const w of writes.reverse()) {
    if (synced.has(w.id) || !existsSync(w.path)) continue;
    const kept = Math.min(w.length, Math.max(0, keep(w.length)));
    const fd = openSync(w.path, 'r+');
    try {
      const old = Buffer.from(w.old, 'base64');
      // Bytes beyond `kept` go back to what they were; past the old end of the file, they go.
      if (kept < old.length) writeSync(fd, old, kept, old.length - kept, w.position + kept);
      if (w.position + w.length > w.size) ftruncateSync(fd, Math.max(w.size, w.position + kept));
    } finally {
      closeSync(fd);
    }
    undone++;
  }
  rmSync(journal);
  return undone;
}
