import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * The executable's path, looked up on PATH and then in the sbin directories: Debian installs
 * nats-server in /usr/sbin, which is not on a normal user's PATH.
 */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A loopback port that was free a moment ago (listen on 0, read it, close). Another process
 *  may take it before the server binds it; startPeerServer retries with a new one if so. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const startAttempts = 3;
const startTimeoutMs = 20_000;

/**
 * Start a server on a free port and wait until `ready(address)` is true (a protocol-level
 * greeting, so "started" means "serving"). The server's output is drained (a full pipe would
 * stall it) and its tail kept to explain a failure. If it exits before becoming ready, which is
 * what losing the free port to another process looks like, it is started again on a new port.
 */
export async function startPeerServer(
  command: string,
  args: (port: number) => string[],
  ready: (address: string) => Promise<boolean>,
): Promise<{ child: ChildProcess; address: string }> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < startAttempts; attempt++) {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const child = spawn(command, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4096);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = performance.now() + startTimeoutMs;
    let delayMs = 10;
    while (!exited && performance.now() < deadline) {
      if (await ready(address).catch(() => false)) return { child, address };
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(200, delayMs * 2);
    }
    if (!exited) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not answer on ${address} within ${startTimeoutMs} ms: ${output.trim()}`);
    }
    lastError = new Error(`${command} exited before serving on ${address}: ${output.trim()}`);
  }
  throw lastError as Error;
}
