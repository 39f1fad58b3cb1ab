import { createHash } from 'node:crypto';

/** Where a produced idempotent batch stands against its producer's sequence. */
export type SequenceVerdict =
  /** The sequence this producer is expected to send next. */
  | 'next'
  /** A producer neither this broker nor storage knows (its first batch): taken as it comes. */
  | 'unknown'
  /** Below the next: a batch already taken, sent again. Storage answers it with its original offsets. */
  | 'retry'
  /** Above the next: a batch is missing in between (OUT_OF_ORDER_SEQUENCE_NUMBER). */
  | 'gap';

/** The bytes odlog allows in an idempotent producer id. */
const producerIdBytesMax = 256;

/**
 * Kafka idempotence on odlog's idempotent producers. Each (producer id, epoch, topic) is one
 * odlog producer (`append(batch, { producer: { id, batchNumber } })`, batchNumber = the batch's
 * base sequence): a batch sent again is found in its window and answered with its original
 * result, even across restarts.
 *
 * Kafka also refuses batches out of order, which keeps "below the next sequence" equal to "already
 * taken". That needs the next sequence of each producer, kept here in memory (bounded, least
 * recently used dropped first) and, for one not in memory (forgotten, or after a broker restart),
 * read from storage's window (its last batch). A producer storage does not know either is new:
 * its first batch is accepted at whatever sequence it sends.
 *
 * @example
 * const id = producers.odlogId(4, 0, 'orders'); // 'kafka:4:0:orders'
 * if (producers.verdict(id, batch.baseSequence) === 'gap') answer(OUT_OF_ORDER_SEQUENCE_NUMBER);
 */
export class IdempotentProducers {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly rememberedMax: number,
    /** The producer's last batch in storage's window, if it has one. */
    private readonly lastStored: (id: string) => { readonly batchNumber: number; readonly count: number } | undefined,
  ) {}

  /** The odlog producer id of a Kafka producer's writes to a topic (hashed when the topic is long). */
  odlogId(producerId: number, epoch: number, topic: string): string {
    const id = `kafka:${producerId}:${epoch}:${topic}`;
    if (Buffer.byteLength(id) <= producerIdBytesMax) return id;
    return `kafka:${producerId}:${epoch}:#${createHash('sha256').update(topic).digest('hex')}`;
  }

  verdict(id: string, baseSequence: number): SequenceVerdict {
    let expected = this.next.get(id);
    if (expected === undefined) {
      const last = this.lastStored(id);
      if (last === undefined) return 'unknown';
      expected = (last.batchNumber + last.count) % 2 ** 31;
      this.touch(id, expected);
    }
    if (baseSequence === expected) return 'next';
    return baseSequence < expected ? 'retry' : 'gap';
  }

  /** A batch was taken (appended, or found to be a retry): the next expected sequence follows it. */
  taken(id: string, baseSequence: number, count: number): void {
    const following = (baseSequence + count) % 2 ** 31; // Kafka sequences wrap at int32
    const current = this.next.get(id);
    if (current !== undefined && following <= current && following !== 0) {
      this.touch(id, current);
      return;
    }
    this.touch(id, following);
  }

  /** A batch failed to append: whatever the producer sends next is taken as it comes. */
  forget(id: string): void {
    this.next.delete(id);
  }

  private touch(id: string, value: number): void {
    this.next.delete(id);
    this.next.set(id, value);
    if (this.next.size > this.rememberedMax) {
      const oldest = this.next.keys().next().value as string;
      this.next.delete(oldest);
    }
  }
}
