import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { odlogCli } from './BrokerProcess.js';

/** How a run of the odlog command ended, and everything it printed. */
export interface OdlogRunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It was still running after the timeout and was killed. */
  readonly timedOut: boolean;
}

export interface OdlogRunOptions {
  /** The whole environment of the child (default: this process's, without ODLOG_* settings). */
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user and group (needs root): tests of permissions, which root ignores. */
  readonly uid?: number;
  readonly gid?: number;
  /** Kill it (SIGKILL) after this long; default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * Run `node dist/src/cli/odlog.js ARGS` to its end, for commands expected to exit on their own (a
 * broker refusing to start). A broker that starts instead is killed at the timeout.
 *
 * @example
 * const run = await runOdlog(['serve', '--port', '0', '--data-dir', dir]);
 * expect(run.code).to.not.equal(0);
 */
export function runOdlog(args: readonly string[], options: OdlogRunOptions = {}): Promise<OdlogRunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [odlogCli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? environmentWithoutOdlog(),
      uid: options.uid,
      gid: options.gid,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + `spawn failed: ${error.message}\n`, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** This process's environment without ODLOG_* settings (which would change the broker's configuration). */
export function environmentWithoutOdlog(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ODLOG_')) env[name] = value;
  return { ...env, ...extra };
}

/** The lines of a text, without a trailing empty one. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Mount a tmpfs of `sizeBytes` on `dir` (Linux, needs the privilege to mount). Returns undefined
 * on success, or why it could not be done (for a visible skip).
 */
export function mountTmpfs(dir: string, sizeBytes: number): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return `cannot mount a tmpfs (${(e.stderr?.toString().trim() || e.message).split('\n')[0]}); run as root or with CAP_SYS_ADMIN`;
  }
}

/** Unmount what mountTmpfs mounted (lazily if it is still busy). */
export function unmountTmpfs(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // nothing mounted there any more
    }
  }
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/**
 * Start `node dist/src/cli/odlog.js ARGS` with piped stdin, stdout and stderr and return it
 * running, for tests that read its output as it comes, stop reading (a paused or closed pipe) or
 * signal it. Nothing reads its stdout unless the test does. Killed at exit if still running.
 *
 * @example
 * const tail = startOdlog(['tail', 'k', '--broker', address]);
 * tail.stdout.once('data', () => tail.kill('SIGINT'));
 */
export function startOdlog(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [odlogCli, ...args], { stdio: 'pipe', env: options.env ?? environmentWithoutOdlog() });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Resolve with how `child` ended, once it has. */
export function exitOf(child: ChildProcess, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`odlog (pid ${child.pid}) did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Resident set size of a running process (Linux /proc), in bytes. */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}
