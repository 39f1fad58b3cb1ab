import { StreamRow } from '../layout/StreamRow.js';
import { frameHeaderBytes } from './WalFrame.js';

/**
 * The body of a commit frame: one group commit, self-describing, so that replaying it (into the
 * memtable at open) and materialising it (into LMDB at a flush) need nothing but the frame.
 *
 * ```
 *   40  f64 LE  timeMs          the commit's append time
 *   48  u32 LE  records
 *   52  u32 LE  segmentId
 *   56  u32 LE  flags           bit 0: opens the segment (the previous one, if any, is sealed)
 *                               bit 1: seals the segment after its records (it was due)
 *   60  u32 LE  runCount
 *   64  u32 LE  producerCount
 *   68  u32 LE  payloadBytes    key, value and header bytes of the records
 *   72  runs    runCount x { f64 keyId, f64 firstSeq, u32 keyBytes, u32 rowBytes,
 *                            key (padded to 4), StreamRow (padded to 4) }
 *       producers  producerCount x { u32 idBytes, u32 count, f64 batchNumber, f64 startSeq,
 *                                    f64 offset (of the batch's first record in its key),
 *                                    id UTF-8 (padded to 4) }   idempotent batches it sequenced
 * ```
 * Runs are the records of one key, in sequence order; a key has at most one run per commit.
 */
export const commitBodyBytes = 32;
export const runHeaderBytes = 24;
export const producerEntryBytes = 32;

export const CommitFlags = {
  OpensSegment: 1,
  SealsSegment: 2,
} as const;

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One run as found in a frame. */
export interface FrameRun {
  /** Offset of the run's header in its frame. */
  readonly headerOffset: number;
  readonly keyId: number;
  readonly firstSeq: number;
  readonly key: Buffer;
  readonly row: StreamRow;
}

/** An idempotent producer's batch, as recorded with the commit that sequenced it. */
export interface FrameProducerBatch {
  readonly id: string;
  readonly batchNumber: number;
  readonly startSequence: number;
  readonly count: number;
  /** Offset of the batch's first record within its key. */
  readonly offset: number;
}

/** A read-only view of a commit frame. */
export class CommitFrame {
  readonly lsn: number;
  readonly startSeq: number;
  readonly timeMs: number;
  readonly records: number;
  readonly segmentId: number;
  readonly flags: number;
  readonly runCount: number;
  readonly producerCount: number;
  readonly payloadBytes: number;

  constructor(readonly frame: Buffer) {
    this.lsn = frame.readDoubleLE(24);
    this.startSeq = frame.readDoubleLE(32);
    this.timeMs = frame.readDoubleLE(40);
    this.records = frame.readUInt32LE(48);
    this.segmentId = frame.readUInt32LE(52);
    this.flags = frame.readUInt32LE(56);
    this.runCount = frame.readUInt32LE(60);
    this.producerCount = frame.readUInt32LE(64);
    this.payloadBytes = frame.readUInt32LE(68);
  }

  get endSeq(): number {
    return this.startSeq + this.records;
  }

  get opensSegment(): boolean {
    return (this.flags & CommitFlags.OpensSegment) !== 0;
  }

  get sealsSegment(): boolean {
    return (this.flags & CommitFlags.SealsSegment) !== 0;
  }

  /** The runs, in the order they were laid out. */
  runs(): FrameRun[] {
    const out: FrameRun[] = new Array(this.runCount);
    let at = frameHeaderBytes + commitBodyBytes;
    for (let i = 0; i < this.runCount; i++) {
      const run = this.runAt(at);
      out[i] = run.run;
      at = run.next;
    }
    return out;
  }

  /** Each run's header offset, key id and first sequence, without building the runs. */
  forEachRunHeader(each: (at: number, keyId: number, firstSeq: number) => void): void {
    const f = this.frame;
    let at = frameHeaderBytes + commitBodyBytes;
    for (let i = 0; i < this.runCount; i++) {
      each(at, f.readDoubleLE(at), f.readDoubleLE(at + 8));
      at += runHeaderBytes + pad4(f.readUInt32LE(at + 16)) + pad4(f.readUInt32LE(at + 20));
    }
  }

