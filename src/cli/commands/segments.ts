import { nonNegativeInteger, oneOf, valueFlag } from '../../args/Flag.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { Output } from '../output/Output.js';

const flags = {
  from: valueFlag('from', 'SEQ', 'segments holding sequences from this one', nonNegativeInteger),
  to: valueFlag('to', 'SEQ', '…up to this one (exclusive)', nonNegativeInteger),
  format: valueFlag('format', 'text|json', 'text: a tab-separated table; json: one object per segment', oneOf(['text', 'json'] as const)),
  ...connectionFlags,
};

/** `odlog segments`: the log's segments. */
export const segmentsCommand = defineCommand({
  name: 'segments',
  usage: '[options]',
  summary: "List the log's segments: id, sequences, records, bytes, sealed, start time.",
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog segments', 'odlog segments --format json'],
  async run({ flags: f }) {
    const list = await withClient(f, (client) => client.listSegments({ start: f.from, end: f.to }));
    const out = new Output(process.stdout);
    if (f.format === 'json') for (const s of list) out.write(JSON.stringify(s) + '\n');
    else {
      out.write(['id', 'start_seq', 'end_seq', 'records', 'bytes', 'sealed', 'started'].join('\t') + '\n');
      for (const s of list) out.write([s.id, s.startSeq, s.endSeq, s.records, s.bytes, s.sealed ? 'yes' : 'no', new Date(s.startTimeMs).toISOString()].join('\t') + '\n');
    }
    await out.end();
    return 0;
  },
});
