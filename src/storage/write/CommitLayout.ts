import { rowFixedBytes, rowFlagHeaders, rowHeaderBytes } from '../layout/StreamRow.js';
import type { KeyTable } from '../memtable/KeyTable.js';
import type { SlabAllocator, SlabPiece } from '../memtable/SlabAllocator.js';
import { type CommitFrame, commitBodyBytes, pad4, producerEntryBytes, runHeaderBytes, sealFrameBytes, trimFrameFixedBytes, writeSealBody, writeTrimBody, type TrimFrameBody } from '../wal/CommitFrame.js';
import { FrameKind, frameHeaderBytes, writeFrameHeader } from '../wal/WalFrame.js';
import type { CommitGroups } from './CommitGroups.js';
import type { PendingAppend } from './PendingItem.js';
import type { ProducerState } from './ProducerRegistry.js';

/** A frame laid out in slab memory. */
export type LaidOutFrame = Pick<SlabPiece, 'buffer' | 'slab'>;

/** The fixed fields of a commit frame, as CommitFrame reads them back. */
export type CommitFrameFields = Pick<CommitFrame, 'lsn' | 'startSeq' | 'timeMs' | 'records' | 'segmentId' | 'flags' | 'payloadBytes'>;

/** What a commit's records are: its appends, each record's group (in append order), the groups. */
export interface CommitContent {
  readonly appends: readonly PendingAppend[];
  readonly groups: CommitGroups;
  /** For each record of the commit, in append order, its group. */
  readonly recordGroups: Int32Array;
  readonly producerBatches: readonly { readonly state: ProducerState; readonly batchNumber: number }[];
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes WAL frames (commit, seal, trim) into slab memory, in the format the memtable reads, the
 * WAL stores and a flush copies into LMDB. It decides nothing: CommitBuilder has already said which
 * records go in, with which sequences, in which key's run. It records where each run landed in
 * the groups' `runStart` (and `rowStart`, `rowEnd`), which the builder hands to the memtable.
 */
export class CommitLayout {
  constructor(
    private readonly slabs: SlabAllocator,
    private readonly keys: KeyTable,
  ) {}

