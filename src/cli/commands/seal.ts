import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { Output } from '../output/Output.js';

/** `odlog seal`: close the active segment. */
export const sealCommand = defineCommand({
  name: 'seal',
  usage: '[options]',
  summary: 'Seal the active segment now: the next append opens a new one (admin).',
  flags: { ...connectionFlags },
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog seal'],
  async run({ flags: f }) {
    await withClient(f, (client) => client.seal());
    const out = new Output(process.stdout);
    out.write('sealed the active segment\n');
    await out.end();
    return 0;
  },
});
