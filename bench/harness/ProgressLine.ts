/** What one second of a run looked like, for the progress line. */
export interface ProgressSample {
  readonly phase: 'warmup' | 'measure';
  /** Seconds into the current phase, and its length (warm-up or measured duration). */
  readonly phaseSeconds: number;
  readonly phaseLengthSec: number;
  /** With `--records N`: records acknowledged in the measured phase so far, and N. */
  readonly records?: { readonly done: number; readonly target: number };
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  /** Ack latency percentiles of the last second (µs); undefined when nothing was acknowledged. */
  readonly ackP50Us: number | undefined;
  readonly ackP99Us: number | undefined;
  /** Records acknowledged but not yet delivered to the slowest consumer; undefined without consumers. */
  readonly lagRecords: number | undefined;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (us: number | undefined): string => (us === undefined ? '—' : `${(us / 1000).toFixed(2)} ms`);

/**
 * The once-a-second progress line: `warm-up 1/2 s` during the warm-up, `3/10 s` (or records of
 * `--records`) when measuring, and `—` for a latency with no sample in that second.
 *
 * @example
 * progressLine({ phase: 'warmup', phaseSeconds: 1, phaseLengthSec: 2, recordsPerSec: 0, mbPerSec: 0, ackP50Us: undefined, ackP99Us: undefined, lagRecords: undefined });
 * // 'warm-up 1/2 s  0 rec/s  0.0 MB/s  ack p50 — p99 —'
 */
export function progressLine(s: ProgressSample): string {
  const where =
    s.phase === 'warmup'
      ? `warm-up ${Math.round(s.phaseSeconds)}/${s.phaseLengthSec} s`
      : s.records !== undefined
        ? `${(s.records.done / 1e6).toFixed(2)}M/${(s.records.target / 1e6).toFixed(2)}M records`
        : `${Math.round(s.phaseSeconds)}/${s.phaseLengthSec} s`;
  return (
    `${where}  ${int(s.recordsPerSec)} rec/s  ${s.mbPerSec.toFixed(1)} MB/s  ack p50 ${ms(s.ackP50Us)} p99 ${ms(s.ackP99Us)}` +
    (s.lagRecords !== undefined ? `  lag ${int(s.lagRecords)}` : '')
  );
}
