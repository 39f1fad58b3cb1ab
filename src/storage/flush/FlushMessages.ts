import type { GenRecord } from '../layout/GenRecord.js';
import type { ApplyOptions } from './FrameApplier.js';

/** A frame where it lies in shared memory. */
export interface SharedFrame {
  readonly memory: SharedArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

/** To the flush worker: apply these frames (in order, following on from LMDB), or close. */
export type FlushRequest =
  | { readonly type: 'flush'; readonly id: number; readonly frames: readonly SharedFrame[]; readonly options: ApplyOptions }
  | { readonly type: 'close' };

/** From the flush worker: the frames are in LMDB (durably), or the transaction failed (nothing changed). */
export type FlushReply =
  | { readonly type: 'flushed'; readonly id: number; readonly flushedLsn: number; readonly flushedSeq: number; readonly gens: GenRecord[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
