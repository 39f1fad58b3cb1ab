import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { BrokerFixture, BrokerProcess } from '../../support/BrokerProcess.js';

/**
 * Helpers of the Kafka listener's integration tests: a broker with `--kafka-port`, its Kafka
 * address (from the readiness line), kcat as a child process, and polling with a deadline.
 */

const kafkaInReadiness = /^odlog listening on .*[(,] kafka (\S+?)[,)]/m;

/** `HOST:PORT` of the broker's Kafka listener, from its latest readiness line. */
export function kafkaAddressOf(broker: BrokerProcess): string {
  const runs = broker.stdout.split(/^---- broker run .*$/m);
  const m = kafkaInReadiness.exec(runs[runs.length - 1]);
  if (m === null) throw new Error(`the broker's readiness line names no Kafka listener:\n${broker.stdout}`);
  return m[1];
}

export function kafkaPortOf(broker: BrokerProcess): number {
  return Number(/:(\d+)$/.exec(kafkaAddressOf(broker))?.[1]);
}

/** A broker with the Kafka listener on a free port, and that listener's address. */
export async function startKafkaBroker(fixture: BrokerFixture, args: readonly string[] = [], options: { dataDir?: string } = {}): Promise<{ broker: BrokerProcess; kafka: string }> {
  const broker = await fixture.start(['--kafka-port', '0', ...args], options);
  return { broker, kafka: kafkaAddressOf(broker) };
}

/**
 * Restart on the same data directory, with the Kafka listener on the port it had (clients keep
 * the address they were given) and the same other flags.
 */
export async function restartKafkaBroker(broker: BrokerProcess, args: readonly string[] = []): Promise<string> {
  const port = kafkaPortOf(broker);
  await broker.restart({ args: ['--kafka-port', String(port), ...args] });
  return kafkaAddressOf(broker);
}

/** The path of an executable on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Skip the test visibly when kcat is not installed (the suite never installs it; `.ci/run` does). */
export function requireKcat(context: Mocha.Context): string {
  const kcat = onPath('kcat') ?? onPath('kafkacat');
  if (kcat !== undefined) return kcat;
  console.log('skipped: kcat is not installed (apt-get install kcat)');
  context.skip();
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run kcat to completion (killed after `timeoutMs`), with `input` on stdin. */
export function runKcat(kcat: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(kcat, args, { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 << 20, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number' && error.killed !== true) {
        reject(error);
        return;
      }
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** A long-running kcat (a consumer), its output gathered as it comes: run it with -u, or its output waits in stdio's buffer until it exits. */
export class KcatProcess {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(kcat: string, args: readonly string[]) {
    const child: ChildProcess = spawn(kcat, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  private readonly child: ChildProcess;

  get lines(): string[] {
    return this.stdout.split('\n').filter((l) => l.length > 0);
  }

  /** SIGTERM (kcat then commits its offsets and leaves its group), and wait for the exit. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Poll `condition` until it holds, failing with `what()` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
