import { readFileSync } from 'node:fs';

const ticksPerSecond = 100; // Linux USER_HZ

/**
 * One look at a process in /proc (Linux). Resident memory comes in two kinds that mean different
 * things for a broker on LMDB, so they are kept apart:
 *
 * - anonymous (`RssAnon`): memory the process allocated itself (JavaScript heap, buffers, native
 *   allocations). This is what a memory budget bounds and what grows with keys or subscribers.
 * - file-mapped (`RssFile` + `RssShmem`): pages of mapped files held in memory, above all LMDB's
 *   data file, which lmdb maps whole (on tmpfs those pages count as RssShmem), and the program's
 *   own code. The kernel drops them under memory pressure and reads them back from the file, so
 *   they grow with the log and the reads, not with what the broker holds.
 *
 * `rssBytes` (VmRSS) is their sum, `peakRssBytes` (VmHWM) the peak of that sum.
 */
export interface ProcessSample {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly anonymousBytes: number;
  readonly fileMappedBytes: number;
}

/** CPU time and memory of a process, from /proc (Linux); undefined elsewhere or once it is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM'), anonymousBytes: kb('RssAnon'), fileMappedBytes: kb('RssFile') + kb('RssShmem') };
  } catch {
    return undefined;
  }
}

/** Peaks of a process's memory over a stretch of time (see ProcessSample for the kinds). */
export interface MemoryPeaks {
  /** Highest anonymous memory (RssAnon) seen by the samples. */
  readonly anonymousPeakBytes: number;
  /** Highest file-mapped memory (RssFile + RssShmem: LMDB's mapped data file, program code) seen by the samples. */
  readonly fileMappedPeakBytes: number;
  /** The kernel's own peak of the total (VmHWM), over the process's whole life. */
  readonly peakRssBytes: number;
  /** Samples taken. */
  readonly samples: number;
}

/**
 * Samples a process's memory every `intervalMs` (the kernel keeps a peak only of the total, so
 * the peaks of each kind are the highest samples) until stopped.
 *
 * @example
 * const watch = MemoryWatch.start(pid);
 * // ... run the load ...
 * const peaks = watch.stop(); // { anonymousPeakBytes, fileMappedPeakBytes, peakRssBytes, samples }
 */
export class MemoryWatch {
  private anonymousPeak = 0;
  private fileMappedPeak = 0;
  private peakRss = 0;
  private samples = 0;
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly pid: number, intervalMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  static start(pid: number, intervalMs = 250): MemoryWatch {
    return new MemoryWatch(pid, intervalMs);
  }

  /** Take a last sample and stop; undefined when no sample could be taken (not Linux, or the process is gone). */
  stop(): MemoryPeaks | undefined {
    clearInterval(this.timer);
    this.sample();
    return this.samples === 0 ? undefined : { anonymousPeakBytes: this.anonymousPeak, fileMappedPeakBytes: this.fileMappedPeak, peakRssBytes: this.peakRss, samples: this.samples };
  }

  private sample(): void {
    const s = sampleProcess(this.pid);
    if (s === undefined) return;
    this.samples++;
    this.anonymousPeak = Math.max(this.anonymousPeak, s.anonymousBytes);
    this.fileMappedPeak = Math.max(this.fileMappedPeak, s.fileMappedBytes);
    this.peakRss = Math.max(this.peakRss, s.peakRssBytes);
  }
}