  /**
   * A commit: one run per group, then the producer batches. Each batch's bytes are first copied
   * once behind the frame, so that the per-record copies are `copyWithin` inside one buffer (no
   * view allocated per record), and rows start 4-aligned so their arrays are written through a
   * Uint32Array.
   */
  commit(fields: CommitFrameFields, content: CommitContent): LaidOutFrame {
    const keys = this.keys;
    const { appends, groups, recordGroups, producerBatches } = content;
    const { timeMs } = fields;
    const groupCount = groups.count;
    let at = frameHeaderBytes + commitBodyBytes;
    for (let g = 0; g < groupCount; g++) {
      groups.runStart[g] = at;
      const rowStart = at + runHeaderBytes + pad4(keys.keyLength(groups.handle[g]));
      groups.rowStart[g] = rowStart;
      const rowEnd = rowStart + rowHeaderBytes(groups.records[g], groups.headerBytes[g] > 0) + groups.valueBytes[g] + groups.headerBytes[g];
      groups.rowEnd[g] = rowEnd;
      at = pad4(rowEnd);
    }
    const producerIds = producerBatches.map((p) => Buffer.from(p.state.id, 'utf8'));
    for (const id of producerIds) at += producerEntryBytes + pad4(id.length);
    const frameBytes = at;
    let scratchBytes = 0;
    for (const a of appends) scratchBytes += a.batch.buffer.length;
    const piece = this.slabs.allocate(frameBytes + scratchBytes);
    const arena = piece.buffer;
    const words = littleEndian ? new Uint32Array(arena.buffer, arena.byteOffset, frameBytes >>> 2) : undefined;
    const frame = arena.subarray(0, frameBytes);

    writeFrameHeader(frame, FrameKind.Commit, fields.lsn, fields.startSeq);
    arena.writeDoubleLE(timeMs, frameHeaderBytes);
    arena.writeUInt32LE(fields.records, frameHeaderBytes + 8);
    arena.writeUInt32LE(fields.segmentId, frameHeaderBytes + 12);
    arena.writeUInt32LE(fields.flags, frameHeaderBytes + 16);
    arena.writeUInt32LE(groupCount, frameHeaderBytes + 20);
    arena.writeUInt32LE(producerBatches.length, frameHeaderBytes + 24);
    arena.writeUInt32LE(fields.payloadBytes, frameHeaderBytes + 28);
    for (let g = 0; g < groupCount; g++) {
      const h = groups.handle[g];
      const n = groups.records[g];
      const runStart = groups.runStart[g];
      const rowStart = groups.rowStart[g];
      const withHeaders = groups.headerBytes[g] > 0;
      arena.writeDoubleLE(keys.keyId[h], runStart);
      arena.writeDoubleLE(groups.firstSeq[g], runStart + 8);
      arena.writeUInt32LE(keys.keyLength(h), runStart + 16);
      arena.writeUInt32LE(groups.rowEnd[g] - rowStart, runStart + 20);
      keys.copyKey(h, arena, runStart + runHeaderBytes);
      arena.writeUInt32LE(n, rowStart);
      arena.writeUInt32LE(withHeaders ? rowFlagHeaders : 0, rowStart + 4);
      arena.writeDoubleLE(keys.count[h], rowStart + 8);
      arena.writeDoubleLE(timeMs, rowStart + 16);
      // Every record of a commit has the commit's time: the time deltas are zero.
      arena.fill(0, rowStart + rowFixedBytes + 4 * n, rowStart + rowFixedBytes + 8 * n);
      groups.valueCursor[g] = rowStart + rowHeaderBytes(n, withHeaders);
      groups.headerCursor[g] = groups.valueCursor[g] + groups.valueBytes[g];
    }

    let scratch = frameBytes;
    let record = 0;
    for (let a = 0; a < appends.length; a++) {
      const { batch, startSequence } = appends[a];
      arena.set(batch.buffer, scratch);
      const offsets = batch.offsets;
      for (let i = 0; i < batch.count; i++) {
        const g = recordGroups[record++];
        const j = groups.filled[g]++;
        const valueStart = offsets[4 * i + 2];
        const valueEnd = offsets[4 * i + 3];
        const valueCursor = groups.valueCursor[g];
        arena.copyWithin(valueCursor, scratch + valueStart, scratch + valueEnd);
        groups.valueCursor[g] = valueCursor + valueEnd - valueStart;
        const n = groups.records[g];
        const rowStart = groups.rowStart[g];
        const withHeaders = groups.headerBytes[g] > 0;
        const deltaAt = rowStart + rowFixedBytes + 4 * j;
        const valueEndAt = deltaAt + 8 * n;
        const delta = startSequence + i - groups.firstSeq[g];
        const valueEndInRow = valueCursor + valueEnd - valueStart - rowStart - rowHeaderBytes(n, withHeaders);
        if (words !== undefined) {
          words[deltaAt >>> 2] = delta;
          words[valueEndAt >>> 2] = valueEndInRow;
        } else {
          arena.writeUInt32LE(delta, deltaAt);
          arena.writeUInt32LE(valueEndInRow, valueEndAt);
        }
        if (withHeaders) {
          const blockStart = batch.headerBlockStart(i);
          const blockEnd = batch.headerBlockEnd(i);
          if (blockEnd > blockStart) (batch.headers as { buffer: Buffer }).buffer.copy(arena, groups.headerCursor[g], blockStart, blockEnd);
          const headerCursor = (groups.headerCursor[g] += blockEnd - blockStart);
          arena.writeUInt32LE(headerCursor - (rowStart + rowHeaderBytes(n, true) + groups.valueBytes[g]), deltaAt + 12 * n);
        }
      }
      scratch += batch.buffer.length;
    }

    let producerAt = groupCount === 0 ? frameHeaderBytes + commitBodyBytes : pad4(groups.rowEnd[groupCount - 1]);
    for (let p = 0; p < producerBatches.length; p++) {
      const { state, batchNumber } = producerBatches[p];
      const entry = state.window.get(batchNumber) as { startSequence: number; count: number; offset: number };
      const id = producerIds[p];
      arena.writeUInt32LE(id.length, producerAt);
      arena.writeUInt32LE(entry.count, producerAt + 4);
      arena.writeDoubleLE(batchNumber, producerAt + 8);
      arena.writeDoubleLE(entry.startSequence, producerAt + 16);
      arena.writeDoubleLE(entry.offset, producerAt + 24);
      id.copy(arena, producerAt + producerEntryBytes);
      producerAt += producerEntryBytes + pad4(id.length);
    }
    return { buffer: this.slabs.shrinkLatest(piece, frameBytes), slab: piece.slab };
  }

  /** A seal of segment `segmentId`, at sequence `head` (it holds no records). */
  seal(lsn: number, head: number, segmentId: number, timeMs: number): LaidOutFrame {
    const piece = this.slabs.allocate(sealFrameBytes);
    writeFrameHeader(piece.buffer, FrameKind.Seal, lsn, head);
    writeSealBody(piece.buffer, segmentId, timeMs);
    return { buffer: piece.buffer, slab: piece.slab };
  }

  /** A trim (or deletion) of `key` below `trimSeq`, at sequence `head`. */
  trim(lsn: number, head: number, trim: TrimFrameBody): LaidOutFrame {
    const piece = this.slabs.allocate(trimFrameFixedBytes + trim.key.length);
    writeFrameHeader(piece.buffer, FrameKind.Trim, lsn, head);
    writeTrimBody(piece.buffer, trim);
    return { buffer: piece.buffer, slab: piece.slab };
  }
}
