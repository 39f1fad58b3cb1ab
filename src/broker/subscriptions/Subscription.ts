import { EntryBatchWriter } from '../../protocol/batch/EntryBatchCodec.js';
import { entryCreditBytes } from '../../protocol/batch/EntryCost.js';
import { encodeFrame } from '../../protocol/frame/FrameEncoder.js';
import { FrameFlags } from '../../protocol/frame/FrameHeader.js';
import type { ProtocolVersion } from '../../protocol/ProtocolVersion.js';
import { SubscriptionBatchPush } from '../../protocol/messages/subscriptionBatch.js';
import { SubscriptionEndPush } from '../../protocol/messages/subscriptionEnd.js';
import type { LogIterator } from '../../storage/index.js';
import type { LogDb } from '../../storage/index.js';
import type { CommittedChunk, CommittedRun } from '../../storage/index.js';
import { selectionMatches, type KeySelection } from './KeySelection.js';
import { RunMerger } from './RunMerger.js';
import { toErrorBody } from '../BrokerError.js';
import { limits } from '../../limits.js';

/** Where a subscription's pushes go (the connection). */
export interface PushOutput {
  /** Whether the connection's output has room for more. */
  canPush(): boolean;
  push(frame: Buffer): void;
  delivered(records: number): void;
}

const creditRecordsMax = limits.subscriptionCreditRecordsMax;
const creditBytesMax = limits.subscriptionCreditBytesMax;

/**
 * One subscription: entries of its keys in global sequence order, pushed within the credit the
 * consumer granted and the room its connection has.
 *
 * It is either *live*, fed straight from commit notifications, or *catching up*, reading from
 * storage. `nextSeq` is the single source of truth: every matching entry below it has been
 * sent. A live subscription that runs out of credit or room simply stops being live at the
 * entry it could not send; storage is its buffer, so the broker never queues entries for it.
 * Catch-up reads pages until one reaches the log's visible end, then goes live; commits that
 * arrive meanwhile are in storage, and a live subscription ignores anything below nextSeq, so
 * the switch has no gap and no duplicate.
 *
 * Pushes are in the protocol version of the Subscribe: version 2 entries carry their offset,
 * append time and headers, and an entry's headers count towards its byte credit (entryCreditBytes).
 */
export class Subscription {
  private nextSeq: number;
  private creditRecords: number;
  private creditBytes: number;
  private live = false;
  private pumping = false;
  private wokenWhilePumping = false;
  private closed = false;

  constructor(
    readonly id: number,
    readonly selection: KeySelection,
    start: number,
    credit: { records: number; bytes: number },
    private readonly log: LogDb,
    private readonly output: PushOutput,
    private readonly pushBytesMax: number,
    /** The version of the Subscribe that started it: its pushes are in that version. */
    private readonly version: ProtocolVersion,
  ) {
    this.nextSeq = start;
    this.creditRecords = Math.min(creditRecordsMax, Math.max(0, credit.records));
    this.creditBytes = Math.min(creditBytesMax, Math.max(0, credit.bytes));
  }

