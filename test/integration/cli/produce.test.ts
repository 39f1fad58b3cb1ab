import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

describe('cli: produce', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[], input?: string | Buffer): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address], { input });

  it('a line too large to be a record stops it: the error names the line and what was appended, nothing after it is sent, status 65', async () => {
    const big = 'x'.repeat(9_000_000);
    const input = `good 1\ngood 2\n${big}\nafter 1\nafter 2\n`;
    const run = await odlog(['produce', 'produce/bad-line'], input);
    const entries = (await shared.client.scan('produce/bad-line')).entries;
    expect(entries.map((e) => e.value.toString())).to.deep.equal(['good 1', 'good 2']);
    expect(run.code).to.equal(65);
    expect(run.stdout).to.equal('');
    expect(lines(run.stderr)).to.deep.equal([
      `odlog: line 3: its value is 9000000 bytes, over the broker's valueBytesMax of 8388608; appended 2 records before it (last sequence ${entries[1].sequence}); nothing after line 3 was sent`,
    ]);
  });

  it('with --format json the report carries the count, the sequences and the error', async () => {
    const key = Buffer.from('produce/bad-json').toString('base64');
    const run = await odlog(['produce', key, '--format', 'json', '--encoding', 'base64'], `${Buffer.from('ok').toString('base64')}\nnot base64!\n`);
    expect(run.code).to.equal(65);
    const [entry] = (await shared.client.scan('produce/bad-json')).entries;
    expect(JSON.parse(run.stdout)).to.deep.equal({ key, count: 1, firstSequence: entry.sequence, lastSequence: entry.sequence, error: { line: 2, message: 'its value is not valid base64 ("not base64!"); with --encoding base64, keys and values are standard base64 (A-Z a-z 0-9 + /, = padding)' } });
    expect(run.stderr).to.contain('line 2: its value is not valid base64');
  });

  it('-K: takes the key from each line (many keys in one run) and reports the count and last sequence', async () => {
    const run = ok(await odlog(['produce', '-K:'], 'produce/k/a:1\nproduce/k/b:2\nproduce/k/a:3:with:colons\n'));
    const a = (await shared.client.scan('produce/k/a')).entries;
    const b = (await shared.client.scan('produce/k/b')).entries;
    expect(a.map((e) => e.value.toString())).to.deep.equal(['1', '3:with:colons']);
    expect(b.map((e) => e.value.toString())).to.deep.equal(['2']);
    expect(run.stdout).to.equal(`appended 3 records to several keys (last sequence ${a[1].sequence})\n`);
    const long = ok(await odlog(['produce', '--key-delimiter', ' => '], 'produce/k/c => x\n'));
    expect(long.stdout).to.match(/^appended 1 record to produce\/k\/c \(sequence \d+\)\n$/);
  });

  it('-K: a line without the delimiter is refused with its number', async () => {
    const run = await odlog(['produce', '-K:'], 'produce/k/d:1\nno delimiter\nproduce/k/d:3\n');
    expect(run.code).to.equal(65);
    expect(run.stderr).to.match(/^odlog: line 2: it has no key delimiter ":" .*appended 1 record before it \(last sequence \d+\); nothing after line 2 was sent\n$/);
    expect((await shared.client.scan('produce/k/d')).entries.map((e) => e.value.toString())).to.deep.equal(['1']);
  });

  it('--file (kcat -l) reads the lines from a file; a missing file is status 66', async () => {
    const file = join(fixture.dir('odlog-produce'), 'lines.txt');
    writeFileSync(file, 'produce/file:one\r\nproduce/file:two\nproduce/file:three');
    const run = ok(await odlog(['produce', '-K:', '-l', file]));
    expect((await shared.client.scan('produce/file')).entries.map((e) => e.value.toString())).to.deep.equal(['one', 'two', 'three']);
    expect(run.stdout).to.match(/^appended 3 records to produce\/file \(last sequence \d+\)\n$/);
    const missing = await odlog(['produce', 'produce/file', '--file', join(file, '..', 'missing.txt')]);
    expect(missing.code).to.equal(66);
    expect(missing.stderr).to.contain('cannot read --file');
    expect(missing.stderr).to.contain('no such file');
  });

  it('lines that are not UTF-8 reach the log byte for byte', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xc3, 0x28, 0x0a]);
    ok(await odlog(['produce', 'produce/bytes'], bytes));
    expect((await shared.client.scan('produce/bytes')).entries.map((e) => e.value.toString('hex'))).to.deep.equal(['fffe41', 'c328']);
  });

  it('a batch the broker refuses stops reading; the error says which line and that nothing of that batch was appended (status 1)', async () => {
    const config = join(fixture.dir('odlog-produce-auth'), 'config.json');
    writeFileSync(config, JSON.stringify({ tokens: [{ name: 'writer', token: 'writer-token-1', append: ['allowed/'], read: ['allowed/'] }] }));
    const broker = await fixture.start(['--config', config]);
    const run = await runCli(['produce', '-K:', '--broker', broker.address, '--token', 'writer-token-1'], { input: 'allowed/a:1\ndenied/b:2\nallowed/c:3\n' });
    expect(run.code).to.equal(1);
    expect(lines(run.stderr)).to.have.length(1);
    expect(run.stderr).to.match(/^odlog: line 1: the broker refused the batch holding it: .*denied\/b.*; appended nothing; reading stopped there/);
    const reader = await fixture.client(broker.address, { token: 'writer-token-1' });
    expect(await reader.count('allowed/a')).to.equal(0);
    expect(await reader.count('allowed/c')).to.equal(0);
  });

  it('KEY and -K together, or --value with -K, are usage errors', async () => {
    expect((await odlog(['produce', 'k', '-K:'])).code).to.equal(64);
    expect((await odlog(['produce', '-K:', '--value', 'v'])).code).to.equal(64);
    expect((await odlog(['produce'])).code).to.equal(64);
  });
});
