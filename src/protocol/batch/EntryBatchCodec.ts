import { ByteReader } from '../avro/ByteReader.js';
import { ByteWriter } from '../avro/ByteWriter.js';
import { ProtocolDecodeError } from '../avro/ProtocolDecodeError.js';

/** An entry of one key (schema `key-entry-batch.avsc`). */
export interface KeyEntry {
  readonly sequence: number;
  readonly value: Buffer;
}

/** An entry with its key (schema `entry-batch.avsc`). */
export interface Entry {
  readonly key: Buffer;
  readonly sequence: number;
  readonly value: Buffer;
}

/**
 * Writes an entry batch (with keys or without) as one Avro array block. The count is only
 * known at the end, so the block is written into a body buffer and the count put before it.
 */
export class EntryBatchWriter {
  private readonly body: ByteWriter;
  private entries = 0;

  constructor(
    private readonly withKeys: boolean,
    initialBytes = 4096,
  ) {
    this.body = new ByteWriter(initialBytes);
  }

  get count(): number {
    return this.entries;
  }

  /** Bytes of the batch so far (an upper bound on what finish() returns minus 11). */
  get byteLength(): number {
    return this.body.length;
  }

  add(key: Uint8Array | undefined, sequence: number, source: Uint8Array, valueStart = 0, valueEnd = source.length): void {
    if (this.withKeys) this.body.writeBytes(key as Uint8Array);
    this.body.writeLong(sequence);
    this.body.writeBytes(source, valueStart, valueEnd);
    this.entries++;
  }

  /** The encoded batch (a fresh buffer). */
  finish(): Buffer {
    const out = new ByteWriter(this.body.length + 11);
    if (this.entries > 0) out.writeLong(this.entries);
    out.writeRaw(this.body.view());
    out.writeLong(0);
    return out.view();
  }
}

function readBlocks(bytes: Buffer, each: (reader: ByteReader) => void): void {
  const reader = new ByteReader(bytes);
  for (;;) {
    let count = reader.readLong();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      reader.readLong();
    }
    if (count * 2 > reader.remaining) throw new ProtocolDecodeError(`an entry block claims ${count} entries but only ${reader.remaining} bytes remain`);
    for (let i = 0; i < count; i++) each(reader);
  }
  if (reader.pos !== reader.end) throw new ProtocolDecodeError('bytes trail the entry batch');
}

/** Decode a key-entry batch; values are views into `bytes`. */
export function readKeyEntryBatch(bytes: Buffer): KeyEntry[] {
  const out: KeyEntry[] = [];
  readBlocks(bytes, (r) => {
    const sequence = r.readLong();
    const [start, end] = r.readBytesRange();
    out.push({ sequence, value: bytes.subarray(start, end) });
  });
  return out;
}

/** Decode an entry batch; keys and values are views into `bytes`. */
export function readEntryBatch(bytes: Buffer): Entry[] {
  const out: Entry[] = [];
  readBlocks(bytes, (r) => {
    const [ks, ke] = r.readBytesRange();
    const sequence = r.readLong();
    const [vs, ve] = r.readBytesRange();
    out.push({ key: bytes.subarray(ks, ke), sequence, value: bytes.subarray(vs, ve) });
  });
  return out;
}
