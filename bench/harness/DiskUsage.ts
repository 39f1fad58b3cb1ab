import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of a data directory: every file under it, and the part in its `wal/` directory. */
export interface DiskUsage {
  readonly bytes: number;
  /** Bytes under `wal/` (odlog's write-ahead log files); 0 for a directory without one. */
  readonly walBytes: number;
}

function treeBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // removed while we looked (a write-ahead file retired by a flush)
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else {
      try {
        total += statSync(path).size;
      } catch {
        // removed between the listing and the stat
      }
    }
  }
  return total;
}

/**
 * The size of a target's data directory (file sizes as `ls -l` gives them), with its write-ahead
 * log apart. For odlog that is the LMDB data file (and its lock file) plus `wal/`.
 */
export function diskUsage(dir: string): DiskUsage {
  return { bytes: treeBytes(dir), walBytes: treeBytes(join(dir, 'wal')) };
}
