import type { KeyHandle } from '../memtable/KeyTable.js';
import { grownColumn as grown } from '../memtable/TypedColumn.js';

/**
 * The keys of the commit being built, one group per distinct key (its records become one run), in
 * columns reused from commit to commit. A key's group is found from its key-table handle (a stamp
 * per handle says whether it has one in this commit), so grouping a million-key commit costs no
 * hash table, object or key view per key. Columns are reassigned when they grow: read them
 * through this object.
 */
export class CommitGroups {
  /** Groups in the commit being built: group g is index g of every column. */
  count = 0;
  handle = new Int32Array(64);
  records = new Int32Array(64);
  valueBytes = new Float64Array(64);
  headerBytes = new Float64Array(64);
  firstSeq = new Float64Array(64);
  lastSeq = new Float64Array(64);
  // Where the run's header, row and row end are in the frame; cursors while records are copied in.
  runStart = new Float64Array(64);
  rowStart = new Float64Array(64);
  rowEnd = new Float64Array(64);
  filled = new Int32Array(64);
  valueCursor = new Float64Array(64);
  headerCursor = new Float64Array(64);

  private stamp = new Float64Array(1024);
  private groupOf = new Int32Array(1024);
  private build = 0;

  /** Start a commit: no key has a group. */
  begin(): void {
    this.count = 0;
    this.build++;
  }

  /** The key's group in this commit, -1 if it has none. */
  find(h: KeyHandle): number {
    return h < this.stamp.length && this.stamp[h] === this.build ? this.groupOf[h] : -1;
  }

  /** The key's group, begun (with no records) if it has none yet. */
  of(h: KeyHandle): number {
    const found = this.find(h);
    if (found >= 0) return found;
    if (h >= this.stamp.length) {
      const size = Math.max(2 * this.stamp.length, h + 1);
      this.stamp = grown(this.stamp, size);
      this.groupOf = grown(this.groupOf, size);
    }
    const g = this.count++;
    if (g === this.handle.length) this.growGroups();
    this.stamp[h] = this.build;
    this.groupOf[h] = g;
    this.handle[g] = h;
    this.records[g] = 0;
    this.valueBytes[g] = 0;
    this.headerBytes[g] = 0;
    this.filled[g] = 0;
    return g;
  }

  private growGroups(): void {
    const size = 2 * this.handle.length;
    this.handle = grown(this.handle, size);
    this.records = grown(this.records, size);
    this.valueBytes = grown(this.valueBytes, size);
    this.headerBytes = grown(this.headerBytes, size);
    this.firstSeq = grown(this.firstSeq, size);
    this.lastSeq = grown(this.lastSeq, size);
    this.runStart = grown(this.runStart, size);
    this.rowStart = grown(this.rowStart, size);
    this.rowEnd = grown(this.rowEnd, size);
    this.filled = grown(this.filled, size);
    this.valueCursor = grown(this.valueCursor, size);
    this.headerCursor = grown(this.headerCursor, size);
  }
}
