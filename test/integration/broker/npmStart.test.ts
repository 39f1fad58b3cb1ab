import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { OdlogClient } from '../../../clients/OdlogClient.js';
import { environmentWithoutOdlog } from '../../support/OdlogRun.js';
import { waitFor } from '../../support/LogFixture.js';
import { TempDirs } from '../../support/TempDirs.js';

/** The repository, found from this compiled file: dist/test/integration/broker -> the root. */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function npmUnavailable(): string | undefined {
  const run = spawnSync('npm', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error !== undefined || run.status !== 0) return `npm is not available (${run.error?.message ?? run.stderr.toString().trim()}); install Node.js with npm to run this test`;
  if (!existsSync(join(repoRoot, 'package.json'))) return `no package.json at ${repoRoot}: the test must run from a checkout`;
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The README's run command is `npm start`: a supervisor (or a user's `kill`) signals npm's pid,
 * not the broker's. The signal must reach the broker and stop it as cleanly as a signal sent to it
 * directly. npm forwards SIGTERM and SIGINT to the script's process; the script `exec`s the broker,
 * so that process is the broker (without `exec` it was a shell, which died and left the broker running).
 */
describe('broker: `npm start` stops cleanly on SIGTERM to npm', function () {
  this.timeout(180_000);
  const dirs = new TempDirs();
  let npm: ChildProcess | undefined;
  let brokerPid: number | undefined;

  afterEach(() => {
    if (npm?.exitCode === null) npm.kill('SIGKILL');
    if (brokerPid !== undefined && isAlive(brokerPid)) process.kill(brokerPid, 'SIGKILL');
    dirs.cleanup();
  });

  it('SIGTERM to the pid of `npm start` stops the broker: it logs stopped, releases odlog.lock and the port, and npm exits 0', async function () {
    const missing = npmUnavailable();
    if (missing !== undefined) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const dataDir = dirs.make('odlog-npm-start');
    const child = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: environmentWithoutOdlog({ npm_config_update_notifier: 'false', npm_config_fund: 'false' }),
    });
    npm = child;
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    // `npm start` builds first: give it time on a busy machine.
    await waitFor(() => /^odlog listening on .+:\d+ \(/m.test(stdout) || child.exitCode !== null, 'the readiness line of `npm start`', 150_000);
    const ready = /^odlog listening on (.+):(\d+) \(/m.exec(stdout);
    expect(ready, `npm start did not start the broker; stdout:\n${stdout}\nstderr:\n${stderr}`).to.not.equal(null);
    const port = Number(ready?.[2]);
    const pid = /info listening .* pid=(\d+)/.exec(stderr);
    expect(pid, stderr).to.not.equal(null);
    brokerPid = Number(pid?.[1]);
    expect(brokerPid).to.not.equal(child.pid);
    const client = await OdlogClient.connect({ broker: `127.0.0.1:${port}`, reconnect: false });
    await client.append([{ key: 'npm/start', value: 'kept' }]);
    await client.close();

    child.kill('SIGTERM');
    const exit = await exited;
    const broker = brokerPid;
    await waitFor(() => !isAlive(broker), `the broker (pid ${broker}) to exit after npm (pid ${child.pid}) got SIGTERM`, 30_000);
    expect(exit, stderr).to.deep.equal({ code: 0, signal: null });
    expect(stderr).to.match(/ info stopped reason=SIGTERM /);
    expect(existsSync(join(dataDir, 'odlog.lock')), 'odlog.lock left behind').to.equal(false);
    // The port is free again.
    const refused = await OdlogClient.connect({ broker: `127.0.0.1:${port}`, reconnect: false, connectTimeoutMs: 2000 }).then(
      (c) => {
        void c.close();
        return false;
      },
      () => true,
    );
    expect(refused, 'something still listens on the broker port').to.equal(true);
  });
});
