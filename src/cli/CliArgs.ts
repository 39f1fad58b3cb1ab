/** A command line split into positionals and `--name value` / `--flag` options. */
export interface CliArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

/** Options that take no value. */
const booleanFlags = new Set(['help', 'json', 'no-durable']);

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) options.set(name, arg.slice(eq + 1));
      else if (booleanFlags.has(name) || argv[i + 1] === undefined || argv[i + 1].startsWith('--')) options.set(name, true);
      else options.set(name, argv[++i]);
    } else if (arg === '-h') options.set('help', true);
    else positionals.push(arg);
  }
  return { positionals, options };
}

/** A usage mistake: printed as one line, exit code 64. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function stringOption(args: CliArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function intOption(args: CliArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

export function enumOption<T extends string>(args: CliArgs, name: string, values: readonly T[], fallback: T): T {
  const v = stringOption(args, name) ?? fallback;
  if (!values.includes(v as T)) throw new UsageError(`--${name} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
