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

/** The broker's own counters (storage figures come from LogDb.stats()). */
export class BrokerStats {
  readonly startedAtMs = Date.now();
  requestsTotal = 0;
  appendedRecordsTotal = 0;
  appendedBytesTotal = 0;
  deliveredRecordsTotal = 0;
  errorsTotal = 0;
  authFailuresTotal = 0;
  private readonly appendRate = new RateWindow(11);
  private readonly deliverRate = new RateWindow(11);

  appended(records: number, bytes: number): void {
    this.appendedRecordsTotal += records;
    this.appendedBytesTotal += bytes;
    this.appendRate.add(records, Date.now());
  }

  delivered(records: number): void {
    this.deliveredRecordsTotal += records;
    this.deliverRate.add(records, Date.now());
  }

  appendRecordsPerSec(): number {
    return this.appendRate.perSecond(Date.now());
  }

  deliverRecordsPerSec(): number {
    return this.deliverRate.perSecond(Date.now());
  }
}
