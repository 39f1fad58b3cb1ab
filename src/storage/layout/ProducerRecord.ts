/**
 * One row of the `producers` table, keyed by producer id (UTF-8): the producer's recent batches,
 * written in the same commit as the batches, so that a retry after a broker crash is still
 * recognised.
 *
 * ```
 *   f64 LE  lastSeenMs
 *   u32 LE  n
 *   n x { f64 LE batchNumber, f64 LE startSequence, u32 LE count, f64 LE offset, f64 LE timeMs }
 * ```
 * (`offset`: the batch's first record's offset within its key; `timeMs`: its append time: a retry
 * is answered with them too.)
 */
export interface ProducerBatch {
  readonly batchNumber: number;
  readonly startSequence: number;
  readonly count: number;
  readonly offset: number;
  readonly timeMs: number;
}

const batchBytes = 36;

export interface ProducerRecord {
  readonly lastSeenMs: number;
  readonly batches: readonly ProducerBatch[];
}

export function encodeProducerRecord(record: ProducerRecord): Buffer {
  const out = Buffer.allocUnsafe(12 + batchBytes * record.batches.length);
  out.writeDoubleLE(record.lastSeenMs, 0);
  out.writeUInt32LE(record.batches.length, 8);
  let at = 12;
  for (const b of record.batches) {
    out.writeDoubleLE(b.batchNumber, at);
    out.writeDoubleLE(b.startSequence, at + 8);
    out.writeUInt32LE(b.count, at + 16);
    out.writeDoubleLE(b.offset, at + 20);
    out.writeDoubleLE(b.timeMs, at + 28);
    at += batchBytes;
  }
  return out;
}

export function decodeProducerRecord(buf: Buffer): ProducerRecord {
  const n = buf.readUInt32LE(8);
  const batches: ProducerBatch[] = [];
  for (let i = 0, at = 12; i < n; i++, at += batchBytes) {
    batches.push({ batchNumber: buf.readDoubleLE(at), startSequence: buf.readDoubleLE(at + 8), count: buf.readUInt32LE(at + 16), offset: buf.readDoubleLE(at + 20), timeMs: buf.readDoubleLE(at + 28) });
  }
  return { lastSeenMs: buf.readDoubleLE(0), batches };
}
