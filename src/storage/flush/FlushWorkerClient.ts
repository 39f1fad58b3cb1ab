import { Worker } from 'node:worker_threads';
import { StorageError } from '../errors.js';
import type { ApplyOptions } from './FrameApplier.js';
import type { FlushReply, SharedFrame } from './FlushMessages.js';

type Flushed = Extract<FlushReply, { type: 'flushed' }>;

/**
 * The main thread's end of the flush worker: one request at a time, answered in order. The
 * worker is started with the log and again after it died. It keeps the process alive only while
 * a request is under way (a script awaiting a flush or a close must not exit under it).
 */
export class FlushWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private waiting: { id: number; resolve: (reply: Flushed) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly file: string) {}

  apply(frames: readonly SharedFrame[], options: ApplyOptions): Promise<Flushed> {
    const worker = this.started();
    const id = this.nextId++;
    worker.ref();
    return new Promise<Flushed>((resolve, reject) => {
      this.waiting = {
        id,
        resolve: (reply) => {
          worker.unref();
          resolve(reply);
        },
        reject: (error) => {
          worker.unref();
          reject(error);
        },
      };
      worker.postMessage({ type: 'flush', id, frames, options });
    });
  }

  /** Start the worker now rather than on the first flush (it takes a few hundred milliseconds). */
  prepare(): void {
    this.started();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ type: 'close' });
    await exited;
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./flushWorker.js', import.meta.url), { workerData: { file: this.file } });
    worker.unref();
    worker.on('message', (reply: FlushReply) => {
      const waiting = this.waiting;
      if (waiting === undefined || waiting.id !== reply.id) return;
      this.waiting = undefined;
      if (reply.type === 'flushed') waiting.resolve(reply);
      else waiting.reject(new StorageError(`flushing to LMDB failed: ${reply.message}`));
    });
    const died = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(new StorageError(`the flush worker stopped: ${error.message}`, { cause: error }));
    };
    worker.on('error', died);
    worker.on('exit', (code) => {
      if (this.worker === worker) died(new Error(`it exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }
}
