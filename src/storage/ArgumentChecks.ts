import { InvalidArgumentError } from './errors.js';
import { RecordBatch, toBuffer } from './RecordBatch.js';
import type { ResolvedExpectation } from './write/PendingItem.js';
import type { AppendExpectation, Record, SegmentRange, SeqRange } from './types.js';

/** The record bounds an append is checked against. */
export interface RecordBounds {
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
}

/** Check a batch against the bounds; returns it packed. Throws InvalidArgumentError, naming the record at fault. */
export function checkedBatch(records: readonly Record[] | RecordBatch, bounds: RecordBounds): RecordBatch {
  let batch: RecordBatch;
  if (records instanceof RecordBatch) batch = records;
  else if (Array.isArray(records)) batch = RecordBatch.fromRecords(records);
  else throw new InvalidArgumentError('records must be an array of { key, value } or a RecordBatch');
  if (batch.count === 0) throw new InvalidArgumentError('an append needs at least one record');
  if (batch.count > bounds.batchRecordsMax) {
    throw new InvalidArgumentError(`a batch holds at most ${bounds.batchRecordsMax} records, got ${batch.count}; split it`);
  }
  if (batch.payloadBytes > bounds.batchBytesMax) {
    throw new InvalidArgumentError(`a batch holds at most ${bounds.batchBytesMax} key+value bytes, got ${batch.payloadBytes}; split it`);
  }
  for (let i = 0; i < batch.count; i++) {
    const keyLength = batch.keyLength(i);
    if (keyLength === 0) throw new InvalidArgumentError(`record ${i} has an empty key; every record needs a key of 1..${bounds.keyBytesMax} bytes`);
    if (keyLength > bounds.keyBytesMax) {
      throw new InvalidArgumentError(`record ${i} has a ${keyLength}-byte key; keys are at most ${bounds.keyBytesMax} bytes`);
    }
    const valueLength = batch.valueLength(i);
    if (valueLength > bounds.valueBytesMax) {
      throw new InvalidArgumentError(`record ${i} has a ${valueLength}-byte value; values are at most ${bounds.valueBytesMax} bytes`);
    }
  }
  return batch;
}

export function checkedExpectations(expect: readonly AppendExpectation[] | undefined, keyBytesMax: number): ResolvedExpectation[] | undefined {
  if (expect === undefined) return undefined;
  if (!Array.isArray(expect)) throw new InvalidArgumentError('expect must be an array of { key, lastSequence }');
  return expect.map((e, i) => {
    const key = toBuffer(e?.key, `expect[${i}].key`);
    if (key.length === 0 || key.length > keyBytesMax) throw new InvalidArgumentError(`expect[${i}].key must be 1..${keyBytesMax} bytes`);
    const last = e.lastSequence;
    if (last !== null && !isSequence(last)) {
      throw new InvalidArgumentError(`expect[${i}].lastSequence must be null (no entries) or a non-negative safe integer, got ${String(last)}`);
    }
    return { key, keyStr: key.toString('latin1'), lastSeq: last === null ? -1 : last };
  });
}

/** A sequence range as `[start, end)` numbers. */
export function checkedSeqRange(range: SeqRange | undefined): { start: number; end: number } {
  const start = range?.start ?? 0;
  const end = range?.end ?? Number.MAX_SAFE_INTEGER;
  if (!isSequence(start)) throw new InvalidArgumentError(`range start must be a non-negative safe integer, got ${String(range?.start)}`);
  if (!isSequence(end)) throw new InvalidArgumentError(`range end must be a non-negative safe integer, got ${String(range?.end)}`);
  if (start > end) throw new InvalidArgumentError(`range start ${start} is after its end ${end}`);
  return { start, end };
}

export function checkedSegmentRange(range: SegmentRange | undefined): { start: number; end: number } {
  const start = range?.start ?? 0;
  const end = range?.end ?? 2 ** 32;
  if (!Number.isInteger(start) || start < 0 || start > 2 ** 32) throw new InvalidArgumentError(`segment range start must be a u32, got ${String(range?.start)}`);
  if (!Number.isInteger(end) || end < 0 || end > 2 ** 32) throw new InvalidArgumentError(`segment range end must be a u32, got ${String(range?.end)}`);
  if (start > end) throw new InvalidArgumentError(`segment range start ${start} is after its end ${end}`);
  return { start, end };
}

export function checkedPositive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function checkedKey(key: unknown, keyBytesMax: number, what = 'key'): Buffer {
  const bytes = toBuffer(key, what);
  if (bytes.length === 0) throw new InvalidArgumentError(`${what} is empty; keys are 1..${keyBytesMax} bytes`);
  if (bytes.length > keyBytesMax) throw new InvalidArgumentError(`${what} is ${bytes.length} bytes; keys are at most ${keyBytesMax} bytes`);
  return bytes;
}

export function checkedProducer(producer: { id: string; batchNumber: number } | undefined): { id: string; batchNumber: number } | undefined {
  if (producer === undefined) return undefined;
  const { id, batchNumber } = producer ?? {};
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > 256) {
    throw new InvalidArgumentError('producer.id must be a string of 1..256 bytes');
  }
  if (!isSequence(batchNumber)) throw new InvalidArgumentError(`producer.batchNumber must be a non-negative safe integer, got ${String(batchNumber)}`);
  return { id, batchNumber };
}

/** A key prefix: 0..keyBytesMax bytes (the empty prefix matches every key). */
export function checkedPrefix(prefix: unknown, keyBytesMax: number): Buffer {
  const bytes = toBuffer(prefix, 'prefix');
  if (bytes.length > keyBytesMax) throw new InvalidArgumentError(`prefix is ${bytes.length} bytes; keys are at most ${keyBytesMax} bytes`);
  return bytes;
}

function isSequence(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
