import { nonNegativeInteger, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { decodeText, encodingFlag } from '../input/Encoding.js';
import { Output } from '../output/Output.js';

const flags = {
  before: valueFlag('before', 'SEQ', "remove the key's records with a sequence below this (required)", nonNegativeInteger, { example: '--before 1000000' }),
  encoding: encodingFlag,
  ...connectionFlags,
};

/** `odlog trim KEY --before SEQ`: remove a key's older records (Kafka DeleteRecords, Redis XTRIM MINID). */
export const trimCommand = defineCommand({
  name: 'trim',
  usage: 'KEY --before SEQ [options]',
  summary: "Remove a key's records below a sequence, durably (needs append permission on the key). Prints how many went.",
  description: 'Offsets of the records that remain do not change; a tail behind the trim point goes on from the first record that remains.',
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 1,
  examples: ['odlog trim orders --before 1000000', 'odlog trim tenant-a:orders --before 42 --broker 10.0.0.5 --token "$TOKEN"'],
  async run({ flags: f, positionals }) {
    if (positionals[0] === undefined || f.before === undefined) throw new UsageError('usage: odlog trim KEY --before SEQ');
    const key = decodeText(positionals[0], f.encoding ?? 'utf8', 'KEY');
    const before = f.before;
    const removed = await withClient(f, (client) => client.trim(key, { before }));
    const out = new Output(process.stdout);
    out.write(`removed ${removed} record${removed === 1 ? '' : 's'} of ${positionals[0]} below sequence ${before}\n`);
    await out.end();
    return 0;
  },
});
