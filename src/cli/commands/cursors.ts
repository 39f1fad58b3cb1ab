import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { oneOf, text, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { limits } from '../../limits.js';
import { defineCommand, type Command } from '../Command.js';
import { CliError } from '../CliError.js';
import { connectionFlags, withClient } from '../connect.js';
import { cursorRow, followsText, namedCursors } from '../cursors/NamedCursors.js';
import type { PositionRow, PositionSource } from '../cursors/PositionSource.js';
import { escapeBytes, isWellFormedUtf8 } from '../output/ByteText.js';
import { Output } from '../output/Output.js';
import { readStartPosition, startPositionForms } from '../read/StartPosition.js';

/** Where consumer positions are listed from: named cursors (the Kafka listener's groups can join them here). */
const sources: readonly PositionSource[] = [namedCursors];

const format = valueFlag('format', 'text|json', 'text: a tab-separated table; json: one object per line', oneOf(['text', 'json'] as const));

const lagText = (row: { lag: number; lagIsLowerBound: boolean }): string => `${row.lagIsLowerBound ? '>=' : ''}${row.lag}`;

function rowJson(row: PositionRow): string {
  return JSON.stringify({ kind: row.kind, name: row.name, position: row.position, lag: row.lag, lagIsLowerBound: row.lagIsLowerBound, follows: row.follows, updatedAt: new Date(row.updatedAtMs).toISOString() });
}

/** The one argument NAME of a subcommand. */
function nameOf(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1 || positionals[0].length === 0) throw new UsageError(`give the cursor's NAME; usage: ${usage}`);
  return positionals[0];
}

const listFlags = { prefix: valueFlag('prefix', 'PREFIX', 'only cursors whose name starts with PREFIX', text, { example: '--prefix billing-' }), format, ...connectionFlags };

const listCommand = defineCommand({
  name: 'cursors list',
  usage: '[--prefix PREFIX] [options]',
  summary: 'List the named cursors with their position and lag (as kafka-consumer-groups --list and nats consumer ls).',
  description: 'A token sees the cursors it may read every key of; an admin token sees all. LAG is the records a cursor follows at or after its position (>=N: counting stopped at a bound).',
  flags: listFlags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog cursors', 'odlog cursors --prefix billing- --format json'],
  async run({ flags: f }) {
    const out = new Output(process.stdout);
    await withClient(f, async (client) => {
      if (f.format !== 'json') out.write(['kind', 'name', 'position', 'lag', 'follows', 'updated'].join('\t') + '\n');
      for (const source of sources) {
        for await (const row of source.rows(client, { prefix: f.prefix })) {
          const line = f.format === 'json' ? rowJson(row) : [row.kind, escapeBytes(Buffer.from(row.name)), row.position, lagText(row), row.follows, new Date(row.updatedAtMs).toISOString()].join('\t');
          const wait = out.write(line + '\n');
          if (wait !== undefined) await wait;
        }
      }
    });
    await out.end();
    return 0;
  },
});

/** Each key's own lag, for a cursor of keys, or for the keys under a prefix cursor's prefix (at most cliCursorKeysMax). */
async function keyLags(client: OdlogClient, cursor: { sequence: number; keys: readonly Buffer[]; prefix: Buffer | null }): Promise<{ keys: { key: Buffer; lag: number }[]; cut: boolean }> {
  let keys: Buffer[] = [...cursor.keys];
  let cut = false;
  if (cursor.prefix !== null) {
    // Keys with entries at or after the cursor lie in the segments from the one holding it on.
    const segments = await client.listSegments({ start: cursor.sequence });
    keys = [];
    if (segments.length > 0) {
      for await (const key of client.keys({ prefix: cursor.prefix, startSegment: segments[0].id })) {
        if (keys.length >= limits.cliCursorKeysMax) {
          cut = true;
          break;
        }
        keys.push(key);
      }
    }
  }
  const lags = await Promise.all(keys.map((key) => client.count(key, { start: cursor.sequence })));
  return { keys: keys.map((key, i) => ({ key, lag: lags[i] })), cut };
}

const describeUsage = 'odlog cursors describe NAME [options]';

const describeCommand = defineCommand({
  name: 'cursors describe',
  usage: 'NAME [options]',
  summary: 'Show one named cursor: its position, lag, what it follows, when it last moved, and the lag of each key it follows.',
  description: `For a prefix cursor, the keys listed are those under the prefix with entries since the cursor's segment (at most ${limits.cliCursorKeysMax}).`,
  flags: { format, ...connectionFlags },
  sections: [{ title: 'Connection', flags: connectionFlags }],
  examples: ['odlog cursors describe billing', 'odlog cursors describe billing --format json'],
  async run({ flags: f, positionals }) {
    const name = nameOf(positionals, describeUsage);
    const out = new Output(process.stdout);
    await withClient(f, async (client) => {
      const cursor = await client.getCursor(name);
      if (cursor === null) throw new CliError(`no cursor named ${JSON.stringify(name)}`, 1);
      const listed = (await client.listCursors({ prefix: name, limit: 1 })).cursors.find((c) => c.name === name);
      const row = listed !== undefined ? cursorRow(listed) : undefined;
      const perKey = await keyLags(client, cursor);
      if (f.format === 'json') {
        out.write(
          JSON.stringify({
            name,
            position: cursor.sequence,
            lag: row?.lag ?? null,
            lagIsLowerBound: row?.lagIsLowerBound ?? null,
            follows: followsText(cursor),
            updatedAt: new Date(cursor.updatedAtMs).toISOString(),
            keys: perKey.keys.map((k) => (isWellFormedUtf8(k.key) ? { key: k.key.toString('utf8'), lag: k.lag } : { key: k.key.toString('base64'), keyEncoding: 'base64', lag: k.lag })),
            keysCut: perKey.cut,
          }) + '\n',
        );
        return;
      }
      const fields: [string, string][] = [
        ['name', escapeBytes(Buffer.from(name))],
        ['position', String(cursor.sequence)],
        ['lag', row !== undefined ? `${lagText(row)} records` : 'unknown'],
        ['follows', followsText(cursor)],
        ['updated', new Date(cursor.updatedAtMs).toISOString()],
      ];
      for (const [field, value] of fields) out.write(`${field.padEnd(10)}${value}\n`);
      out.write(`\nkey\tlag\n`);
      for (const k of perKey.keys) out.write(`${escapeBytes(k.key)}\t${k.lag}\n`);
      if (perKey.cut) out.write(`(the first ${limits.cliCursorKeysMax} keys under the prefix)\n`);
    });
    await out.end();
    return 0;
  },
});

