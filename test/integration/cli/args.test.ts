import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, recordLines, runCli, type CliRun } from '../../support/Cli.js';

function usageError(run: CliRun): string {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(64);
  expect(run.stdout).to.equal('');
  expect(lines(run.stderr), run.stderr).to.have.length(1);
  return run.stderr;
}

describe('cli: one argument parser for every command', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[], input?: string): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address], { input });

  it('refuses an unknown flag with status 64 instead of ignoring it (scan --limt 2 printed the whole key)', async () => {
    await shared.client.append(Array.from({ length: 5 }, (_, i) => ({ key: 'args/limt', value: `v${i}` })));
    const stderr = usageError(await odlog(['scan', 'args/limt', '--limt', '2']));
    expect(stderr).to.equal('odlog: unknown option --limt (did you mean --limit?); see odlog scan --help\n');
  });

  it('refuses unknown flags on every command, the broker and the harness included', async () => {
    const commands = [['produce', 'k', '--value', 'v'], ['tail', 'k'], ['count', 'k'], ['keys'], ['segments'], ['seal'], ['stats'], ['trim', 'k', '--before', '1'], ['delete', 'k'], ['backup', 'args-no-such-dir'], ['serve', '--port', '0'], ['bench']];
    for (const command of commands) {
      const stderr = usageError(await runCli([...command, '--no-such-flag', 'x']));
      expect(stderr, command[0]).to.contain(`unknown option --no-such-flag; see odlog ${command[0]} --help`);
    }
    expect(await shared.client.count('k')).to.equal(0);
  });

  it('accepts negative numbers as values: --from -N and --value -1', async () => {
    const r = await shared.client.append(Array.from({ length: 6 }, (_, i) => ({ key: 'args/negative', value: `n${i}` })));
    const scan = await odlog(['scan', 'args/negative', '--from', '-2']);
    expect(scan.code, scan.stderr).to.equal(0);
    expect(recordLines(scan.stdout)).to.deep.equal([`${r.startSequence + 4}\targs/negative\tn4`, `${r.startSequence + 5}\targs/negative\tn5`]);
    const produce = await odlog(['produce', 'args/minus-one', '--value', '-1']);
    expect(produce.code, produce.stderr).to.equal(0);
    expect((await shared.client.scan('args/minus-one')).entries.map((e) => e.value.toString())).to.deep.equal(['-1']);
  });

  it("keeps today's messages: a flag without its value, a malformed number, a word outside its set", async () => {
    expect(usageError(await odlog(['scan', 'k', '--limit']))).to.equal('odlog: --limit needs a value\n');
    expect(usageError(await odlog(['scan', 'k', '--limit', 'ten']))).to.equal('odlog: --limit must be a non-negative integer, got "ten"\n');
    expect(usageError(await odlog(['scan', 'k', '--format', 'xml']))).to.equal('odlog: --format must be one of text, json, raw, got "xml"\n');
    expect(usageError(await runCli(['serve', '--port']))).to.equal('odlog: --port needs a value\n');
    expect(usageError(await runCli(['bench', '--producers', '0']))).to.equal('odlog: --producers must be a number in 1..64, got 0\n');
    expect(usageError(await runCli(['bench', '--compare', 'a.json']))).to.equal('odlog: --compare needs two result files\n');
  });

  it('refuses positional arguments a command does not take', async () => {
    expect(usageError(await odlog(['stats', 'extra']))).to.equal('odlog: unexpected argument "extra"; see odlog stats --help\n');
  });

  it('odlog scan --help shows the flags and examples of scan, not the global usage', async () => {
    const run = await runCli(['scan', '--help']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^usage: odlog scan KEY\.\.\. \| --prefix PREFIX/);
    for (const flag of ['--from SEQ|-N', '--to SEQ', '--limit N', '--format text|json|raw', '--encoding utf8|base64', '-f, --template FORMAT', '--broker HOST[:PORT]', '--tls-ca FILE']) expect(run.stdout).to.contain(flag);
    expect(run.stdout).to.match(/Examples:\n {2}odlog scan /);
    expect(run.stdout).to.not.contain('usage: odlog COMMAND');
    expect((await runCli(['help', 'scan'])).stdout).to.equal(run.stdout);
    expect((await runCli(['scan', '-h'])).stdout).to.equal(run.stdout);
  });

  it('every command has its own help; the global help lists them all', async () => {
    const global = await runCli(['--help']);
    expect(global.code).to.equal(0);
    for (const name of ['serve', 'produce', 'scan', 'tail', 'count', 'keys', 'segments', 'trim', 'delete', 'backup', 'seal', 'stats', 'bench']) {
      expect(global.stdout).to.match(new RegExp(`^ {2}${name} `, 'm'));
      const help = await runCli([name, '--help']);
      expect(help.code, name).to.equal(0);
      expect(help.stdout, name).to.match(new RegExp(`^usage: odlog ${name}`));
    }
  });

  it('odlog --version and -V print the version', async () => {
    const pkg = (await import('node:fs')).readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(pkg) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.equal(`odlog ${version}\n`);
    }
  });
});
