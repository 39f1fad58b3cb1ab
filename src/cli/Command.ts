import { switchFlag, type FlagSet } from '../args/Flag.js';
import { parseArgs, type ParsedArgs } from '../args/parseArgs.js';
import { renderHelp } from '../args/renderHelp.js';

/** One `odlog` subcommand, as the dispatcher sees it. */
export interface Command {
  readonly name: string;
  /** One line for `odlog --help`. */
  readonly summary: string;
  /** What `odlog NAME --help` prints. */
  help(): string;
  /** Run with the arguments after the command's name; resolves to the exit status. */
  run(argv: readonly string[]): Promise<number>;
}

const helpFlag = { help: switchFlag('help', "print this command's help", { short: 'h' }) };

export interface CommandSpec<F extends FlagSet> {
  readonly name: string;
  /** Arguments after `odlog NAME`, e.g. `KEY [options]`. */
  readonly usage: string;
  readonly summary: string;
  /** More on what it does, after the summary in its help. */
  readonly description?: string;
  /** Every flag it takes; parsing, validation and help all read these. */
  readonly flags: F;
  /** Help groups the flags: the flags of each set given here under its title, the rest under "Options". */
  readonly sections?: readonly { readonly title: string; readonly flags: FlagSet }[];
  readonly examples: readonly string[];
  readonly notes?: readonly string[];
  readonly positionalsMax?: number;
  readonly run: (args: ParsedArgs<F>) => Promise<number>;
}

/**
 * A subcommand from its declaration: `run` parses the arguments with its flags (refusing unknown
 * ones), answers `--help` / `-h` with help generated from the same flags, and runs.
 *
 * @example
 * export const countCommand = defineCommand({ name: 'count', usage: 'KEY [options]', summary: 'Count a key’s records.',
 *   flags: { from, ...connectionFlags }, sections: [{ title: 'Connection', flags: connectionFlags }], examples: ['odlog count orders'],
 *   run: async ({ flags, positionals }) => { … return 0; } });
 */
export function defineCommand<F extends FlagSet>(spec: CommandSpec<F>): Command {
  const grouped = new Set((spec.sections ?? []).flatMap((s) => Object.values(s.flags)));
  const own = Object.values(spec.flags).filter((f) => !grouped.has(f));
  const help = (): string =>
    renderHelp({
      usage: `odlog ${spec.name} ${spec.usage}`,
      summary: spec.description !== undefined ? `${spec.summary}\n${spec.description}` : spec.summary,
      sections: [{ title: 'Options', flags: own }, ...(spec.sections ?? []).map((s) => ({ title: s.title, flags: Object.values(s.flags) })), { title: 'Help', flags: [helpFlag.help] }],
      examples: spec.examples,
      notes: spec.notes,
    });
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async run(argv) {
      const parsed = parseArgs(argv, { ...spec.flags, ...helpFlag }, { command: `odlog ${spec.name}`, positionalsMax: spec.positionalsMax });
      if (parsed.flags.help === true) {
        process.stdout.write(help() + '\n');
        return 0;
      }
      return spec.run(parsed as unknown as ParsedArgs<F>);
    },
  };
}
