import type { FlagSet, FlagValues } from '../../src/args/Flag.js';
import { switchFlag } from '../../src/args/Flag.js';
import { parseArgs } from '../../src/args/parseArgs.js';
import { renderHelp } from '../../src/args/renderHelp.js';

/**
 * The command line of a benchmark script: the declared flags, plus `--help`, which prints the
 * flags with the script's summary and exits 0 (a refused `--help` told users to run `--help`).
 *
 * @example
 * const flags = parseScriptArgs({ keys: valueFlag('keys', 'N', 'distinct keys', nonNegativeInteger) },
 *   { command: 'node dist/bench/storage/readTargets.js', summary: 'Read targets.', examples: ['… --keys 1000'] });
 */
export function parseScriptArgs<F extends FlagSet>(flags: F, script: { command: string; summary: string; examples: readonly string[] }): FlagValues<F> {
  const help = switchFlag('help', 'print this help', { short: 'h' });
  const argv = process.argv.slice(2);
  const parsed = parseArgs(argv, { ...flags, help }, { command: script.command, positionalsMax: 0 });
  if (parsed.flags.help === true) {
    process.stdout.write(`${renderHelp({ usage: `${script.command} [options]`, summary: script.summary, sections: [{ title: 'Options', flags: [...Object.values(flags), help] }], examples: script.examples })}\n`);
    process.exit(0);
  }
  return parsed.flags;
}
