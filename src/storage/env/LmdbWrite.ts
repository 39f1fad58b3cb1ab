import { StorageError } from '../errors.js';

/**
 * lmdb-js rejects a failed commit with an error carrying `commitError`, a second promise rejected
 * later with the cause. Left unobserved, that rejection takes the whole process down (a full disk
 * would kill the broker); every write odlog awaits goes through here instead.
 */
export function observeCommitError(error: unknown): void {
  const commitError = (error as { commitError?: Promise<unknown> } | null)?.commitError;
  if (commitError !== undefined && typeof commitError.catch === 'function') commitError.catch(() => undefined);
}

/** Await an lmdb-js write; a failure becomes a StorageError saying what was being written. */
export async function awaitWrite<T>(write: Promise<T>, what: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    observeCommitError(error);
    throw new StorageError(`storage failed while ${what}: ${(error as Error).message}; retry once the cause (disk space, permissions) is fixed`, { cause: error });
  }
}
