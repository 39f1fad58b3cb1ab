import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { nonNegativeInteger, valueFlag } from '../../args/Flag.js';
import { defineCommand } from '../Command.js';
import { connectClient, connectionFlags } from '../connect.js';
import { Output } from '../output/Output.js';
import { RecordPrinter, recordOutputFlags } from '../output/RecordFormat.js';
import { keySelectionOf, prefixFlag, type KeySelection } from '../read/KeySelection.js';
import { scanSelection } from '../read/SelectionScan.js';
import type { Entry } from '../../protocol/batch/EntryBatchCodec.js';
import { lastNStarts, readStartPosition, sequenceAtTime, timeStartRefusal, startOfLastN, startPositionForms, visibleEnd, type StartPosition } from '../read/StartPosition.js';

const flags = {
  prefix: prefixFlag,
  from: valueFlag('from', 'SEQ|-N|@TIME|-DURATION', `where to start (default 0): ${startPositionForms}`, (t, flag) => readStartPosition(t, flag, false), { example: '--from -5m' }),
  to: valueFlag('to', 'SEQ', 'stop before this sequence (default: the end of the log when the scan starts)', nonNegativeInteger),
  limit: valueFlag('limit', 'N', 'print at most N records', nonNegativeInteger, { example: '--limit 10' }),
  ...recordOutputFlags,
  ...connectionFlags,
};

const usage = 'odlog scan KEY... | --prefix PREFIX [options]';

/** One key: pages of Scan requests, from a sequence, a time, or its Nth last record. */
async function* scanOneKey(client: OdlogClient, key: Buffer, from: StartPosition, to: number | undefined): AsyncGenerator<Entry> {
  let start = from.kind === 'sequence' ? from.sequence : 0;
  if (from.kind === 'lastN') start = await startOfLastN(client, key, from.count, to ?? (await visibleEnd(client, { kind: 'keys', keys: [key] })));
  const startTimeMs = from.kind === 'time' ? from.timeMs : undefined;
  for await (const entry of client.scanAll(key, { start, end: to, startTimeMs })) yield { ...entry, key };
}

async function* entriesOf(client: OdlogClient, selection: KeySelection, from: StartPosition, to: number | undefined): AsyncGenerator<Entry> {
  const refusal = from.kind === 'time' ? timeStartRefusal(client, '--from') : undefined;
  if (refusal !== undefined) throw refusal;
  if (selection.kind === 'keys' && selection.keys.length === 1) {
    yield* scanOneKey(client, selection.keys[0], from, to);
    return;
  }
  const end = Math.min(to ?? Number.MAX_SAFE_INTEGER, await visibleEnd(client, selection));
  const start = from.kind === 'sequence' ? from.sequence : from.kind === 'time' ? await sequenceAtTime(client, selection, from.timeMs) : 0;
  const startsByKey = from.kind === 'lastN' ? await lastNStarts(client, selection, from.count, end) : undefined;
  yield* scanSelection(client, selection, { start, startsByKey, end });
}

/** `odlog scan`: print records of keys or a prefix, in global sequence order, and exit at the end. */
export const scanCommand = defineCommand({
  name: 'scan',
  usage: 'KEY... | --prefix PREFIX [options]',
  summary: 'Print the records of keys or a prefix in sequence order, then exit at the end (kcat -e).',
  description: 'Several keys or a prefix are read in global sequence order up to the end of the log when the scan starts.',
  flags,
  sections: [
    { title: 'Output', flags: recordOutputFlags },
    { title: 'Connection', flags: connectionFlags },
  ],
  examples: [
    'odlog scan orders --from 0 --limit 10',
    'odlog scan orders payments --format json',
    'odlog scan --prefix tenant-a: --from -5',
    'odlog scan orders --from @2026-12-02T10:00:00Z',
    'odlog scan orders --from -15m --format json',
    "odlog scan orders -f 'seq=%o key=%k value=%s\\n'",
    "odlog scan orders -f '%T %k %h\\n'",
    'odlog scan images/1 --format raw -f %s > image.png',
  ],
  async run({ flags: f, positionals }) {
    const encoding = f.encoding ?? 'utf8';
    const selection = keySelectionOf(positionals, f.prefix, encoding, usage);
    const printer = RecordPrinter.fromFlags(f);
    const from = f.from ?? { kind: 'earliest' };
    const limit = f.limit ?? Number.MAX_SAFE_INTEGER;
    const out = new Output(process.stdout);
    const client = await connectClient(f);
    try {
      let printed = 0;
      if (limit > 0) {
        for await (const entry of entriesOf(client, selection, from, f.to)) {
          const wait = out.write(printer.render(entry));
          if (wait !== undefined) await wait;
          if (++printed >= limit) break;
        }
      }
      await out.end();
      return 0;
    } finally {
      await client.close();
    }
  },
});
