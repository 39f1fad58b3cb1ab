import type { Clock, ClockTimer } from '../../src/index.js';

/** A clock tests move by hand: `now()` is what they set, timers fire when time is advanced past them. */
export class ManualClock implements Clock {
  private timers: { at: number; callback: () => void; id: object }[] = [];

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  set(timeMs: number): void {
    this.time = timeMs;
  }

  /** Move time forward and run the timers that fall due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > until) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = until;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const id = {};
    this.timers.push({ at: this.time + ms, callback, id });
    return { id };
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer !== undefined) this.timers = this.timers.filter((t) => t.id !== timer.id);
  }
}
