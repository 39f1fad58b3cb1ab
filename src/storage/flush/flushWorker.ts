import { parentPort, workerData } from 'node:worker_threads';
import { openTables } from '../env/StorageTables.js';
import { applyFrames } from './FrameApplier.js';
import type { FlushReply, FlushRequest } from './FlushMessages.js';

/**
 * The flush worker: applies WAL frames to LMDB in one durable transaction per request, on its own
 * thread, so that merging a flush's runs and writing its rows (seconds of work at a million keys)
 * never stalls the thread that acknowledges appends. It opens the same LMDB environment as the
 * main thread (lmdb-js shares one environment between a process's threads) and reads the frames
 * where they are, in shared memory.
 */
const port = parentPort;
if (port === null) throw new Error('flushWorker runs as a worker thread');
const tables = openTables((workerData as { file: string }).file);

port.on('message', (request: FlushRequest) => {
  if (request.type === 'close') {
    void tables.root.close().finally(() => port.close());
    return;
  }
  let reply: FlushReply;
  try {
    const frames = request.frames.map((f) => Buffer.from(f.memory, f.offset, f.length));
    const applied = tables.root.transactionSync(() => applyFrames(tables, frames, request.options));
    reply = { type: 'flushed', id: request.id, ...applied };
  } catch (error) {
    reply = { type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
