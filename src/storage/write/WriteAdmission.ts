import { QueueFullError, TimeoutError } from '../errors.js';

export interface AdmissionBounds {
  readonly bytesMax: number;
  readonly batchesMax: number;
  readonly waitersMax: number;
}

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The bound on what the write queue holds: bytes and batches accepted but not yet acknowledged.
 * A batch that does not fit is refused at once (QueueFull), or, if the caller gave a timeout,
 * waits in FIFO order for space up to that long (then Timeout). Waiters are bounded too.
 */
export class WriteAdmission {
  private bytes = 0;
  private batches = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly bounds: AdmissionBounds) {}

  get queuedBytes(): number {
    return this.bytes;
  }

  get queuedBatches(): number {
    return this.batches;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Take room for a batch, waiting up to `timeoutMs` if given. */
  acquire(bytes: number, timeoutMs: number | undefined): Promise<void> | undefined {
    if (this.waiters.length === 0 && this.fits(bytes)) {
      this.take(bytes);
      return undefined;
    }
    if (timeoutMs === undefined || timeoutMs <= 0 || this.waiters.length >= this.bounds.waitersMax) {
      return Promise.reject(new QueueFullError(this.fullMessage()));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new TimeoutError(`no room in the write queue within ${timeoutMs} ms (${this.fullMessage()}); the batch was not appended`));
        this.grant(); // the head waiter may have been the one blocking the rest
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Give back the room of an acknowledged (or failed) batch. */
  release(bytes: number): void {
    this.bytes -= bytes;
    this.batches--;
    this.grant();
  }

  /** Fail every waiter (the log is closing). */
  rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private grant(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0].bytes)) {
      const waiter = this.waiters.shift() as Waiter;
      clearTimeout(waiter.timer);
      this.take(waiter.bytes);
      waiter.resolve();
    }
  }

  private fits(bytes: number): boolean {
    return this.batches < this.bounds.batchesMax && (this.bytes + bytes <= this.bounds.bytesMax || this.batches === 0);
  }

  private take(bytes: number): void {
    this.bytes += bytes;
    this.batches++;
  }

  private fullMessage(): string {
    return `write queue full: ${this.batches} batches, ${this.bytes} bytes queued (bounds ${this.bounds.batchesMax} batches, ${this.bounds.bytesMax} bytes); retry after a pause or pass timeoutMs`;
  }
}
