import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OdlogClient, type ClientOptions } from '../../clients/OdlogClient.js';
import { RawConnection } from './RawConnection.js';
import { TempDirs } from './TempDirs.js';

/** The CLI entry point, found from this compiled file: dist/test/support -> dist/src/cli/odlog.js. */
export const odlogCli = fileURLToPath(new URL('../../src/cli/odlog.js', import.meta.url));

export interface BrokerStartOptions {
  readonly dataDir: string;
  /** Extra `serve` flags, e.g. ['--auth-token', 'secret']. */
  readonly args?: readonly string[];
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening line (default 20 s). */
  readonly startTimeoutMs?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const listening = /^odlog listening on (.+):(\d+) \(/m;
const running = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A real broker, `node dist/src/cli/odlog.js serve --port 0 --data-dir DIR [flags]`, as a child
 * process: started on an ephemeral port (read back from its "odlog listening on HOST:PORT" line),
 * stopped with SIGTERM or SIGKILL, restarted on the same data directory (and, by default, the same
 * port, so that clients reconnect to it). Its stdout and stderr are kept for diagnostics.
 *
 * Every child ever started is tracked; `BrokerFixture.cleanup()` kills those of a test file and a
 * process exit hook kills any left over, so no broker outlives the test run.
 *
 * @example
 * const fixture = new BrokerFixture();
 * afterEach(function () { return fixture.cleanup(this.currentTest); });
 * const broker = await fixture.start(['--frame-bytes-max', '64KiB']);
 * const client = await fixture.client(broker.address); // closed after the test
 */
export class BrokerProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  private lastExit: ExitStatus | undefined;
  private hostName = '';
  private portNumber = 0;
  private args: readonly string[];
  /** Everything the broker printed, over all its runs (restarts are marked). */
  stdout = '';
  stderr = '';
  private runs = 0;

  private constructor(private readonly options: BrokerStartOptions) {
    this.args = options.args ?? [];
  }

  /** Spawn a broker and resolve once it listens; rejects with its stderr if it exits first. */
  static async start(options: BrokerStartOptions): Promise<BrokerProcess> {
    const broker = new BrokerProcess(options);
    await broker.spawnChild(options.port ?? 0);
    return broker;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  get host(): string {
    return this.hostName;
  }

  get port(): number {
    return this.portNumber;
  }

  /** `host:port`, as OdlogClient and the CLI's --broker take it. */
  get address(): string {
    return this.hostName.includes(':') ? `[${this.hostName}]:${this.portNumber}` : `${this.hostName}:${this.portNumber}`;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('the broker is not running');
    return pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** How the last run ended (undefined while it runs). */
  get exitStatus(): ExitStatus | undefined {
    return this.lastExit;
  }

  /** SIGTERM, wait for the process to exit, and return its exit code (null if a signal ended it). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.isRunning) return this.lastExit?.code ?? null;
    this.child?.kill('SIGTERM');
    const status = await withTimeout(this.exitPromise, timeoutMs, () => `the broker (pid ${this.child?.pid}) did not exit within ${timeoutMs} ms of SIGTERM; stderr:\n${this.stderrTail()}`);
    return status.code;
  }

  /** SIGKILL and wait for the process to be reaped. */
  async kill(): Promise<void> {
    if (!this.isRunning) return;
    this.child?.kill('SIGKILL');
    await this.exitPromise;
  }

  /** Resolve when the current run exits on its own. */
  waitForExit(timeoutMs = 30_000): Promise<ExitStatus> {
    return withTimeout(this.exitPromise, timeoutMs, () => `the broker did not exit within ${timeoutMs} ms`);
  }

  /**
   * Start again on the same data directory, after stopping it (SIGTERM) if it still runs. By
   * default on the same port, so connected clients find it again; `args` replaces the flags.
   */
  async restart(options: { samePort?: boolean; args?: readonly string[] } = {}): Promise<void> {
    if (this.isRunning) await this.stop();
    if (options.args !== undefined) this.args = options.args;
    const port = options.samePort === false ? 0 : this.portNumber;
    // The old listener is gone once its process exited; retry briefly in case the kernel lags.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.spawnChild(port);
        return;
      } catch (error) {
        if (attempt >= 20 || !/EADDRINUSE/.test(String((error as Error).message))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A field of /proc/<pid>/status in bytes (VmRSS, RssAnon, ...). Linux only. */
  procStatusBytes(field: string): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (m === null) throw new Error(`no ${field} in /proc/${this.pid}/status`);
    return Number(m[1]) * 1024;
  }

  /** The last lines the broker wrote to stderr. */
  stderrTail(lines = 40): string {
    return this.stderr.split('\n').slice(-lines).join('\n');
  }

  private spawnChild(port: number): Promise<void> {
    this.runs++;
    const marker = `---- broker run ${this.runs} (port ${port}) ----\n`;
    this.stdout += marker;
    this.stderr += marker;
    const child = spawn(process.execPath, [odlogCli, 'serve', '--port', String(port), '--data-dir', this.options.dataDir, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inheritedEnv(), ...this.options.env },
    });
    this.child = child;
    this.lastExit = undefined;
    running.add(child);
    let runStdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      runStdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exitPromise = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        const status = { code, signal };
        if (this.child === child) this.lastExit = status;
        resolve(status);
      });
      child.once('error', (error) => {
        running.delete(child);
        this.stderr += `spawn failed: ${error.message}\n`;
        const status = { code: null, signal: null };
        if (this.child === child) this.lastExit = status;
        resolve(status);
      });
    });
    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        child.kill('SIGKILL');
        reject(new Error(`the broker printed no listening line within ${timeoutMs} ms; stderr:\n${this.stderrTail()}`));
      }, timeoutMs);
      const onData = (): void => {
        const m = listening.exec(runStdout);
        if (m === null) return;
        this.hostName = m[1];
        this.portNumber = Number(m[2]);
        finish();
        resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        finish();
        reject(new Error(`the broker exited (code ${code}, signal ${signal}) before listening; stderr:\n${this.stderrTail()}`));
      };
      const onError = (error: Error): void => {
        finish();
        reject(new Error(`the broker could not be started: ${error.message}`));
      };
      const finish = (): void => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  }
}

