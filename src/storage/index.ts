/**
 * The storage engine's public surface: everything outside `src/storage` imports from here.
 */
export { LogDb, type LogDbOptions, type KeySelector, type KeyOffsets, type LogStats } from './LogDb.js';
export type { GroupOffset, GroupOffsetStore } from './GroupOffsetStore.js';
export { RecordBatch, type BatchHeaders } from './RecordBatch.js';
export { encodeHeaderBlock, reservedHeaderPrefix, type HeaderInput, type HeaderBounds } from './layout/HeaderBlock.js';
export type { LogIterator } from './read/LogIterator.js';
export type { CommittedChunk, CommittedRun } from './write/GroupCommitWriter.js';
export type { StreamRow } from './layout/StreamRow.js';
export type { ConsumerCursor, CursorSelector, CursorStore } from './CursorStore.js';
export type { SegmentationPolicy } from './SegmentTable.js';
export type { RetentionPolicy } from './RetentionTask.js';
export type { KeyRetentionRule } from './KeyRetention.js';
export type { Clock, ClockTimer } from './Clock.js';
export { nodeWalFiles, type WalFiles, type WalHandle } from './wal/WalFiles.js';
/** For diagnostics that open a data directory's LMDB file themselves (bench:tables). */
export { tablesIn } from './env/StorageTables.js';
export * from './types.js';
export {
  LogError,
  InvalidArgumentError,
  QueueFullError,
  TimeoutError,
  ConflictError,
  StaleBatchError,
  ClosedError,
  StorageError,
  IncompatibleFormatError,
  LockedError,
  type LogErrorCode,
} from './errors.js';
