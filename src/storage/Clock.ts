/** A timer handle of a Clock. */
export type ClockTimer = { readonly id: unknown };

/**
 * Time as the log sees it: the append time of commits, the age of segments, and the timers of
 * sealing, retention and flushing. Injectable, so that behaviour over hours is tested in
 * milliseconds. Timers never keep the process alive.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/** The machine's clock and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return { id: timer };
  },
  clearTimeout(timer) {
    if (timer !== undefined) clearTimeout(timer.id as NodeJS.Timeout);
  },
};