  get position(): number {
    return this.nextSeq;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Start delivering (after the Subscribe response went out). */
  start(): void {
    this.resume();
  }

  grant(records: number, bytes: number): void {
    this.creditRecords = Math.min(creditRecordsMax, this.creditRecords + Math.max(0, records));
    this.creditBytes = Math.min(creditBytesMax, this.creditBytes + Math.max(0, bytes));
    this.resume();
  }

  /** The connection has room again, credit or a commit arrived: catch up if not live. */
  resume(): void {
    if (this.live || this.closed) return;
    // A wake-up during a catch-up must not be lost: the page under way may predate it.
    if (this.pumping) this.wokenWhilePumping = true;
    else void this.pump();
  }

  /** A commit became visible and touches this subscription's keys. */
  onChunk(chunk: CommittedChunk): void {
    if (this.closed) return;
    if (!this.live) {
      // A catch-up that found nothing new waits for exactly this.
      this.resume();
      return;
    }
    if (chunk.endSequence <= this.nextSeq) return;
    const runs = chunk.runs.filter((run) => selectionMatches(this.selection, run.key, run.keyStr));
    const sent = this.sendRuns(runs, chunk.endSequence);
    if (!sent) this.live = false; // out of credit or room: storage holds the rest
  }

  /** End the subscription, telling the consumer why (if it is still there). */
  end(code: number, message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.output.push(
      encodeFrame({ messageType: SubscriptionEndPush.type, version: this.version, flags: FrameFlags.Push, correlationId: this.id }, SubscriptionEndPush.body.at(this.version), {
        code,
        message,
        nextSequence: this.nextSeq,
      }),
    );
  }

  close(): void {
    this.closed = true;
  }

  /**
   * Send the runs' entries at or after nextSeq in sequence order; returns false if credit or
   * room ran out before all were sent (nextSeq then points at the first unsent entry).
   */
  private sendRuns(runs: readonly CommittedRun[], chunkEnd: number): boolean {
    const merger = new RunMerger(runs, this.nextSeq);
    const v2 = this.version >= 2;
    let writer = new EntryBatchWriter(true, this.version);
    let complete = true;
    for (let r = merger.peek(); r >= 0; r = merger.peek()) {
      const run = runs[r];
      const row = run.row;
      const i = merger.indexIn(r);
      const start = row.valueStart(i);
      const end = row.valueEnd(i);
      const headers = v2 ? row.headers(i) : undefined;
      const size = entryCreditBytes(run.key.length, end - start, headers);
      if (this.creditRecords === 0 || this.creditBytes < size || !this.output.canPush()) {
        complete = false;
        break;
      }
      const sequence = row.sequence(i);
      if (v2) writer.add(run.key, sequence, row.buffer, start, end, row.offset(i), row.timestamp(i), headers);
      else writer.add(run.key, sequence, row.buffer, start, end);
      this.creditRecords--;
      this.creditBytes -= size;
      this.nextSeq = sequence + 1;
      merger.advance();
      if (writer.byteLength >= this.pushBytesMax) {
        this.pushBatch(writer, this.nextSeq);
        writer = new EntryBatchWriter(true, this.version);
      }
    }
    if (complete) this.nextSeq = Math.max(this.nextSeq, chunkEnd);
    if (writer.count > 0) this.pushBatch(writer, this.nextSeq);
    return complete;
  }

  private pushBatch(writer: EntryBatchWriter, nextSequence: number): void {
    const count = writer.count;
    this.output.push(
      encodeFrame(
        { messageType: SubscriptionBatchPush.type, version: this.version, flags: FrameFlags.Push, correlationId: this.id },
        SubscriptionBatchPush.body.at(this.version),
        { entries: writer.finish(), nextSequence },
        writer.byteLength + 32,
      ),
    );
    this.output.delivered(count);
  }

  /** Read from storage until caught up (then go live), or until credit or room runs out. */
  private async pump(): Promise<void> {
    this.pumping = true;
    this.wokenWhilePumping = false;
    try {
      await this.catchUp();
    } catch (error) {
      // A read that fails (storage trouble, the log closing) ends this subscription only, with the reason.
      const body = toErrorBody(error);
      this.end(body.code, `the subscription stopped: ${body.message}`);
    } finally {
      this.pumping = false;
    }
  }

  private async catchUp(): Promise<void> {
    while (!this.closed && !this.live && this.creditRecords > 0 && this.output.canPush()) {
      if (this.log.isClosed) return;
      const outcome = this.catchUpOnePage();
      if (outcome === 'caughtUp') {
        this.live = true;
        return;
      }
      // Out of credit for the next entry, or nothing new yet: wait for a grant or a commit instead of
      // spinning, unless one came while this page was read.
      if (outcome !== 'progress') {
        if (this.wokenWhilePumping) {
          this.wokenWhilePumping = false;
        } else {
          // Committed data the read did not see yet (its snapshot predates the commit): look again shortly.
          if (outcome === 'idle' && this.nextSeq < this.log.visibleSequence) setTimeout(() => this.resume(), limits.catchUpRetryMs).unref();
          return;
        }
      }
      // Let other connections run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One page from storage. */
  private catchUpOnePage(): 'caughtUp' | 'progress' | 'blocked' | 'idle' {
    const startedAt = this.nextSeq;
    const iterator = this.readerFrom(this.nextSeq);
    const v2 = this.version >= 2;
    const writer = new EntryBatchWriter(true, this.version);
    let stopped = false;
    for (let r = iterator.nextSync(); !r.done; r = iterator.nextSync()) {
      const entry = r.value;
      const size = entryCreditBytes(entry.key.length, entry.value.length, v2 ? entry.headers : undefined);
      if (this.creditRecords === 0 || this.creditBytes < size) {
        this.nextSeq = entry.sequence;
        stopped = true;
        break;
      }
      if (v2) writer.add(entry.key, entry.sequence, entry.value, 0, entry.value.length, entry.offset, entry.timestamp, entry.headers);
      else writer.add(entry.key, entry.sequence, entry.value);
      this.creditRecords--;
      this.creditBytes -= size;
      this.nextSeq = entry.sequence + 1;
      // Headers are not counted in the read's maxBytes: bound the push by what it holds.
      if (writer.byteLength >= this.pushBytesMax) {
        stopped = true;
        break;
      }
    }
    if (!stopped && iterator.exhausted) this.nextSeq = Math.max(this.nextSeq, iterator.nextSequence);
    if (writer.count > 0) this.pushBatch(writer, this.nextSeq);
    if (stopped) return writer.count > 0 ? 'progress' : 'blocked';
    if (iterator.exhausted && this.nextSeq >= this.log.visibleSequence) return 'caughtUp';
    return this.nextSeq > startedAt ? 'progress' : 'idle';
  }

  private readerFrom(start: number): LogIterator {
    const options = { limit: Math.max(1, this.creditRecords), maxBytes: Math.max(1, Math.min(this.pushBytesMax, this.creditBytes)) };
    const s = this.selection;
    if (s.kind === 'keys' && s.keys.length === 1) return this.log.scan(s.keys[0], { start }, options);
    return this.log.scanGlobal(s.kind === 'keys' ? { keys: s.keys } : { prefix: s.prefix }, { start }, options);
  }
}
