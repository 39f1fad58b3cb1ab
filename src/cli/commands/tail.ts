import { ConnectionLostError } from '../../../clients/errors.js';
import { nonNegativeInteger, text, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { CannotConnectError } from '../CliError.js';
import { defineCommand } from '../Command.js';
import { brokerAddressOf, connectClient, connectionFlags } from '../connect.js';
import { Output } from '../output/Output.js';
import { RecordPrinter, recordOutputFlags } from '../output/RecordFormat.js';
import { keySelectionOf, prefixFlag, subscribeTarget } from '../read/KeySelection.js';
import { lastNStarts, readStartPosition, startPositionForms, timeStartRefusal, visibleEnd } from '../read/StartPosition.js';

/** How long a tail keeps reconnecting to a lost broker by default: a restart, not an outage. */
const reconnectTimeoutDefaultSec = 60;
/** Longest --reconnect-timeout: a week (a tail that should wait longer can be restarted by its supervisor). */
const reconnectTimeoutMaxSec = 7 * 24 * 3600;

function reconnectSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > reconnectTimeoutMaxSec) throw new UsageError(`${flag} must be a number of seconds in 0..${reconnectTimeoutMaxSec}, got ${JSON.stringify(value)}`);
  return n;
}

const flags = {
  prefix: prefixFlag,
  from: valueFlag('from', 'earliest|latest|SEQ|-N|@TIME|-DURATION', `where to start (default latest): earliest, latest, ${startPositionForms}`, (t, flag) => readStartPosition(t, flag, true), { example: '--from -5m' }),
  cursor: valueFlag('cursor', 'NAME', 'resume from this named cursor when it exists (else --from), and commit the position to it every second and at exit', text, { example: '--cursor billing' }),
  count: valueFlag('count', 'N', 'exit after N records (0: print nothing)', nonNegativeInteger, { example: '--count 10' }),
  reconnectTimeout: valueFlag(
    'reconnect-timeout',
    'SEC',
    `when the broker goes away, keep reconnecting this long (default ${reconnectTimeoutDefaultSec}), resuming with no gap and no duplicate; then exit with status 2`,
    reconnectSeconds,
    { example: '--reconnect-timeout 600' },
  ),
  ...recordOutputFlags,
  ...connectionFlags,
};

const usage = 'odlog tail KEY... | --prefix PREFIX [options]';

/** `odlog tail`: follow keys or a prefix in global sequence order until Ctrl-C (or --count). */
export const tailCommand = defineCommand({
  name: 'tail',
  usage: 'KEY... | --prefix PREFIX [options]',
  summary: 'Follow keys or a prefix, printing records in global sequence order as they are appended.',
  description: `A broker restart does not end it: it reconnects and resumes where it was, for up to --reconnect-timeout (default ${reconnectTimeoutDefaultSec} s) of outage.`,
  flags,
  sections: [
    { title: 'Output', flags: recordOutputFlags },
    { title: 'Connection', flags: connectionFlags },
  ],
  examples: ['odlog tail orders payments --from earliest', 'odlog tail --prefix tenant-a: --cursor billing', 'odlog tail orders --from -10 --count 20'],
  async run({ flags: f, positionals }) {
    const encoding = f.encoding ?? 'utf8';
    const selection = keySelectionOf(positionals, f.prefix, encoding, usage);
    const printer = RecordPrinter.fromFlags(f);
    const stopAfter = f.count ?? Number.POSITIVE_INFINITY;
    const from = f.from ?? { kind: 'latest' };
    // A cursor resumes where it stopped; skipping records before each key's last N would commit past them.
    if (from.kind === 'lastN' && f.cursor !== undefined) throw new UsageError('--from -N does not go with --cursor (a cursor resumes where it stopped); use --from earliest, latest or a sequence');
    const out = new Output(process.stdout);
    const reconnectTimeoutSec = f.reconnectTimeout ?? reconnectTimeoutDefaultSec;
    const client = await connectClient(f, { giveUpAfterMs: reconnectTimeoutSec * 1000 });
    if (stopAfter === 0) {
      await client.close();
      return 0;
    }
    let startsByKey: Map<string, number> | undefined;
    let start: 'earliest' | 'latest' | number | { timeMs: number } = from.kind === 'sequence' ? from.sequence : from.kind === 'latest' ? 'latest' : from.kind === 'time' ? { timeMs: from.timeMs } : 'earliest';
    const refusal = from.kind === 'time' ? timeStartRefusal(client, '--from') : undefined;
    if (refusal !== undefined) {
      await client.close();
      throw refusal;
    }
    if (from.kind === 'lastN') {
      const end = await visibleEnd(client, selection);
      startsByKey = await lastNStarts(client, selection, from.count, end);
      start = Math.min(end, ...startsByKey.values());
    }
    const consumer = await client.subscribe({ ...subscribeTarget(selection), from: start, cursor: f.cursor });
    let stopping = false;
    const stop = (): void => {
      stopping = true;
      void consumer.return();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let seen = 0;
    let lastCommit = Date.now();
    try {
      for await (const entry of consumer) {
        if (startsByKey !== undefined && entry.sequence < (startsByKey.get(entry.key.toString('latin1')) ?? 0)) continue;
        const wait = out.write(printer.render(entry));
        if (wait !== undefined) await wait;
        if (f.cursor !== undefined && Date.now() - lastCommit >= 1000) {
          await consumer.commit();
          lastCommit = Date.now();
        }
        if (++seen >= stopAfter) break;
      }
      await out.end();
    } catch (error) {
      if (!(error instanceof ConnectionLostError)) throw error;
      const address = brokerAddressOf(f).text;
      throw new CannotConnectError(`lost the broker at ${address} and it was not back within --reconnect-timeout ${reconnectTimeoutSec} s (${error.message}); start it again and rerun, or raise --reconnect-timeout`);
    } finally {
      if (f.cursor !== undefined) await consumer.commit().catch(() => undefined);
      if (!stopping) await consumer.close();
      await client.close();
    }
    return 0;
  },
});
