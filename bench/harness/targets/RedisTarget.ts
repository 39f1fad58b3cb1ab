import { execFileSync } from 'node:child_process';
import type { Workload } from '../BenchOptions.js';
import { RespClient } from '../load/RespClient.js';
import { serverInTempDir } from './ChildServer.js';
import { findExecutable, startPeerServer } from './PeerServer.js';
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
    return serverInTempDir('odlog-bench-redis-', async (dataDir) => {
      const { child, address } = await startPeerServer(binary, (port) => [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', fsync,
        '--dir', dataDir, '--daemonize', 'no', '--logfile', '',
      ], redisAnswersPing);
      return { child, address, label: `redis-server ${version} (AOF, appendfsync ${fsync}${fsync === 'always' ? ': fsync before reply' : ': fsync each second, ack before fsync'})` };
    });
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
