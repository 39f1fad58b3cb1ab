/** `--name value` / `--flag` arguments over defaults; numbers stay strings until the caller converts. */
export function parseBenchArgs<T extends { [name: string]: string | number | boolean }>(argv: readonly string[], defaults: T): T & { [name: string]: string | number | boolean } {
  const out: { [name: string]: string | number | boolean } = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[name] = true;
    else {
      out[name] = next;
      i++;
    }
  }
  return out as T & { [name: string]: string | number | boolean };
}
