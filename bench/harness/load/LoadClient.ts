import type { TargetKind } from '../BenchOptions.js';

/** One append as the generator built it: keys and values, in order. */
export interface LoadBatch {
  readonly keys: readonly Buffer[];
  readonly values: readonly Buffer[];
}

/**
 * What the load generator needs from a system under test, so odlog and its peers are driven by
 * the same code: append a batch and learn when it is acknowledged; follow every bench key.
 */
export interface LoadClient {
  append(batch: LoadBatch): Promise<void>;
  /** Follow every key under `keyPrefix` from now on; `onValues` gets each delivery. */
  tail(keyPrefix: string, keys: readonly Buffer[], onValues: (values: Buffer[]) => void): Promise<void>;
  close(): Promise<void>;
}

export interface LoadClientOptions {
  readonly target: TargetKind;
  readonly address: string;
  readonly durability: 'sync' | 'async';
}
