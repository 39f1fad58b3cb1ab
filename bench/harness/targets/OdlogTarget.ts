import { fileURLToPath } from 'node:url';
import type { Workload } from '../BenchOptions.js';
import { serverInTempDir, startChildServer, stopChild } from './ChildServer.js';
import type { RunningTarget, TargetLauncher } from './Target.js';

const cli = fileURLToPath(new URL('../../../src/cli/odlog.js', import.meta.url));

/** An odlog broker in its own process on a temporary data directory. */
export const odlogTarget: TargetLauncher = {
  kind: 'odlog',
  unavailable: () => undefined,
  async start(workload: Workload): Promise<RunningTarget> {
    return serverInTempDir('odlog-bench-', async (dataDir) => {
      const { child, address } = await startChildServer(
        process.execPath,
        [workload.odlogCli ?? cli, 'serve', '--port', '0', '--data-dir', dataDir, '--durability', workload.durability, '--connections-max', '4096'],
        /^odlog listening on (\S+)/,
      );
      return { child, address, label: workload.odlogCli === undefined ? `odlog (${workload.durability})` : `odlog ${workload.odlogCli} (${workload.durability})` };
    });
  },
};

/** A server speaking odlog's protocol that acknowledges appends without storing them. */
export const discardTarget: TargetLauncher = {
  kind: 'discard',
  unavailable: () => undefined,
  async start(): Promise<RunningTarget> {
    const script = fileURLToPath(new URL('./discardServer.js', import.meta.url));
    const { child, address } = await startChildServer(process.execPath, [script], /^discard listening on (\S+)/);
    return { label: 'discard (no storage)', address, pid: child.pid, dataDir: undefined, stop: () => stopChild(child) };
  },
};
