import { readdirSync } from 'node:fs';
import { oneOf, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { CliError, fileProblem } from '../CliError.js';
import { defineCommand } from '../Command.js';
import { connectionFlags, withClient } from '../connect.js';
import { Output } from '../output/Output.js';

const flags = {
  format: valueFlag('format', 'text|json', 'text (default): one line; json: {"dir","bytes","endSequence","lastSequence"} (endSequence: every record below it; lastSequence: null for an empty log)', oneOf(['text', 'json'] as const)),
  ...connectionFlags,
};

/** Exit status when DIR cannot take a backup (sysexits EX_CANTCREAT). */
const cannotCreateExit = 73;

/** Refuse a DIR that holds anything, before the broker is asked for a copy. */
function checkEmptyDirectory(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new CliError(`cannot back up into ${dir} (${fileProblem(error)}); give a new or empty directory`, cannotCreateExit);
  }
  if (names.length > 0) throw new CliError(`backup directory ${dir} is not empty (${names.length} entr${names.length === 1 ? 'y' : 'ies'}); give a new or empty directory`, cannotCreateExit);
}

/** `odlog backup DIR`: a consistent copy of the running broker's log, streamed into DIR. */
export const backupCommand = defineCommand({
  name: 'backup',
  usage: 'DIR [options]',
  summary: "Copy the running broker's whole log into DIR (new or empty) while appends go on (admin). Prints its size and the last sequence it holds.",
  description:
    'The broker writes a compacted copy on its own disk (about the live data size, in <data dir>/backup-tmp) and streams it here; the file is synced and its size checked. ' +
    '`odlog serve --data-dir DIR` serves the backup as it is: records, cursors and consumer-group offsets up to the sequence printed. See docs/operations.md.',
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 1,
  examples: ['odlog backup /backups/odlog-2026-12-02', 'odlog backup ./copy --broker 10.0.0.5 --token "$ADMIN_TOKEN" --format json'],
  notes: ['Exit status 73: DIR is not empty (or cannot be read); nothing was copied.'],
  async run({ flags: f, positionals }) {
    const dir = positionals[0];
    if (dir === undefined) throw new UsageError('usage: odlog backup DIR');
    checkEmptyDirectory(dir);
    const { bytes, sequence } = await withClient(f, (client) => client.backup(dir));
    const out = new Output(process.stdout);
    if (f.format === 'json') out.write(JSON.stringify({ dir, bytes, endSequence: sequence, lastSequence: sequence > 0 ? sequence - 1 : null }) + '\n');
    else if (sequence === 0) out.write(`backed up ${bytes} bytes into ${dir}: the log held no records\n`);
    else out.write(`backed up ${bytes} bytes into ${dir}: every record up to sequence ${sequence - 1}\n`);
    await out.end();
    return 0;
  },
});
