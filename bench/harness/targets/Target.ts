import type { Workload } from '../BenchOptions.js';

/** A system under test that the harness started (or was pointed at). */
export interface RunningTarget {
  readonly label: string;
  readonly address: string;
  /** The server process, when the harness started it (for CPU and RSS). */
  readonly pid: number | undefined;
  /** Its data directory, when the harness owns it (for bytes on disk). */
  readonly dataDir: string | undefined;
  stop(): Promise<void>;
}

export interface TargetLauncher {
  readonly kind: Workload['target'];
  /** Undefined when it can run here; otherwise why not (e.g. redis-server not on PATH). */
  unavailable(): string | undefined;
  start(workload: Workload): Promise<RunningTarget>;
}
