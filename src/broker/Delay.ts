/**
 * Waits used by shutdown. Their timers are deliberately *not* `unref()`ed: shutdown awaits them,
 * and an unref'd timer lets Node exit under the await (the log would never be closed).
 */

/** Resolve after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolve with true once `promise` settles, or with false after `ms`, whichever comes first; the
 * timer is cleared either way, so nothing outlives the wait.
 * @example
 * if (!(await settledWithin(connectionsIdle, 10_000))) logger.warn('grace_period_over');
 */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
