import { limits } from '../../limits.js';
import type { RecordToEncode } from '../../protocol/kafka/records/encodeRecordBatch.js';
import { KafkaRecordBatchError } from '../../protocol/kafka/records/KafkaRecordBatchError.js';
import type { KafkaRecord, KafkaRecordHeader } from '../../protocol/kafka/records/RecordBatch.js';
import { encodeHeaderBlock, InvalidArgumentError, RecordBatch, type HeaderInput, type LogEntry } from '../../storage/index.js';
import { KafkaHeaderNames, reservedPrefix } from './KafkaHeaderNames.js';

/** The broker's record bounds a produced batch is held to. */
export interface StorageBounds {
  readonly valueBytesMax: number;
  readonly batchBytesMax: number;
}

const noHeaders: readonly KafkaRecordHeader[] = Object.freeze([]);

/**
 * The records of one produced Kafka batch as one odlog batch for the topic's key: every record's
 * key is the topic, its value the Kafka value (empty, marked by a header, when null), its
 * headers the Kafka record key (reserved header `odlog.kafka.key`) followed by the Kafka
 * headers in order. One buffer holds the topic once and the values after it; every record's key
 * range points at the topic's bytes.
 *
 * Throws KafkaRecordBatchError: TOO_LARGE (a value or the batch over the broker's bounds),
 * INVALID_RECORD (a reserved header name from the producer, headers over their bounds).
 *
 * @example
 * const batch = toStorageBatch(Buffer.from('orders'), kafkaBatch.records, config);
 * await log.append(batch);
 */
export function toStorageBatch(topic: Buffer, records: readonly KafkaRecord[], bounds: StorageBounds): RecordBatch {
  const n = records.length;
  let valueBytes = 0;
  let needsHeaders = false;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const length = r.value === null ? 0 : r.value.length;
    if (length > bounds.valueBytesMax) throw new KafkaRecordBatchError('TOO_LARGE', `record ${i} has a ${length}-byte value; values are at most ${bounds.valueBytesMax} bytes`);
    valueBytes += length;
    if (r.key !== null || r.value === null || r.headers.length > 0) needsHeaders = true;
  }
  const buffer = Buffer.allocUnsafe(topic.length + valueBytes);
  topic.copy(buffer, 0);
  const offsets = new Uint32Array(4 * n);
  let at = topic.length;
  for (let i = 0; i < n; i++) {
    offsets[4 * i] = 0;
    offsets[4 * i + 1] = topic.length;
    offsets[4 * i + 2] = at;
    const value = records[i].value;
    if (value !== null) {
      buffer.set(value, at);
      at += value.length;
    }
    offsets[4 * i + 3] = at;
  }
  let payloadBytes = n * topic.length + valueBytes;
  let headers: { buffer: Buffer; ends: Uint32Array } | undefined;
  if (needsHeaders) {
    headers = headerBlocks(records);
    payloadBytes += headers.buffer.length;
  }
  if (payloadBytes > bounds.batchBytesMax) {
    throw new KafkaRecordBatchError('TOO_LARGE', `the batch holds ${payloadBytes} bytes of keys, values and headers; at most ${bounds.batchBytesMax} are accepted (batchBytesMax)`);
  }
  return new RecordBatch(buffer, offsets, n, payloadBytes, headers);
}

function headerBlocks(records: readonly KafkaRecord[]): { buffer: Buffer; ends: Uint32Array } {
  const n = records.length;
  const blocks = new Array<Buffer>(n);
  const ends = new Uint32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const list: HeaderInput[] = [];
    if (r.key !== null) list.push({ name: KafkaHeaderNames.key, value: r.key });
    if (r.value === null) list.push({ name: KafkaHeaderNames.nullValue, value: null });
    for (const h of r.headers) {
      if (h.key.startsWith(reservedPrefix)) {
        throw new KafkaRecordBatchError('INVALID_RECORD', `record ${i} has header ${JSON.stringify(h.key)}: names starting with "${reservedPrefix}" are reserved for odlog`);
      }
      list.push({ name: h.key, value: h.value });
    }
    try {
      blocks[i] = encodeHeaderBlock(list, limits, `record ${i}`, true);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw new KafkaRecordBatchError('INVALID_RECORD', `${error.message} (the Kafka key is one of them)`, { cause: error });
      throw error;
    }
    size += blocks[i].length;
    ends[i] = size;
  }
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  for (const block of blocks) at += block.copy(buffer, at);
  return { buffer, ends };
}

/**
 * A log entry as the Kafka record a consumer gets back: the key and null-ness from the reserved
 * headers, the other headers in order, then `odlog.sequence` (the entry's sequence, decimal
 * ASCII), and the entry's append time as its timestamp.
 */
export function toKafkaRecord(entry: LogEntry): RecordToEncode {
  let key: Buffer | null = null;
  let value: Buffer | null = entry.value;
  const headers: KafkaRecordHeader[] = [];
  for (const h of entry.headers ?? noHeaderEntries) {
    if (h.name === KafkaHeaderNames.key) key = h.value;
    else if (h.name === KafkaHeaderNames.nullValue) value = null;
    else headers.push({ key: h.name, value: h.value });
  }
  headers.push({ key: KafkaHeaderNames.sequence, value: Buffer.from(String(entry.sequence), 'latin1') });
  return { timestamp: entry.timestamp, key, value, headers: headers.length > 0 ? headers : noHeaders };
}

const noHeaderEntries: NonNullable<LogEntry['headers']> = Object.freeze([]);
