import { limits } from '../limits.js';
import { KafkaListenerStats } from './metrics/KafkaListenerStats.js';
import { LatencyHistogram } from './metrics/LatencyHistogram.js';

/** Counts per second over a sliding window, for rates in Stats. */
class RateWindow {
  private readonly buckets: number[];
  private bucketSecond = 0;
  private at = 0;

  constructor(private readonly seconds: number) {
    this.buckets = new Array<number>(seconds).fill(0);
  }

  add(n: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[this.at] += n;
  }

  perSecond(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (let i = 0; i < this.seconds; i++) if (i !== this.at) sum += this.buckets[i];
    return sum / (this.seconds - 1);
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second === this.bucketSecond) return;
    const steps = Math.min(this.seconds, second - this.bucketSecond);
    for (let i = 0; i < steps; i++) {
      this.at = (this.at + 1) % this.seconds;
      this.buckets[this.at] = 0;
    }
    this.bucketSecond = second;
  }
}

const countedTypes = limits.metricsMessageTypesMax;

/**
 * The broker's own counters (storage figures come from LogDb.stats()). Every count is a fixed
 * array or a number: their memory does not grow with traffic.
 */
export class BrokerStats {
  readonly startedAtMs = Date.now();
  requestsTotal = 0;
  appendedRecordsTotal = 0;
  appendedBytesTotal = 0;
  deliveredRecordsTotal = 0;
  errorsTotal = 0;
  authFailuresTotal = 0;
  connectionsAcceptedTotal = 0;
  connectionsRefusedTotal = 0;
  receivedBytesTotal = 0;
  sentBytesTotal = 0;
  /** Requests by message type (index countedTypes: every type above). */
  readonly requestsByType = new Float64Array(countedTypes + 1);
  /** Errors by message type and code: "type code" → count; at most (countedTypes + 1) × error codes entries. */
  readonly errorsByTypeAndCode = new Map<string, { readonly type: number; readonly code: number; count: number }>();
  /** Time from an Append request being read to its answer being queued. */
  readonly appendAck = new LatencyHistogram();
  /** The Kafka listener's requests by API and its open connections. */
  readonly kafka = new KafkaListenerStats();
  private readonly appendRate = new RateWindow(11);
  private readonly deliverRate = new RateWindow(11);

  request(messageType: number): void {
    this.requestsTotal++;
    this.requestsByType[Math.min(messageType, countedTypes)]++;
  }

  error(messageType: number, code: number): void {
    this.errorsTotal++;
    const type = Math.min(messageType, countedTypes);
    const key = `${type} ${code}`;
    const entry = this.errorsByTypeAndCode.get(key);
    if (entry !== undefined) entry.count++;
    else this.errorsByTypeAndCode.set(key, { type, code, count: 1 });
  }

  appended(records: number, bytes: number): void {
    this.appendedRecordsTotal += records;
    this.appendedBytesTotal += bytes;
    this.appendRate.add(records, Date.now());
  }

  delivered(records: number): void {
    this.deliveredRecordsTotal += records;
    this.deliverRate.add(records, Date.now());
  }

  /** The type a count of requestsByType stands for (the last index: every type above). */
  static typeOfIndex(index: number): number | undefined {
    return index < countedTypes ? index : undefined;
  }

  appendRecordsPerSec(): number {
    return this.appendRate.perSecond(Date.now());
  }

  deliverRecordsPerSec(): number {
    return this.deliverRate.perSecond(Date.now());
  }
}
