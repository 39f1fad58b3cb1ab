import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { limits } from '../../limits.js';
import { UsageError } from '../../args/UsageError.js';
import { CliError } from '../CliError.js';
import { subscribeTarget, type KeySelection } from './KeySelection.js';

/**
 * Where reading starts: `earliest`, `latest`, a sequence, `-N` (the last N records of each key, as
 * kcat `-o -N`), or a time (the first record appended at or after it).
 */
export type StartPosition =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'sequence'; readonly sequence: number }
  | { readonly kind: 'lastN'; readonly count: number }
  | { readonly kind: 'time'; readonly timeMs: number };

const unitMs: { [unit: string]: number } = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What `--from` takes, for help and messages. */
export const startPositionForms = 'a sequence, -N (the last N records of each key), @TIME (an ISO 8601 time such as @2026-12-02T10:00:00Z, or ms since the epoch) or -DURATION (that long ago: -90s, -5m, -2h, -1d)';

/**
 * `--from` text to a position; `latest` only where it means something (tail). Times are read
 * now: `-5m` is five minutes before the command started.
 *
 * @example
 * readStartPosition('@2026-12-02T10:00:00Z', '--from', false); // { kind: 'time', timeMs: 1796205600000 }
 * readStartPosition('-10', '--from', false);                   // { kind: 'lastN', count: 10 }
 */
export function readStartPosition(text: string, flag: string, allowLatest: boolean, nowMs = Date.now()): StartPosition {
  if (text === 'earliest') return { kind: 'earliest' };
  if (text === 'latest' && allowLatest) return { kind: 'latest' };
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(n)) return n < 0 ? { kind: 'lastN', count: -n } : { kind: 'sequence', sequence: n };
  const ago = /^-(\d+)(s|m|h|d)$/.exec(text);
  if (ago !== null) return { kind: 'time', timeMs: nowMs - Number(ago[1]) * unitMs[ago[2]] };
  if (text.startsWith('@')) {
    const at = text.slice(1);
    const timeMs = /^\d+$/.test(at) ? Number(at) : /^\d{4}-\d{2}-\d{2}/.test(at) ? Date.parse(at) : NaN;
    if (Number.isSafeInteger(timeMs)) return { kind: 'time', timeMs };
    throw new UsageError(`${flag} ${JSON.stringify(text)}: after @ comes a time, ISO 8601 (2026-12-02T10:00:00Z; without a zone it is local time) or milliseconds since the epoch`);
  }
  throw new UsageError(`${flag} is ${allowLatest ? 'earliest, latest' : 'earliest'}, ${startPositionForms}, got ${JSON.stringify(text)}`);
}

/** Why a time start cannot be served (a broker that speaks protocol version 1), or undefined. */
export function timeStartRefusal(client: OdlogClient, flag: string): CliError | undefined {
  if (client.protocolVersion >= 2) return undefined;
  return new CliError(`${flag} by time needs a broker that speaks protocol version 2 (this one speaks ${client.protocolVersion}); upgrade it, or start at a sequence`, 1);
}

/**
 * The first sequence appended at or after `timeMs` (the end of the log when there is none), as
 * the broker resolves a subscription from that time.
 */
export async function sequenceAtTime(client: OdlogClient, selection: KeySelection, timeMs: number): Promise<number> {
  const probe = await client.subscribe({ ...subscribeTarget(selection), from: { timeMs }, windowRecords: 1 });
  const start = probe.nextSequence;
  await probe.close();
  return start;
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
