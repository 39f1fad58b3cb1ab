/**
 * A non-negative integer test setting from the environment (ODLOG_CRASH_CYCLES, seeds, …), or
 * `fallback` when unset. A malformed value fails loudly instead of silently running the default.
 * @example
 * const cycles = envInt('ODLOG_CRASH_CYCLES', 5);
 */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}
