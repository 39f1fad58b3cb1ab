import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { limits } from '../../limits.js';
import { UsageError } from '../../args/UsageError.js';
import { CliError } from '../CliError.js';
import { subscribeTarget, type KeySelection } from './KeySelection.js';

/** Where reading starts: `earliest`, `latest`, a sequence, or `-N` (the last N records of each key, as kcat `-o -N`). */
export type StartPosition = { readonly kind: 'earliest' } | { readonly kind: 'latest' } | { readonly kind: 'sequence'; readonly sequence: number } | { readonly kind: 'lastN'; readonly count: number };

/** `--from` text to a position; `latest` only where it means something (tail). */
export function readStartPosition(text: string, flag: string, allowLatest: boolean): StartPosition {
  if (text === 'earliest') return { kind: 'earliest' };
  if (text === 'latest' && allowLatest) return { kind: 'latest' };
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(n)) return n < 0 ? { kind: 'lastN', count: -n } : { kind: 'sequence', sequence: n };
  throw new UsageError(`${flag} is ${allowLatest ? 'earliest, latest' : 'earliest'}, a sequence or -N (the last N records of each key), got ${JSON.stringify(text)}`);
}

/** The end of what readers of `selection` see now (exclusive): where a Subscribe from latest starts. */
export async function visibleEnd(client: OdlogClient, selection: KeySelection): Promise<number> {
  const probe = await client.subscribe({ ...subscribeTarget(selection), from: 'latest', windowRecords: 1 });
  const end = probe.nextSequence;
  await probe.close();
  return end;
}

/**
 * The sequence of the Nth last record of `key` before `end`, or 0 when it has N or fewer: the
 * largest s with count([s, end)) >= N, found by bisection over Count requests (a few dozen,
 * whatever the key's size).
 */
export async function startOfLastN(client: OdlogClient, key: Buffer, n: number, end: number): Promise<number> {
  if ((await client.count(key, { start: 0, end })) <= n) return 0;
  let low = 0; // count([low, end)) >= n holds
  let high = end - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((await client.count(key, { start: mid, end })) >= n) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Each key's own start for `--from -N`: the keys named, or every key under the prefix now. */
export async function lastNStarts(client: OdlogClient, selection: KeySelection, n: number, end: number): Promise<Map<string, number>> {
  const starts = new Map<string, number>();
  const add = async (keys: readonly Buffer[]): Promise<void> => {
    const found = await Promise.all(keys.map((k) => startOfLastN(client, k, n, end)));
    keys.forEach((k, i) => starts.set(k.toString('latin1'), found[i]));
  };
  if (selection.kind === 'keys') {
    await add(selection.keys);
    return starts;
  }
  let page: Buffer[] = [];
  for await (const key of client.keys({ prefix: selection.prefix })) {
    page.push(key);
    if (starts.size + page.length > limits.cliLastNKeysMax) {
      throw new CliError(`--from -N works out a start for each key, and more than ${limits.cliLastNKeysMax} keys start with this prefix; use a longer prefix or a sequence`, 1);
    }
    if (page.length >= 64) {
      await add(page);
      page = [];
    }
  }
  await add(page);
  return starts;
}
