/**
 * A mistake in how a command was invoked (an unknown flag, a missing or malformed value): the
 * command prints the message as one line and exits with status 64 (EX_USAGE of sysexits.h).
 *
 * @example
 * throw new UsageError('--limit must be a non-negative integer, got "ten"');
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 64;
}
