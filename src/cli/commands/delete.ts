import { UsageError } from '../../args/UsageError.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { decodeText, encodingFlag } from '../input/Encoding.js';
import { Output } from '../output/Output.js';

const flags = { encoding: encodingFlag, ...connectionFlags };

/** `odlog delete KEY`: remove a key and all its records (an entity's erasure; Redis DEL). */
export const deleteCommand = defineCommand({
  name: 'delete',
  usage: 'KEY [options]',
  summary: 'Delete a key: all its records go and it leaves the listings, durably (needs append permission on the key). Prints how many records went.',
  description: "A later append to the key starts a fresh stream (offsets from 0 again); a tail of the key goes on with that append. When the deleted bytes leave the disk: docs/storage.md.",
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 1,
  examples: ['odlog delete customer-4711', 'odlog delete --broker 10.0.0.5 --token "$ADMIN_TOKEN" tenant-a:orders'],
  async run({ flags: f, positionals }) {
    if (positionals[0] === undefined) throw new UsageError('usage: odlog delete KEY');
    const key = decodeText(positionals[0], f.encoding ?? 'utf8', 'KEY');
    const removed = await withClient(f, (client) => client.deleteKey(key));
    const out = new Output(process.stdout);
    out.write(`deleted ${positionals[0]}: ${removed} record${removed === 1 ? '' : 's'} removed\n`);
    await out.end();
    return 0;
  },
});
