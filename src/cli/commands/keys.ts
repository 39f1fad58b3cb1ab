import { nonNegativeInteger, oneOf, valueFlag } from '../../args/Flag.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { decodeText, encodingFlag } from '../input/Encoding.js';
import { escapeBytes, isWellFormedUtf8 } from '../output/ByteText.js';
import { Output } from '../output/Output.js';
import { prefixFlag } from '../read/KeySelection.js';

const flags = {
  prefix: prefixFlag,
  limit: valueFlag('limit', 'N', 'list at most N keys', nonNegativeInteger),
  format: valueFlag('format', 'text|json', 'text: one key per line (escaped like scan); json: one {"key"} per line', oneOf(['text', 'json'] as const)),
  encoding: encodingFlag,
  ...connectionFlags,
};

/** `odlog keys`: the keys (under a prefix) in byte order. */
export const keysCommand = defineCommand({
  name: 'keys',
  usage: '[--prefix PREFIX] [options]',
  summary: 'List the keys, or those under a prefix, in byte order.',
  description: 'With --encoding base64 the keys are printed as base64, which scan, count and tail take back with --encoding base64.',
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog keys --prefix tenant-a:', 'odlog keys --limit 100 --format json'],
  async run({ flags: f }) {
    const encoding = f.encoding ?? 'utf8';
    const prefix = f.prefix !== undefined ? decodeText(f.prefix, encoding, '--prefix') : undefined;
    const limit = f.limit ?? Number.MAX_SAFE_INTEGER;
    const out = new Output(process.stdout);
    await withClient(f, async (client) => {
      let n = 0;
      if (limit === 0) return;
      for await (const key of client.keys({ prefix })) {
        let line: string;
        if (f.format === 'json') {
          const base64 = encoding === 'base64' || !isWellFormedUtf8(key);
          line = JSON.stringify(base64 && encoding !== 'base64' ? { key: key.toString('base64'), keyEncoding: 'base64' } : { key: key.toString(base64 ? 'base64' : 'utf8') });
        } else line = encoding === 'base64' ? key.toString('base64') : escapeBytes(key);
        const wait = out.write(line + '\n');
        if (wait !== undefined) await wait;
        if (++n >= limit) break;
      }
    });
    await out.end();
    return 0;
  },
});
