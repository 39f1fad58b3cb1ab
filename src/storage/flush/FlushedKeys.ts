import { decodeKeyRecord } from '../layout/KeyRecord.js';
import { grownColumn } from '../memtable/TypedColumn.js';

/** What a flush needs of a key's `keys` record: where its generation chain starts, where it is listed, where it is trimmed. */
export interface FlushedKey {
  readonly latestGen: number;
  readonly listedIn: number;
  readonly trimSeq: number;
}

const unknown = 0;
const inLmdb = 1;

/**
 * The flush worker's copy of the `keys` records it has read or written, in columns indexed by key
 * id (ids are dense, handed out in order): a flush over a million keys would otherwise read a
 * million records back that the previous flush wrote. The worker is the only writer of `keys`, so
 * the copy is exact as long as every change is noted after LMDB has it: the worker forgets
 * everything when a flush fails (its transaction rolled back). Ids from `idsMax` on are not kept
 * (each is read from LMDB), which bounds it at 17 bytes per id.
 */
export class FlushedKeys {
  private latestGen = new Uint32Array(0);
  private listedIn = new Uint32Array(0);
  private trimSeq = new Float64Array(0);
  private state = new Uint8Array(0);

  constructor(private readonly idsMax: number) {}

  /** The key's record as LMDB holds it, `read` from LMDB unless kept; undefined if LMDB has none. */
  get(keyId: number, read: (keyId: number) => Buffer | undefined): FlushedKey | undefined {
    if (keyId < this.state.length && this.state[keyId] === inLmdb) {
      return { latestGen: this.latestGen[keyId], listedIn: this.listedIn[keyId], trimSeq: this.trimSeq[keyId] };
    }
    const raw = read(keyId);
    if (raw === undefined) return undefined;
    const record = decodeKeyRecord(keyId, raw);
    this.note(keyId, record);
    return record;
  }

  /** The record LMDB holds for the key now (written by the flush under way: forgotten if it fails). */
  note(keyId: number, record: FlushedKey): void {
    if (keyId >= this.idsMax) return;
    if (keyId >= this.state.length) this.grow(keyId);
    this.latestGen[keyId] = record.latestGen;
    this.listedIn[keyId] = record.listedIn;
    this.trimSeq[keyId] = record.trimSeq;
    this.state[keyId] = inLmdb;
  }

  /** The key's record changed in a way not noted: read it again next time. */
  forget(keyId: number): void {
    if (keyId < this.state.length) this.state[keyId] = unknown;
  }

  /** A flush failed: LMDB rolled back what was noted during it. */
  clear(): void {
    this.state.fill(unknown);
  }

  private grow(keyId: number): void {
    const size = Math.min(this.idsMax, Math.max(1024, 2 ** Math.ceil(Math.log2(keyId + 1))));
    this.latestGen = grownColumn(this.latestGen, size);
    this.listedIn = grownColumn(this.listedIn, size);
    this.trimSeq = grownColumn(this.trimSeq, size);
    this.state = grownColumn(this.state, size);
  }
}
