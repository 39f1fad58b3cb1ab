import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunningTarget } from './Target.js';

/**
 * Start a server process and wait for the line that says where it listens. The process gets
 * its own stdio pipes; stderr is kept (bounded) to explain a failure to start.
 */
export async function startChildServer(command: string, args: readonly string[], listening: RegExp, timeoutMs = 20_000): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before listening: ${stderr.trim()}`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const m = listening.exec(line);
      if (m === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, address: m[1] });
    });
  });
}

/** SIGTERM, then SIGKILL if it lingers. */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A server on a temporary data directory of its own, which goes when the server stops, or at once
 * when it fails to start.
 *
 * @example
 * return serverInTempDir('odlog-bench-', async (dataDir) => ({ ...(await startChildServer(node, [cli, 'serve', '--data-dir', dataDir], ready)), label: 'odlog' }));
 */
export async function serverInTempDir(prefix: string, start: (dataDir: string) => Promise<{ child: ChildProcess; address: string; label: string }>): Promise<RunningTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const { child, address, label } = await start(dataDir);
    return {
      label,
      address,
      pid: child.pid,
      dataDir,
      async stop() {
        await stopChild(child);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
