import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { Output } from '../output/Output.js';

/** `odlog seal`: close the active segment. */
export const sealCommand = defineCommand({
  name: 'seal',
  usage: '[options]',
  summary: 'Seal the active segment now: the next append opens a new one (admin). Says which segment it sealed, or that there was nothing to seal.',
  flags: { ...connectionFlags },
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog seal'],
  async run({ flags: f }) {
    const sealed = await withClient(f, (client) => client.seal());
    const out = new Output(process.stdout);
    if (sealed === undefined) out.write('sealed the active segment, if it held records (this broker speaks protocol version 1, which does not say)\n');
    else if (sealed === null) out.write('nothing to seal: the active segment is empty or already sealed\n');
    else out.write(`sealed segment ${sealed}\n`);
    await out.end();
    return 0;
  },
});
