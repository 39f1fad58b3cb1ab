import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Workload } from '../BenchOptions.js';
import { RespClient } from '../load/RespClient.js';
import { stopChild } from './ChildServer.js';
import type { RunningTarget, TargetLauncher } from './Target.js';

/**
 * redis-server as a peer, on a temporary directory and a free loopback port, with the stream
 * data in an append-only file (RDB snapshots off, so the AOF is the only persistence):
 *
 * - durability 'sync': `appendfsync always`. Redis writes and fsyncs the AOF in the event loop
 *   before it sends the replies of the commands that produced the writes (one fsync per event
 *   loop iteration, covering every client's commands in it: a group commit, the equal of odlog's
 *   fsync per commit). An acknowledged XADD survives power loss.
 * - durability 'async': `appendfsync everysec`. A background thread fsyncs the AOF once a second,
 *   and the AOF write() itself is not ordered before the reply (strace of 7.0.15 shows replies
 *   written before the write() of their AOF record): a redis-server crash can lose the last few
 *   acknowledged writes, an OS crash or power loss about the last 1-2 s of them.
 *
 * Both were checked with `strace -e fdatasync,write` on 7.0.15: under `always` every reply
 * follows a write() and fdatasync() of the AOF; under `everysec` fdatasync runs once a second on
 * another thread.
 *
 * AOF rewrites keep their defaults (a fork once the file doubles past 64 MiB), as a deployment
 * would; they show up in the latency tail of long runs.
 */
export const redisTarget: TargetLauncher = {
  kind: 'redis',
  unavailable: () => (findExecutable('redis-server') === undefined ? 'redis-server not on PATH (apt-get install redis-server)' : undefined),
  async start(workload: Workload): Promise<RunningTarget> {
    const binary = findExecutable('redis-server');
    if (binary === undefined) throw new Error('redis-server not on PATH (apt-get install redis-server)');
    const version = /v=(\S+)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
    const fsync = workload.durability === 'sync' ? 'always' : 'everysec';
    const dataDir = mkdtempSync(join(tmpdir(), 'odlog-bench-redis-'));
    try {
      const { child, address } = await startPeerServer(binary, (port) => [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', fsync,
        '--dir', dataDir, '--daemonize', 'no', '--logfile', '',
      ], redisAnswersPing);
      return {
        label: `redis-server ${version} (AOF, appendfsync ${fsync}${fsync === 'always' ? ': fsync before reply' : ': fsync each second, ack before fsync'})`,
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
  },
};

async function redisAnswersPing(address: string): Promise<boolean> {
  const client = await RespClient.connect(address, { connectTimeoutMs: 1000, commandTimeoutMs: 1000 });
  try {
    return (await client.command(['PING'])) === 'PONG';
  } finally {
    await client.close();
  }
}

// ---- helpers shared by the peer targets (NatsTarget imports them) ---------------------------------

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
