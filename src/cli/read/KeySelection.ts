import { text, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { decodeText, type Encoding } from '../input/Encoding.js';

/** Keys named on the command line, or every key under a prefix (as bytes, after --encoding). */
export type KeySelection = { readonly kind: 'keys'; readonly keys: readonly Buffer[] } | { readonly kind: 'prefix'; readonly prefix: Buffer };

export const prefixFlag = valueFlag('prefix', 'PREFIX', 'every key starting with PREFIX instead of named keys', text, { example: '--prefix tenant-a:' });

/** KEY... or --prefix P (exactly one of the two), decoded with `encoding`. */
export function keySelectionOf(positionals: readonly string[], prefix: string | undefined, encoding: Encoding, usage: string): KeySelection {
  if ((positionals.length === 0) === (prefix === undefined)) throw new UsageError(`name keys or --prefix (one of the two); usage: ${usage}`);
  if (prefix !== undefined) return { kind: 'prefix', prefix: decodeText(prefix, encoding, '--prefix') };
  return { kind: 'keys', keys: positionals.map((k, i) => decodeText(k, encoding, `key ${i + 1}`)) };
}

/** The selection as the client's subscribe options take it. */
export function subscribeTarget(selection: KeySelection): { keys: Buffer[] } | { prefix: Buffer } {
  return selection.kind === 'keys' ? { keys: [...selection.keys] } : { prefix: selection.prefix };
}
