import type { Transaction } from 'lmdb';
import type { StorageTables } from '../env/StorageTables.js';
import { decodeGenRecord, type GenRecord } from '../layout/GenRecord.js';
import { decodeGenRow, genRowPrevGen } from '../layout/GenRow.js';
import { lookupKeyRecord, noGen, type KeyRecord } from '../layout/KeyRecord.js';
import { genKey, genKeyPrefix, genRowFirstSeq, genRowKey } from '../layout/StorageKeys.js';
import { StreamRow } from '../layout/StreamRow.js';
import type { KeyTable } from '../memtable/KeyTable.js';
import type { Memtable } from '../memtable/Memtable.js';
import type { VisibleTrims } from '../memtable/VisibleTrims.js';
import type { ReadSnapshot } from './ReadSnapshot.js';

/** A key as a reader names it. */
export interface KeyRef {
  readonly key: Buffer;
  readonly keyStr: string;
}

/**
 * A key's rows across both tiers, oldest first: its generations in LMDB (found from its
 * KeyRecord, newest first, through each row's link to the previous generation), then its runs
 * in the memtable (from its newest, through each run's link to the previous one). The LMDB part
 * is read in the caller's snapshot and ends where that snapshot's LMDB ends; the memtable part
 * starts there. Rows from the memtable are copied, since its memory is reused after a flush.
 */
export class KeyRows {
  constructor(
    private readonly tables: StorageTables,
    private readonly memtable: Memtable,
    private readonly keys: KeyTable,
    private readonly trims: VisibleTrims,
  ) {}

  /** The key's record in LMDB, in the snapshot. */
  record(key: Buffer, transaction: Transaction): KeyRecord | undefined {
    return lookupKeyRecord(this.tables, key, transaction);
  }

  /**
   * Where a read of the key from `from` really starts: past its trims (a visible one not flushed
   * yet, or the one its LMDB record holds). Every reader of a key starts there: rows may still hold
   * records below a trim until the flush that applies it erases them.
   */
  start(ref: KeyRef, from: number, snapshot: ReadSnapshot): number {
    const start = Math.max(from, this.trims.get(ref.keyStr)?.trimSeq ?? 0);
    if (start >= snapshot.flushedSeq) return start;
    return Math.max(start, this.record(ref.key, snapshot.transaction)?.trimSeq ?? 0);
  }

  /** Rows holding the key's sequences in `[from, end)` (a first row may start before `from`: read it from `lowerBound(from)`). */
  *rows(ref: KeyRef, from: number, end: number, snapshot: ReadSnapshot): Generator<StreamRow> {
    const flushed = snapshot.flushedSeq;
    if (from < flushed) {
      const record = this.record(ref.key, snapshot.transaction);
      if (record !== undefined) yield* this.generationRows(record, from, Math.min(end, flushed), snapshot.transaction);
    }
    if (end > flushed) yield* this.memtableRows(ref.key, Math.max(from, flushed), end, flushed);
  }

  /** The key's records in `[from, end)`, frames not yet visible included (a trim counts what it removes). */
  countAll(ref: KeyRef, from: number, end: number, snapshot: ReadSnapshot): number {
    const first = this.firstOffsetFrom(ref, from, end, snapshot);
    return first === undefined ? 0 : this.offsetEnd(ref, end, snapshot) - first;
  }

  /** The offset of the key's first record in `[from, end)`, if it has one. */
  firstOffsetFrom(ref: KeyRef, from: number, end: number, snapshot: ReadSnapshot): number | undefined {
    const start = this.start(ref, from, snapshot);
    for (const row of this.rows(ref, start, end, snapshot)) {
      const i = row.lowerBound(start);
      if (i < row.count && row.sequence(i) < end) return row.offset(i);
      if (i < row.count) return undefined;
    }
    return undefined;
  }

  /** One past the offset of the key's last record below `end` (0 if it has none). */
  offsetEnd(ref: KeyRef, end: number, snapshot: ReadSnapshot): number {
    const flushed = snapshot.flushedSeq;
    const trim = this.trims.get(ref.keyStr);
    if (end > flushed) {
      const h = this.keys.peek(ref.key);
      if (h >= 0 && this.keys.lastRun[h] >= 0) {
        const runs = this.memtable.runsOf(h, flushed, end);
        const last = runs[runs.length - 1];
        if (last !== undefined && last.firstSeq >= flushed && (trim === undefined || !trim.deleteKey || last.row.lastSequence() >= trim.trimSeq)) {
          return last.row.offset(last.row.lowerBound(end) - 1) + 1;
        }
      }
    }
    // A deleted key whose fresh stream has nothing below `end` yet: its offsets start again from 0.
    if (trim?.deleteKey === true && trim.trimSeq <= end) return 0;
    const record = this.record(ref.key, snapshot.transaction);
    if (record === undefined) return 0;
    const lmdbEnd = Math.min(end, flushed);
    if (record.lastSeq < lmdbEnd) return record.count;
    // The key has records at or after the end: find its last row starting below it.
    for (let gen = record.latestGen; gen !== noGen; ) {
      const info = this.generation(gen, snapshot.transaction);
      if (info === undefined) return 0;
      if (info.startSeq < lmdbEnd) {
        for (const { key, value } of this.tables.streams.getRange({ start: genRowKey(gen, record.keyId, lmdbEnd), end: genKeyPrefix(gen, record.keyId), reverse: true, limit: 1, transaction: snapshot.transaction })) {
          const row = decodeGenRow(value, genRowFirstSeq(key));
          return row.offset(row.lowerBound(lmdbEnd) - 1) + 1;
        }
      }
      const first = this.firstRowValue(gen, record.keyId, snapshot.transaction);
      if (first === undefined) return 0;
      gen = genRowPrevGen(first);
    }
    return 0;
  }