const resetUsage = 'odlog cursors reset NAME --to earliest|latest|SEQ|@TIME|-DURATION [options]';

const resetCommand = defineCommand({
  name: 'cursors reset',
  usage: 'NAME --to earliest|latest|SEQ|@TIME|-DURATION [options]',
  summary: 'Move a named cursor, keeping what it follows (as kafka-consumer-groups --reset-offsets).',
  description: 'Stop the consumers that commit to it first: a consumer still committing moves it again.',
  flags: {
    to: valueFlag('to', 'WHERE', `where to move it: earliest, latest (the end of the log now), ${startPositionForms.replace('-N (the last N records of each key), ', '')}`, text, { example: '--to @2026-12-02T10:00:00Z' }),
    ...connectionFlags,
  },
  sections: [{ title: 'Connection', flags: connectionFlags }],
  examples: ['odlog cursors reset billing --to earliest', 'odlog cursors reset billing --to 1042', 'odlog cursors reset billing --to -1h'],
  async run({ flags: f, positionals }) {
    const name = nameOf(positionals, resetUsage);
    if (f.to === undefined) throw new UsageError(`give --to; usage: ${resetUsage}`);
    const where = readStartPosition(f.to, '--to', true);
    if (where.kind === 'lastN') throw new UsageError('--to -N (the last N records of each key) has no single position for a cursor; use earliest, latest, a sequence or a time');
    const to = where.kind === 'sequence' ? where.sequence : where.kind === 'time' ? { timeMs: where.timeMs } : where.kind;
    const moved = await withClient(f, (client) => client.resetCursor(name, to));
    const out = new Output(process.stdout);
    out.write(`cursor ${escapeBytes(Buffer.from(name))} moved from ${moved.previousSequence} to ${moved.sequence}\n`);
    await out.end();
    return 0;
  },
});

const deleteUsage = 'odlog cursors delete NAME [options]';

const deleteCommand = defineCommand({
  name: 'cursors delete',
  usage: 'NAME [options]',
  summary: 'Delete a named cursor (as kafka-consumer-groups --delete).',
  description: 'A consumer that still commits to it creates it again.',
  flags: { ...connectionFlags },
  sections: [{ title: 'Connection', flags: connectionFlags }],
  examples: ['odlog cursors delete billing'],
  async run({ flags: f, positionals }) {
    const name = nameOf(positionals, deleteUsage);
    await withClient(f, (client) => client.deleteCursor(name));
    const out = new Output(process.stdout);
    out.write(`deleted cursor ${escapeBytes(Buffer.from(name))}\n`);
    await out.end();
    return 0;
  },
});

const subcommands: { readonly [word: string]: Command } = { list: listCommand, describe: describeCommand, reset: resetCommand, delete: deleteCommand };

/** `odlog cursors [list|describe|reset|delete]`: the named cursors (list when no subcommand is given). */
export const cursorsCommand: Command = {
  name: 'cursors',
  summary: 'List, describe, reset or delete named cursors (kafka-consumer-groups, nats consumer ls/info).',
  help: () =>
    [
      'usage: odlog cursors [list] [--prefix PREFIX] [options]',
      '       odlog cursors describe NAME [options]',
      '       odlog cursors reset NAME --to earliest|latest|SEQ|@TIME|-DURATION [options]',
      '       odlog cursors delete NAME [options]',
      '',
      'Named cursors are consumer positions stored in the broker (tail --cursor, the client\'s commit()).',
      'A token sees and manages the cursors it may read every key of; an admin token all of them.',
      '',
      ...Object.entries(subcommands).map(([word, command]) => `  ${word.padEnd(10)}${command.summary}`),
      '',
      'odlog cursors SUBCOMMAND --help shows its flags.',
    ].join('\n'),
  run(argv) {
    const sub = argv[0] !== undefined ? subcommands[argv[0]] : undefined;
    if (sub !== undefined) return sub.run(argv.slice(1));
    if (argv[0] === '--help' || argv[0] === '-h') {
      process.stdout.write(this.help() + '\n');
      return Promise.resolve(0);
    }
    if (argv[0] !== undefined && !argv[0].startsWith('-')) return Promise.reject(new UsageError(`unknown subcommand ${JSON.stringify(argv[0])}; use list, describe, reset or delete (see odlog cursors --help)`));
    return listCommand.run(argv);
  },
};
