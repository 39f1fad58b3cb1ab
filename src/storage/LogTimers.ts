import { limits } from '../limits.js';
import type { Clock, ClockTimer } from './Clock.js';
import type { SegmentTable } from './SegmentTable.js';
import type { GroupCommitWriter } from './write/GroupCommitWriter.js';
import type { ProducerRegistry } from './write/ProducerRegistry.js';

/**
 * The log's own timers: sealing on time when no append comes to notice it (so retention can
 * expire the segment), and forgetting idle producers once a day. They never keep the process alive.
 */
export class LogTimers {
  private sealTimer: ClockTimer | undefined;
  private pruneTimer: ClockTimer | undefined;
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  start(writer: GroupCommitWriter, segments: SegmentTable, producers: ProducerRegistry, sealIntervalMs: number | undefined): void {
    if (sealIntervalMs !== undefined) {
      const every = Math.min(sealIntervalMs, 1000);
      const tick = (): void => {
        if (this.stopped) return;
        // The seal is queued behind what is already queued; the builder seals whatever is active then.
        const last = segments.last();
        if (last !== undefined && !last.sealed && segments.isDue(last, this.clock.now())) writer.seal().catch(() => undefined);
        this.sealTimer = this.clock.setTimeout(tick, every);
      };
      this.sealTimer = this.clock.setTimeout(tick, every);
    }
    const prune = (): void => {
      if (this.stopped) return;
      producers.prune(limits.producerIdleMs, this.clock.now()).catch(() => undefined);
      this.pruneTimer = this.clock.setTimeout(prune, limits.producerPruneIntervalMs);
    };
    this.pruneTimer = this.clock.setTimeout(prune, 0);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.sealTimer);
    this.clock.clearTimeout(this.pruneTimer);
  }
}
