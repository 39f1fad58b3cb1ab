import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from '../BenchOptions.js';
import { NatsClient } from '../load/NatsClient.js';
import { jetStreamApi } from '../load/NatsLoadClient.js';
import { serverInTempDir } from './ChildServer.js';
import { findExecutable, startPeerServer } from './PeerServer.js';
import type { RunningTarget, TargetLauncher } from './Target.js';

/**
 * What a JetStream PubAck means on disk for a server version and the run's durability: the label
 * carries it, so a result is never read as equal durability to odlog's when it is not.
 *
 * - nats-server 2.10 and later have `jetstream { sync_interval: always }`: the file store writes
 *   and fsyncs each message before the PubAck (per the nats-server documentation; only 2.9.10 was
 *   at hand to measure). Used for 'sync'. For 'async' the default stays: the PubAck follows the
 *   write to the page cache, and a background fsync runs every 2 minutes.
 * - nats-server 2.9 has no such setting (the config parser refuses `sync_interval`), so 'sync'
 *   cannot be had: both durabilities run the same server, whose PubAck follows only the write to
 *   the page cache and whose file store fsyncs in the background every 2 minutes. Measured on
 *   2.9.10 with strace: each message is pwrite()n to its block file before its PubAck is sent,
 *   with no fsync; the first fsync came 120 s after the first write, and none at shutdown. So a
 *   nats-server crash loses nothing acknowledged; an OS crash or power loss can lose up to ~2
 *   minutes of acknowledged messages. Such a 'sync' run is labelled "NOT fsync per ack".
 */
export function natsDurability(version: string, durability: Workload['durability']): { readonly fsyncBeforeAck: boolean; readonly syncAlways: boolean; readonly summary: string } {
  const syncAlways = durability === 'sync' && atLeast(version, [2, 10, 0]);
  if (syncAlways) return { fsyncBeforeAck: true, syncAlways, summary: 'sync_interval always: fsync per message before PubAck' };
  const unmet = durability === 'sync' ? '; NOT fsync per ack: this version has no sync_interval' : '';
  return { fsyncBeforeAck: false, syncAlways, summary: `PubAck before fsync, background fsync every 2 min${unmet}` };
}

/**
 * nats-server with JetStream (file storage) as a peer, on a temporary store directory and a free
 * loopback port: `nats-server -js -sd <dir> -p <port> -a 127.0.0.1 -c <dir>/nats.conf`. The
 * config raises max_payload to 8 MiB (the bench's largest value; the default is 1 MiB) and, on
 * 2.10+, sets sync_interval for 'sync' (see natsDurability).
 */
export const natsTarget: TargetLauncher = {
  kind: 'nats',
  unavailable: () => (findExecutable('nats-server') === undefined ? 'nats-server not on PATH (apt-get install nats-server)' : undefined),
  async start(workload: Workload): Promise<RunningTarget> {
    const binary = findExecutable('nats-server');
    if (binary === undefined) throw new Error('nats-server not on PATH (apt-get install nats-server)');
    const version = /v?(\d+\.\d+\.\d+\S*)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }))?.[1] ?? '0.0.0';
    const semantics = natsDurability(version, workload.durability);
    return serverInTempDir('odlog-bench-nats-', async (dataDir) => {
      const storeDir = join(dataDir, 'store');
      const configFile = join(dataDir, 'nats.conf');
      const jetstream = semantics.syncAlways ? `jetstream {\n  store_dir: ${JSON.stringify(storeDir)}\n  sync_interval: always\n}\n` : '';
      writeFileSync(configFile, `max_payload: ${8 * 1024 * 1024}\n${jetstream}`);
      const { child, address } = await startPeerServer(binary, (port) => ['-c', configFile, '-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'], jetStreamAnswers);
      return { child, address, label: `nats-server ${version} (JetStream file; ${semantics.summary})` };
    });
  },
};

/** Serving means JetStream answers its API, not merely that the port accepts connections. */
async function jetStreamAnswers(address: string): Promise<boolean> {
  const client = await NatsClient.connect(address, { connectTimeoutMs: 1000, requestTimeoutMs: 1000 });
  try {
    await jetStreamApi(client, 'INFO', undefined);
    return true;
  } finally {
    await client.close();
  }
}

function atLeast(version: string, min: readonly [number, number, number]): boolean {
  const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const v = Number.isFinite(parts[i]) ? parts[i] : 0;
    if (v !== min[i]) return v > min[i];
  }
  return true;
}
