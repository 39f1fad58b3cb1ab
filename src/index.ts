/**
 * odlog: a key-oriented event log (OpenData Log's model) on LMDB, embedded or over TCP.
 */
export { LogDb, type LogDbOptions, type KeySelector, type LogStats } from './storage/LogDb.js';
export { RecordBatch } from './storage/RecordBatch.js';
export type { LogIterator } from './storage/read/LogIterator.js';
export type { CommittedChunk, CommittedRun } from './storage/write/CommitBuilder.js';
export type { StreamRow } from './storage/layout/StreamRow.js';
export type { ConsumerCursor, CursorSelector, CursorStore } from './storage/CursorStore.js';
export type { SegmentationPolicy } from './storage/SegmentTable.js';
export type { RetentionPolicy } from './storage/RetentionTask.js';
export * from './storage/types.js';
export {
  LogError,
  InvalidArgumentError,
  QueueFullError,
  TimeoutError,
  ConflictError,
  ClosedError,
  StorageError,
  IncompatibleFormatError,
  LockedError,
  type LogErrorCode,
} from './storage/errors.js';
export { limits } from './limits.js';
