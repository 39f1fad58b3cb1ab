import type { Flag, FlagSet, FlagValues } from './Flag.js';
import { UsageError } from './UsageError.js';

export interface ParseOptions {
  /** How the command is invoked, for messages: `odlog scan`. */
  readonly command: string;
  /** Positional arguments allowed at most (default: any number). */
  readonly positionalsMax?: number;
}

export interface ParsedArgs<F extends FlagSet> {
  readonly flags: FlagValues<F>;
  readonly positionals: readonly string[];
}

/**
 * Split a command line into the declared flags' values and positional arguments. `--name value`,
 * `--name=value`, `-s value`, `-svalue` (kcat's `-K:`) and `--` (the rest are positionals) are
 * understood. A flag that takes a value takes the next argument even when it begins with a single
 * dash, so `--from -5` and `--value -1` work; a next argument beginning with `--` is taken as the
 * next flag instead (write `--value=--x` for such a value). An undeclared flag is refused, so a
 * misspelling never silently changes what a command does.
 *
 * Unlike `node:util` parseArgs in strict mode, negative numbers are accepted as values; unlike its
 * loose mode, unknown flags are errors.
 *
 * @example
 * const { flags, positionals } = parseArgs(['orders', '--limit', '2'], { limit: valueFlag('limit', 'N', '…', nonNegativeInteger) }, { command: 'odlog scan' });
 * // flags.limit === 2, positionals = ['orders']
 */
export function parseArgs<F extends FlagSet>(argv: readonly string[], flags: F, options: ParseOptions): ParsedArgs<F> {
  const byLong = new Map<string, [string, Flag<unknown>]>();
  const byShort = new Map<string, [string, Flag<unknown>]>();
  for (const [property, flag] of Object.entries(flags)) {
    byLong.set(flag.name, [property, flag]);
    if (flag.short !== undefined) byShort.set(flag.short, [property, flag]);
  }
  const values: { [property: string]: unknown } = {};
  const positionals: string[] = [];
  const seeHelp = `see ${options.command} --help`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let entry: [string, Flag<unknown>] | undefined;
    let written: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      written = eq >= 0 ? arg.slice(0, eq) : arg;
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      entry = byLong.get(written.slice(2));
      if (entry === undefined) {
        const near = closest(written.slice(2), [...byLong.keys()]);
        throw new UsageError(`unknown option ${written}${near !== undefined ? ` (did you mean --${near}?)` : ''}; ${seeHelp}`);
      }
    } else if (arg.length >= 2 && arg.startsWith('-') && !/^-\d/.test(arg)) {
      written = arg.slice(0, 2);
      inline = arg.length > 2 ? arg.slice(2) : undefined;
      entry = byShort.get(arg[1]);
      if (entry === undefined) throw new UsageError(`unknown option ${written}; ${seeHelp}`);
    } else {
      positionals.push(arg);
      continue;
    }
    const [property, flag] = entry;
    const shown = written.startsWith('--') ? written : `-${flag.short}`;
    if (flag.valueName === undefined) {
      if (inline !== undefined) throw new UsageError(`${shown} takes no value, got ${JSON.stringify(inline)}`);
      values[property] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${flag.name} needs a value`);
      value = next;
      i++;
    }
    const read = flag.read(value, `--${flag.name}`);
    if (flag.repeatable === true) ((values[property] ??= []) as unknown[]).push(read);
    else values[property] = read;
  }
  if (options.positionalsMax !== undefined && positionals.length > options.positionalsMax) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[options.positionalsMax])}; ${seeHelp}`);
  }
  return { flags: values as FlagValues<F>, positionals };
}

/** The declared name nearest a misspelt one (at most two edits away), if any. */
function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