  /** The run whose header is at byte `at` of the frame, and where the next one starts. */
  runAt(at: number): { run: FrameRun; next: number } {
    const f = this.frame;
    const keyId = f.readDoubleLE(at);
    const firstSeq = f.readDoubleLE(at + 8);
    const keyBytes = f.readUInt32LE(at + 16);
    const rowBytes = f.readUInt32LE(at + 20);
    const keyStart = at + runHeaderBytes;
    const rowStart = keyStart + pad4(keyBytes);
    return {
      run: { headerOffset: at, keyId, firstSeq, key: f.subarray(keyStart, keyStart + keyBytes), row: new StreamRow(f.subarray(rowStart, rowStart + rowBytes), firstSeq) },
      next: rowStart + pad4(rowBytes),
    };
  }

  producers(): FrameProducerBatch[] {
    if (this.producerCount === 0) return [];
    let at = frameHeaderBytes + commitBodyBytes;
    for (let i = 0; i < this.runCount; i++) at = this.runAt(at).next;
    const out: FrameProducerBatch[] = [];
    const f = this.frame;
    for (let i = 0; i < this.producerCount; i++) {
      const idBytes = f.readUInt32LE(at);
      const count = f.readUInt32LE(at + 4);
      const batchNumber = f.readDoubleLE(at + 8);
      const startSequence = f.readDoubleLE(at + 16);
      const offset = f.readDoubleLE(at + 24);
      const id = f.toString('utf8', at + producerEntryBytes, at + producerEntryBytes + idBytes);
      out.push({ id, batchNumber, startSequence, count, offset });
      at += producerEntryBytes + pad4(idBytes);
    }
    return out;
  }
}

/**
 * A seal frame: the segment is sealed (by `seal()` or its timer) with no records.
 *
 * ```
 *   40  u32 LE  segmentId
 *   44  u32 LE  reserved
 *   48  f64 LE  timeMs
 * ```
 */
export const sealFrameBytes = frameHeaderBytes + 16;

export function writeSealBody(frame: Buffer, segmentId: number, timeMs: number): void {
  frame.writeUInt32LE(segmentId, frameHeaderBytes);
  frame.writeUInt32LE(0, frameHeaderBytes + 4);
  frame.writeDoubleLE(timeMs, frameHeaderBytes + 8);
}

export function sealFrameSegment(frame: Buffer): number {
  return frame.readUInt32LE(frameHeaderBytes);
}

export function sealFrameTime(frame: Buffer): number {
  return frame.readDoubleLE(frameHeaderBytes + 8);
}

/**
 * A trim frame: the key's records below `trimSeq` are removed (`trim`), or all of them and the key
 * from every listing, its offsets starting again from 0 (`deleteKey`: the next append starts a
 * fresh stream). Its start sequence is the log's next sequence when it was written.
 *
 * ```
 *   40  f64 LE  keyId
 *   48  f64 LE  trimSeq
 *   56  u32 LE  flags        bit 0: delete the key
 *   60  u32 LE  keyBytes
 *   64  bytes   key
 * ```
 */
export const trimFrameFixedBytes = frameHeaderBytes + 24;
export const TrimFlags = { Delete: 1 } as const;

export interface TrimFrameBody {
  readonly keyId: number;
  readonly trimSeq: number;
  readonly deleteKey: boolean;
  readonly key: Buffer;
}

export function writeTrimBody(frame: Buffer, body: { keyId: number; trimSeq: number; deleteKey: boolean; key: Uint8Array }): void {
  frame.writeDoubleLE(body.keyId, frameHeaderBytes);
  frame.writeDoubleLE(body.trimSeq, frameHeaderBytes + 8);
  frame.writeUInt32LE(body.deleteKey ? TrimFlags.Delete : 0, frameHeaderBytes + 16);
  frame.writeUInt32LE(body.key.length, frameHeaderBytes + 20);
  frame.set(body.key, trimFrameFixedBytes);
}

export function readTrimBody(frame: Buffer): TrimFrameBody {
  const keyBytes = frame.readUInt32LE(frameHeaderBytes + 20);
  return {
    keyId: frame.readDoubleLE(frameHeaderBytes),
    trimSeq: frame.readDoubleLE(frameHeaderBytes + 8),
    deleteKey: (frame.readUInt32LE(frameHeaderBytes + 16) & TrimFlags.Delete) !== 0,
    key: frame.subarray(trimFrameFixedBytes, trimFrameFixedBytes + keyBytes),
  };
}