  /**
   * The key's first record in `[0, end)` that is not before a target, for a target that records
   * pass in order along the key (an offset, a time): `rowBefore(row)` says the row's first record
   * is before it, `recordBefore(row, i)` the same of record i. Walks back the key's generations to
   * the first one starting before the target, then forward.
   */
  findFirst(ref: KeyRef, end: number, snapshot: ReadSnapshot, rowBefore: (row: StreamRow) => boolean, recordBefore: (row: StreamRow, i: number) => boolean): { sequence: number; offset: number } | undefined {
    const trimmed = this.start(ref, 0, snapshot);
    let from = 0;
    const record = snapshot.flushedSeq > 0 ? this.record(ref.key, snapshot.transaction) : undefined;
    if (record !== undefined) {
      for (let gen = record.latestGen; gen !== noGen; ) {
        const first = this.firstRowValue(gen, record.keyId, snapshot.transaction);
        if (first === undefined) break;
        const row = decodeGenRow(first, this.firstSeqOfFirstRow(gen, record.keyId, snapshot.transaction));
        if (rowBefore(row)) {
          from = row.firstSequence;
          break;
        }
        gen = genRowPrevGen(first);
      }
    }
    from = Math.max(from, trimmed);
    for (const row of this.rows(ref, from, end, snapshot)) {
      for (let i = row.lowerBound(from); i < row.count; i++) {
        if (row.sequence(i) >= end) return undefined;
        if (!recordBefore(row, i)) return { sequence: row.sequence(i), offset: row.offset(i) };
      }
    }
    return undefined;
  }

  private firstSeqOfFirstRow(gen: number, keyId: number, transaction: Transaction): number {
    for (const key of this.tables.streams.getKeys({ start: genKeyPrefix(gen, keyId), end: genKeyPrefix(gen, keyId + 1), limit: 1, transaction })) return genRowFirstSeq(key as Buffer);
    return 0;
  }

  /** The generation's record in the snapshot (undefined once retention deleted it). */
  generation(gen: number, transaction: Transaction): GenRecord | undefined {
    const raw = this.tables.gens.getBinary(genKey(gen), { transaction });
    return raw === undefined ? undefined : decodeGenRecord(gen, raw);
  }

  private firstRowValue(gen: number, keyId: number, transaction: Transaction): Buffer | undefined {
    for (const { value } of this.tables.streams.getRange({ start: genKeyPrefix(gen, keyId), end: genKeyPrefix(gen, keyId + 1), limit: 1, transaction })) return value;
    return undefined;
  }

  private *generationRows(record: KeyRecord, from: number, end: number, transaction: Transaction): Generator<StreamRow> {
    // Newest first, back to the generation holding `from` (or the key's first).
    const chain: number[] = [];
    for (let gen = record.latestGen; gen !== noGen; ) {
      const info = this.generation(gen, transaction);
      if (info === undefined || info.endSeq <= from) break;
      chain.push(gen);
      if (info.startSeq <= from) break;
      const first = this.firstRowValue(gen, record.keyId, transaction);
      if (first === undefined) break;
      gen = genRowPrevGen(first);
    }
    const keyId = record.keyId;
    for (let c = chain.length - 1; c >= 0; c--) {
      const gen = chain[c];
      let start: Buffer = genKeyPrefix(gen, keyId);
      if (c === chain.length - 1) {
        for (const key of this.tables.streams.getKeys({ start: genRowKey(gen, keyId, from), end: start, reverse: true, limit: 1, transaction })) start = key as Buffer;
      }
      for (const { key, value } of this.tables.streams.getRange({ start, end: genKeyPrefix(gen, keyId + 1), transaction })) {
        const firstSeq = genRowFirstSeq(key);
        if (firstSeq >= end) return;
        yield decodeGenRow(value, firstSeq);
      }
    }
  }

  private memtableRows(key: Buffer, from: number, end: number, flushed: number): StreamRow[] {
    const h = this.keys.peek(key);
    if (h < 0 || this.keys.lastRun[h] < 0) return [];
    const out: StreamRow[] = [];
    for (const run of this.memtable.runsOf(h, from, end)) {
      if (run.firstSeq < flushed) continue; // already in LMDB, not yet let go
      out.push(new StreamRow(Buffer.from(run.row.buffer), run.firstSeq));
    }
    return out;
  }
}
