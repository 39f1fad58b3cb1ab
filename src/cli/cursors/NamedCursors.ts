import type { OdlogClient } from '../../../clients/OdlogClient.js';
import type { CursorState } from '../../protocol/messages/listCursors.js';
import { escapeBytes } from '../output/ByteText.js';
import type { PositionRow, PositionSource } from './PositionSource.js';

/** What a cursor follows, as one line: `keys orders,payments` or `prefix tenant-a:`. */
export function followsText(cursor: { readonly keys: readonly Buffer[]; readonly prefix: Buffer | null }): string {
  return cursor.prefix !== null ? `prefix ${escapeBytes(cursor.prefix)}` : `keys ${cursor.keys.map((k) => escapeBytes(k)).join(',')}`;
}

export function cursorRow(cursor: CursorState): PositionRow {
  return {
    kind: 'cursor',
    name: cursor.name,
    position: cursor.sequence,
    lag: cursor.lagRecords,
    lagIsLowerBound: cursor.lagIsLowerBound,
    follows: followsText(cursor),
    updatedAtMs: cursor.updatedAtMs,
  };
}

/** The broker's named cursors (ListCursors), those this token may see. */
export const namedCursors: PositionSource = {
  kind: 'cursor',
  async *rows(client: OdlogClient, options: { readonly prefix?: string }): AsyncIterable<PositionRow> {
    for await (const cursor of client.cursors({ prefix: options.prefix })) yield cursorRow(cursor);
  },
};
