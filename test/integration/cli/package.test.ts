import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { recordLines } from '../../support/Cli.js';
import { environmentWithoutOdlog } from '../../support/OdlogRun.js';
import { TempDirs } from '../../support/TempDirs.js';

const run = promisify(execFile);
/** The checkout's root, from dist/test/integration/cli. */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** npm errors that mean "no registry and no cache here", not a fault of the package. */
const offline = /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/;

describe('cli: the packed tarball installs and runs', function () {
  this.timeout(120_000);
  const dirs = new TempDirs();
  let app = '';
  let tarball = '';
  let files: string[] = [];
  after(() => dirs.cleanup());

  before(async function () {
    const dir = dirs.make('odlog-pack');
    // The suite has just built dist/; prepack would build it again.
    const packed = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 << 20 });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path);
    app = join(dir, 'app');
    await run('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'odlog-install-check', private: true }));
    try {
      // The dependencies (lmdb, avsc) come from npm's cache when it has them.
      await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env: environmentWithoutOdlog(), maxBuffer: 16 << 20 });
    } catch (error) {
      const text = `${(error as { stderr?: string }).stderr ?? ''} ${(error as Error).message}`;
      if (offline.test(text)) {
        console.log(`    skipped: npm can reach neither its registry nor a cache holding lmdb and avsc (${text.trim().split('\n')[0]})`);
        this.skip();
      }
      throw error;
    }
  });

  const odlog = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run(join(app, 'node_modules', '.bin', 'odlog'), args, { cwd: app, env: environmentWithoutOdlog(), maxBuffer: 16 << 20 });

  it('ships the harness and the schemas, and no tests', () => {
    expect(files).to.include('dist/src/cli/odlog.js');
    expect(files).to.include('dist/bench/harness/BenchCommand.js');
    expect(files.some((f) => f.startsWith('src/protocol/schemas/'))).to.equal(true);
    expect(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('test/'))).to.deep.equal([]);
  });

  it('ships every source map a shipped file names, and every source file those maps name', () => {
    const installed = join(app, 'node_modules', 'odlog');
    const shipped = new Set(files);
    const inPackage = (from: string, relative: string): string => posix.normalize(posix.join(posix.dirname(from), relative));
    const scripts = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(scripts.length).to.be.greaterThan(100);
    let maps = 0;
    for (const script of scripts) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, script), 'utf8'))?.[1];
      if (url === undefined) continue;
      const map = inPackage(script, url);
      expect(shipped.has(map), `${script} names ${map}, which is not in the package`).to.equal(true);
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(shipped.has(inPackage(map, source)), `${map} names ${source}, which is not in the package`).to.equal(true);
      maps++;
    }
    expect(maps).to.equal(scripts.length);
  });

  it('npx odlog --help prints the usage', async () => {
    const { stdout } = await run(npm, ['exec', '--no', '--', 'odlog', '--help'], { cwd: app, env: environmentWithoutOdlog() });
    expect(stdout).to.match(/^usage: odlog COMMAND/);
    expect(stdout).to.contain('bench');
  });

  it('odlog bench --help reaches the load harness through the package exports', async () => {
    const { stdout } = await odlog(['bench', '--help']);
    expect(stdout).to.match(/^usage: odlog bench \[options\]/);
    expect(stdout).to.contain('--producers N');
  });

  it('odlog --version prints the package version', async () => {
    const { stdout } = await odlog(['--version']);
    expect(stdout).to.match(/^odlog \d+\.\d+\.\d+\n$/);
  });

  it('odlog serve runs a broker that the installed odlog produces to and scans', async () => {
    const broker = spawn(join(app, 'node_modules', '.bin', 'odlog'), ['serve', '--port', '0', '--data-dir', join(app, 'broker-data')], { cwd: app, env: environmentWithoutOdlog(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        broker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const m = /^odlog listening on (\S+) /m.exec(out);
          if (m !== null) resolve(m[1]);
        });
        broker.once('exit', (code) => reject(new Error(`the installed broker exited (${code}) before listening: ${out}`)));
      });
      await odlog(['produce', 'installed', '--value', 'works', '--broker', address]);
      const { stdout } = await odlog(['scan', 'installed', '--broker', address]);
      expect(recordLines(stdout)).to.deep.equal(['0\tinstalled\tworks']);
    } finally {
      broker.kill('SIGKILL');
    }
  });

  it('the embedded log and the client load from the installed package', async () => {
    const script = "import { LogDb } from 'odlog'; import { OdlogClient } from 'odlog/client'; const log = await LogDb.open({ path: './embedded' }); await log.append([{ key: 'k', value: 'v' }]); console.log(await log.count('k'), typeof OdlogClient.connect); await log.close();";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    expect(stdout).to.equal('1 function\n');
  });
});
