import { UsageError } from './UsageError.js';

/**
 * One command-line flag, declared once: how it is written (`--name`, `-s`), what it takes, how its
 * text becomes a value (and the message when it cannot), and how help describes it.
 *
 * @example
 * const limit = valueFlag('limit', 'N', 'print at most N records', nonNegativeInteger, { example: '--limit 10' });
 */
export interface Flag<T> {
  /** Long name without the dashes: `limit` for `--limit`. */
  readonly name: string;
  /** One-character alias: `K` for `-K` (`-K:` and `-K :` both give it a value). */
  readonly short?: string;
  /** Placeholder of the value in help (`N`, `SEQ`); undefined for a switch, which takes no value. */
  readonly valueName?: string;
  readonly description: string;
  /** A usage shown in help, e.g. `--from -10`. */
  readonly example?: string;
  /** The value's text to its value; throws UsageError with the message the user sees. */
  readonly read: (text: string, flag: string) => T;
  /** The flag may be given several times: its value is the list of every value, in order. */
  readonly repeatable?: boolean;
}

/** Flags of one command, by the property its value is read from. */
export type FlagSet = { readonly [property: string]: Flag<unknown> };

/** The values of a parse: undefined for flags that were not given. */
export type FlagValues<F extends FlagSet> = { -readonly [K in keyof F]: F[K] extends Flag<infer T> ? T | undefined : never };

/** A flag that takes a value (`--name VALUE`, `--name=VALUE`). */
export function valueFlag<T>(name: string, valueName: string, description: string, read: (text: string, flag: string) => T, extra: { short?: string; example?: string } = {}): Flag<T> {
  return { name, valueName, description, read, ...extra };
}

/**
 * A flag that may be given several times (`-H a=1 -H b=2`): its value is the list of the values,
 * in order (undefined when it is not given).
 */
export function listFlag<T>(name: string, valueName: string, description: string, read: (text: string, flag: string) => T, extra: { short?: string; example?: string } = {}): Flag<T[]> {
  return { name, valueName, description, read: read as unknown as (text: string, flag: string) => T[], repeatable: true, ...extra };
}

/** A switch: present (true) or not (undefined). */
export function switchFlag(name: string, description: string, extra: { short?: string; example?: string } = {}): Flag<boolean> {
  return { name, description, read: () => true, ...extra };
}

// ---- readers: the text of a value to the value, with the messages users see -----------------------

/** Any text, as given (an empty string included). */
export function text(value: string): string {
  return value;
}

export function nonNegativeInteger(value: string, flag: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** A whole number, negative ones included (`--from -5`). */
export function integer(value: string, flag: string): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(value)}`);
  return n;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(values: readonly T[]): (value: string, flag: string) => T {
  return (value, flag) => {
    if (!(values as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
}
