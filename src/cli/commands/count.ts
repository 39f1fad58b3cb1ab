import { nonNegativeInteger, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { decodeText, encodingFlag } from '../input/Encoding.js';
import { Output } from '../output/Output.js';

const flags = {
  from: valueFlag('from', 'SEQ', 'count from this sequence (inclusive)', nonNegativeInteger),
  to: valueFlag('to', 'SEQ', 'count up to this sequence (exclusive)', nonNegativeInteger),
  encoding: encodingFlag,
  ...connectionFlags,
};

/** `odlog count KEY`: the number of a key's records (in a range). */
export const countCommand = defineCommand({
  name: 'count',
  usage: 'KEY [options]',
  summary: "Print the number of a key's records (in a range of sequences).",
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 1,
  examples: ['odlog count orders', 'odlog count orders --from 1000 --to 2000'],
  async run({ flags: f, positionals }) {
    if (positionals[0] === undefined) throw new UsageError('usage: odlog count KEY [--from SEQ] [--to SEQ]');
    const key = decodeText(positionals[0], f.encoding ?? 'utf8', 'KEY');
    const n = await withClient(f, (client) => client.count(key, { start: f.from, end: f.to }));
    const out = new Output(process.stdout);
    out.write(`${n}\n`);
    await out.end();
    return 0;
  },
});
