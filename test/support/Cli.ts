import { execFile } from 'node:child_process';
import { odlogCli } from './BrokerProcess.js';

export interface CliRun {
  /** Exit code (null if a signal ended it). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `node dist/src/cli/odlog.js ARGS` as a shell would, with `input` on its stdin, and collect
 * its exit code and output. ODLOG_* variables of the test environment are not passed on.
 */
export function runCli(args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ODLOG_')) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [odlogCli, ...args],
      { env: { ...env, ...options.env }, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error !== null && typeof (error as { code?: unknown }).code !== 'number' && child.exitCode === null && child.signalCode === null) {
          reject(error);
          return;
        }
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Output lines without the trailing empty one. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Lines of records printed as text (`SEQUENCE<TAB>KEY<TAB>VALUE<TAB>TIME[<TAB>HEADERS]`) with the
 * time column checked (an ISO 8601 UTC time) and left out, for comparing lines whose time varies.
 */
export function recordLines(text: string): string[] {
  return lines(text).map((line) => {
    const fields = line.split('\t');
    if (fields.length < 4 || !isoTime.test(fields[3])) throw new Error(`not a record line with an append time in its 4th column: ${JSON.stringify(line)}`);
    return [...fields.slice(0, 3), ...fields.slice(4)].join('\t');
  });
}
