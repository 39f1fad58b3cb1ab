import type { OdlogClient } from '../../../clients/OdlogClient.js';

/**
 * One consumer position as `odlog cursors` lists it. `kind` says what holds it: `cursor` (a named
 * cursor of the native protocol); the Kafka listener's consumer groups are another kind, listed
 * by a source of their own beside the cursors.
 */
export interface PositionRow {
  readonly kind: string;
  readonly name: string;
  /** Where it is: a sequence for a cursor (everything it follows below it is processed). */
  readonly position: number;
  /** Records it follows at or after its position. */
  readonly lag: number;
  /** True when counting stopped at a bound: `lag` is then a lower bound. */
  readonly lagIsLowerBound: boolean;
  /** What it follows, as text (`keys a,b` or `prefix p`), escaped like scan output. */
  readonly follows: string;
  /** When it last moved (ms since the epoch). */
  readonly updatedAtMs: number;
}

/** Somewhere consumer positions are kept, listed page by page. */
export interface PositionSource {
  readonly kind: string;
  rows(client: OdlogClient, options: { readonly prefix?: string }): AsyncIterable<PositionRow>;
}
