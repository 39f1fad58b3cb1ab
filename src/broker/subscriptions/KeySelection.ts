/** What a subscription follows: named keys, or every key under a prefix. */
export type KeySelection =
  | { readonly kind: 'keys'; readonly keys: readonly Buffer[]; readonly keyStrs: ReadonlySet<string> }
  | { readonly kind: 'prefix'; readonly prefix: Buffer };

export function selectKeys(keys: readonly Buffer[]): KeySelection {
  return { kind: 'keys', keys, keyStrs: new Set(keys.map((k) => k.toString('latin1'))) };
}

export function selectPrefix(prefix: Buffer): KeySelection {
  return { kind: 'prefix', prefix };
}

export function selectionMatches(selection: KeySelection, key: Buffer, keyStr?: string): boolean {
  if (selection.kind === 'keys') return selection.keyStrs.has(keyStr ?? key.toString('latin1'));
  const prefix = selection.prefix;
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