/** Brokers, temporary directories and other resources of one test file, released even when a test fails. */
export class BrokerFixture {
  private readonly dirs = new TempDirs();
  private readonly brokers: BrokerProcess[] = [];
  /** Per-test resources (released by releaseTracked and cleanup). */
  private readonly cleanups: (() => unknown)[] = [];
  /** Resources kept until cleanup (a client shared by a whole file). */
  private readonly fileCleanups: (() => unknown)[] = [];

  /** A new temporary directory, removed by cleanup(). */
  dir(label = 'odlog-broker'): string {
    return this.dirs.make(label);
  }

  /** Start a broker on a new temporary data directory (or `dataDir`). */
  async start(args: readonly string[] = [], options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BrokerProcess> {
    const broker = await BrokerProcess.start({ dataDir: options.dataDir ?? this.dir(), args, env: options.env });
    this.brokers.push(broker);
    return broker;
  }

  /** Start a broker with `config` as its JSON configuration file (tokens, bounds), plus `args`. */
  async startWithConfig(config: object, args: readonly string[] = []): Promise<BrokerProcess> {
    const file = join(this.dir('odlog-config'), 'broker.json');
    writeFileSync(file, JSON.stringify(config));
    return this.start(['--config', file, ...args]);
  }

  /**
   * A client of `address` (a broker's or a proxy's), closed after the test (or, with scope 'file',
   * at cleanup). Reconnects quickly by default.
   */
  async client(address: string, options: ClientOptions = {}, scope: 'test' | 'file' = 'test'): Promise<OdlogClient> {
    const client = await OdlogClient.connect({ broker: address, reconnect: { initialDelayMs: 50, maxDelayMs: 250 }, ...options });
    return this.track(client, (c) => c.close(), scope);
  }

  /**
   * Register the mocha hooks of a describe block whose tests share one broker and one client:
   * both start before the first test, each test's own resources are released after it, and
   * everything is cleaned up after the last. Read them from the returned object inside tests.
   * @example
   * const shared = fixture.sharedBroker();
   * it('counts', async () => expect(await shared.client.count('k')).to.equal(0));
   */
  sharedBroker(args: readonly string[] = []): { readonly broker: BrokerProcess; readonly client: OdlogClient } {
    const shared = {} as { broker: BrokerProcess; client: OdlogClient };
    before(async () => {
      shared.broker = await this.start(args);
      shared.client = await this.client(shared.broker.address, {}, 'file');
    });
    const fixture = this;
    afterEach(function () {
      return fixture.releaseTracked(this.currentTest);
    });
    after(() => this.cleanup());
    return shared;
  }

  /** A raw protocol connection to `broker`, destroyed after the test (or at cleanup, for scope 'file'). */
  async raw(broker: BrokerProcess, scope: 'test' | 'file' = 'test'): Promise<RawConnection> {
    return this.track(await RawConnection.open(broker.port, broker.host), (c) => c.destroy(), scope);
  }

  /** Run `fn` after the test (or at cleanup, for scope 'file'): close a client, destroy a socket. Returns `resource`. */
  track<T>(resource: T, fn: (resource: T) => unknown, scope: 'test' | 'file' = 'test'): T {
    (scope === 'file' ? this.fileCleanups : this.cleanups).push(() => fn(resource));
    return resource;
  }

  /**
   * Run and forget the per-test cleanups (clients of one test), leaving brokers running. Given the
   * mocha test that just ran, a failed test gets the brokers' stderr printed.
   */
  async releaseTracked(test?: Mocha.Test): Promise<void> {
    this.reportFailure(test);
    await runAll(this.cleanups);
  }

  /**
   * Release everything: tracked resources first, then every broker (SIGKILL, waiting for the
   * exit), then the directories. With the mocha test that just ran, a failed test gets the
   * brokers' stderr printed.
   */
  async cleanup(test?: Mocha.Test): Promise<void> {
    this.reportFailure(test);
    await runAll(this.cleanups);
    await runAll(this.fileCleanups);
    await Promise.all(this.brokers.splice(0).map((b) => b.kill()));
    this.dirs.cleanup();
  }

  private reportFailure(test: Mocha.Test | undefined): void {
    if (test?.state !== 'failed') return;
    for (const b of this.brokers) {
      if (b.stderr.replace(/^---- broker run .*$/gm, '').trim().length > 0) console.error(`    broker ${b.address} (data ${b.dataDir}) stderr, last lines:\n${b.stderrTail()}`);
    }
  }
}

/** The test run's environment without ODLOG_* settings, which would change the broker's configuration. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ODLOG_')) env[name] = value;
  return env;
}

async function runAll(cleanups: (() => unknown)[]): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // the other cleanups still run
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
