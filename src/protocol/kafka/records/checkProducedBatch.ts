import { KafkaRecordBatchError } from './KafkaRecordBatchError.js';
import type { KafkaRecordBatch } from './RecordBatch.js';

/**
 * The rules Kafka applies to a batch a producer sends, beyond its format: record offset deltas
 * are 0, 1, 2, ... and the batch's LastOffsetDelta is the last of them; control batches come
 * only from transaction coordinators. Decoding (decodeRecordBatches) and these rules are apart,
 * so a fetched batch can be decoded without them.
 * Throws KafkaRecordBatchError INVALID_RECORD.
 *
 * @example
 * for (const batch of decodeRecordBatches(partition.records)) checkProducedBatch(batch);
 */
export function checkProducedBatch(batch: KafkaRecordBatch): void {
  if (batch.isControl) throw new KafkaRecordBatchError('INVALID_RECORD', 'producers may not send control batches');
  if (batch.records.length === 0) throw new KafkaRecordBatchError('INVALID_RECORD', 'a produced batch holds no record');
  for (let i = 0; i < batch.records.length; i++) {
    if (batch.records[i].offsetDelta !== i) {
      throw new KafkaRecordBatchError('INVALID_RECORD', `record ${i} has offset delta ${batch.records[i].offsetDelta}; inner offsets must be 0, 1, 2, ...`);
    }
  }
  if (batch.lastOffsetDelta !== batch.records.length - 1) {
    throw new KafkaRecordBatchError('INVALID_RECORD', `LastOffsetDelta is ${batch.lastOffsetDelta} for a batch of ${batch.records.length} records`);
  }
}
