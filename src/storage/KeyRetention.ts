import type { Clock, ClockTimer } from './Clock.js';
import { InvalidArgumentError } from './errors.js';
import type { CommittedChunk } from './write/GroupCommitWriter.js';

/** Retention of the keys under a prefix: at most `maxRecords` entries each, and/or none older than `maxAgeMs`. */
export interface KeyRetentionRule {
  readonly prefix: string | Uint8Array;
  readonly maxRecords?: number;
  readonly maxAgeMs?: number;
}

/** What per-key retention needs of the log. */
export interface RetainedLog {
  offsets(key: Buffer): { start: number; end: number };
  sequenceOfOffset(key: Buffer, offset: number): { sequence: number } | undefined;
  entryAtTime(key: Buffer, timeMs: number): { sequence: number } | undefined;
  trim(key: Buffer, options: { before: number }): Promise<number>;
  listKeys(range: object, options: { prefix: Buffer }): AsyncIterable<Buffer>;
  readonly visibleSequence: number;
}

interface Rule {
  readonly prefix: Buffer;
  /** The prefix as latin1, to match a key's latin1 image without decoding it. */
  readonly prefixStr: string;
  readonly maxRecords: number | undefined;
  readonly maxAgeMs: number | undefined;
  /** A key is trimmed back to maxRecords once it holds this many more (Redis's `MAXLEN ~`: trims come in batches). */
  readonly slack: number;
}

/**
 * Per-key retention, by key prefix (the longest matching prefix decides): a key over its record
 * bound is trimmed back to it once it holds `slack` (a tenth of the bound, at least 64) entries
 * more, so that a trim costs one frame per many appends; entries older than a rule's age are
 * trimmed by a pass over the prefix's keys on a timer. Trims are ordinary `trim()`s: durable and
 * atomic, and the bytes leave LMDB at the next flush.
 */
export class KeyRetention {
  private readonly rules: Rule[];
  private readonly due = new Set<string>();
  private checking: Promise<void> | undefined;
  private timer: ClockTimer | undefined;
  private stopped = false;

  constructor(
    rules: readonly KeyRetentionRule[],
    private readonly log: RetainedLog,
    private readonly clock: Clock,
    private readonly agePassIntervalMs: number,
  ) {
    this.rules = rules.map((r, i) => {
      const prefix = typeof r.prefix === 'string' ? Buffer.from(r.prefix, 'utf8') : r.prefix instanceof Uint8Array ? Buffer.from(r.prefix) : undefined;
      if (prefix === undefined) throw new InvalidArgumentError(`keyRetention[${i}].prefix must be a string or bytes`);
      for (const name of ['maxRecords', 'maxAgeMs'] as const) {
        const v = r[name];
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new InvalidArgumentError(`keyRetention[${i}].${name} must be a positive integer, got ${String(v)}`);
      }
      if (r.maxRecords === undefined && r.maxAgeMs === undefined) throw new InvalidArgumentError(`keyRetention[${i}] needs maxRecords or maxAgeMs`);
      const slack = r.maxRecords === undefined ? 0 : Math.max(64, Math.floor(r.maxRecords / 10));
      return { prefix, prefixStr: prefix.toString('latin1'), maxRecords: r.maxRecords, maxAgeMs: r.maxAgeMs, slack };
    });
    this.rules.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  get enabled(): boolean {
    return this.rules.length > 0;
  }

  start(): void {
    if (!this.rules.some((r) => r.maxAgeMs !== undefined)) return;
    const tick = (): void => {
      if (this.stopped) return;
      void this.agePass()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = this.clock.setTimeout(tick, this.agePassIntervalMs);
        });
    };
    this.timer = this.clock.setTimeout(tick, this.agePassIntervalMs);
  }

  /** A commit became visible: keys of it that crossed a multiple of their rule's slack are checked. */
  onChunk(chunk: CommittedChunk): void {
    if (this.rules.length === 0) return;
    for (const run of chunk.runs) {
      const rule = this.ruleFor(run.keyStr);
      if (rule?.maxRecords === undefined) continue;
      const before = run.row.countBefore;
      const after = before + run.row.count;
      if (Math.floor(after / rule.slack) !== Math.floor(before / rule.slack)) this.due.add(run.keyStr);
    }
    if (this.due.size > 0 && this.checking === undefined) {
      this.checking = this.checkDue().finally(() => (this.checking = undefined));
    }
  }

  /** Trim every key under an age rule back to its age (resolves with the entries removed). */
  async agePass(): Promise<number> {
    let removed = 0;
    for (const rule of this.rules) {
      if (rule.maxAgeMs === undefined || this.stopped) continue;
      const cutoff = this.clock.now() - rule.maxAgeMs;
      const keys: Buffer[] = [];
      for await (const key of this.log.listKeys({}, { prefix: rule.prefix })) if (this.ruleFor(key.toString('latin1')) === rule) keys.push(key);
      for (const key of keys) {
        if (this.stopped) break;
        const first = this.log.entryAtTime(key, cutoff);
        removed += await this.log.trim(key, { before: first?.sequence ?? this.log.visibleSequence });
      }
    }
    return removed;
  }

  /** Wait for the checks under way (the log is closing). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.checking?.catch(() => undefined);
  }

  private async checkDue(): Promise<void> {
    while (this.due.size > 0 && !this.stopped) {
      const keyStr = this.due.values().next().value as string;
      this.due.delete(keyStr);
      const rule = this.ruleFor(keyStr);
      if (rule?.maxRecords === undefined) continue;
      const key = Buffer.from(keyStr, 'latin1');
      const { start, end } = this.log.offsets(key);
      if (end - start <= rule.maxRecords) continue;
      const keepFrom = this.log.sequenceOfOffset(key, end - rule.maxRecords);
      if (keepFrom !== undefined) await this.log.trim(key, { before: keepFrom.sequence }).catch(() => undefined); // tried again when the key grows by another slack
    }
  }

  private ruleFor(keyStr: string): Rule | undefined {
    for (const rule of this.rules) if (keyStr.startsWith(rule.prefixStr)) return rule;
    return undefined;
  }
}
