import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { BrokerFixture, odlogCli } from '../../support/BrokerProcess.js';
import { lines, recordLines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

describe('cli: binary keys and values, escaping and output formats', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[], input?: string | Buffer): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address], { input });

  it('--encoding base64 decodes keys as well as values, and every command takes such a key back', async () => {
    const key = Buffer.from([0x6b, 0x00, 0xff]); // 'k', NUL, 0xff: not text
    ok(await odlog(['produce', b64(key), '--value', b64('hi'), '--encoding', 'base64']));
    ok(await odlog(['produce', b64(key), '--encoding', 'base64'], `${b64(Buffer.from([1, 2, 3]))}\n`));
    expect((await shared.client.scan(key)).entries.map((e) => e.value.toString('hex'))).to.deep.equal(['6869', '010203']);
    expect(await shared.client.count(Buffer.from(b64(key)))).to.equal(0); // not stored under its base64 text

    const listed = lines(ok(await odlog(['keys', '--encoding', 'base64'])).stdout);
    expect(listed).to.include(b64(key));
    expect(ok(await odlog(['count', b64(key), '--encoding', 'base64'])).stdout).to.equal('2\n');
    const scanned = lines(ok(await odlog(['scan', b64(key), '--encoding', 'base64'])).stdout).map((l) => l.split('\t'));
    expect(scanned.map((f) => [f[1], f[2]])).to.deep.equal([[b64(key), b64('hi')], [b64(key), b64(Buffer.from([1, 2, 3]))]]);
    const tailed = lines(ok(await odlog(['tail', b64(key), '--encoding', 'base64', '--from', 'earliest', '--count', '2'])).stdout);
    expect(tailed.map((l) => l.split('\t')[2])).to.deep.equal([b64('hi'), b64(Buffer.from([1, 2, 3]))]);
    const byPrefix = lines(ok(await odlog(['scan', '--prefix', b64(key.subarray(0, 2)), '--encoding', 'base64'])).stdout);
    expect(byPrefix).to.have.length(2);
  });

  it('invalid base64 is an error (status 65) and nothing is appended', async () => {
    for (const args of [['--value', 'not base64!!'], ['--value', 'abcde']]) {
      const run = await odlog(['produce', b64('enc/invalid'), ...args, '--encoding', 'base64']);
      expect(run.code, run.stderr).to.equal(65);
      expect(lines(run.stderr)).to.have.length(1);
      expect(run.stderr).to.contain('--value is not valid base64');
    }
    const key = await odlog(['produce', 'not*base64', '--value', b64('v'), '--encoding', 'base64']);
    expect(key.code).to.equal(65);
    expect(key.stderr).to.contain('KEY is not valid base64');
    expect(await shared.client.count('enc/invalid')).to.equal(0);
  });

  it('text output escapes tab, newline, backslash and bytes that are not UTF-8 (\\xHH), never U+FFFD', async () => {
    const value = Buffer.concat([Buffer.from('a\tb\nc\\d é '), Buffer.from([0xff, 0xc3]), Buffer.from('\r\x01')]);
    const r = await shared.client.append([{ key: 'enc/text', value }]);
    const out = ok(await odlog(['scan', 'enc/text'])).stdout;
    expect(recordLines(out)).to.deep.equal([`${r.startSequence}\tenc/text\ta\\tb\\nc\\\\d é \\xff\\xc3\\r\\x01`]);
    expect(out).to.not.contain('\ufffd');
  });

  it('--format json keeps every byte: fields that are not UTF-8 are base64 and say so', async () => {
    const r = await shared.client.append([{ key: 'enc/json', value: 'plain' }, { key: 'enc/json', value: Buffer.from([0xff, 0x00]) }]);
    const out = lines(ok(await odlog(['scan', 'enc/json', '--format', 'json'])).stdout).map((l) => JSON.parse(l) as { timestamp: number });
    const times = out.map((o) => o.timestamp);
    expect(times[0]).to.be.a('number');
    expect(out).to.deep.equal([
      { key: 'enc/json', sequence: r.startSequence, offset: 0, timestamp: times[0], value: 'plain' },
      { key: 'enc/json', sequence: r.startSequence + 1, offset: 1, timestamp: times[0], value: '/wA=', valueEncoding: 'base64' },
    ]);
  });

  it('--format raw writes value bytes unchanged; --template fills kcat -f placeholders', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x0a, 0x5c, 0x74]);
    const r = await shared.client.append([{ key: 'enc/raw', value: bytes }, { key: 'enc/raw', value: 'two' }]);
    // Bytes, not text: runCli would decode stdout as UTF-8.
    const raw = (args: string[]): Buffer => execFileSync(process.execPath, [odlogCli, 'scan', 'enc/raw', '--format', 'raw', ...args, '--broker', shared.broker.address]);
    expect(raw([]).toString('hex')).to.equal(Buffer.concat([bytes, Buffer.from('\n'), Buffer.from('two\n')]).toString('hex'));
    expect(raw(['-f', '%s']).toString('hex')).to.equal(Buffer.concat([bytes, Buffer.from('two')]).toString('hex'));
    const templated = ok(await odlog(['scan', 'enc/raw', '-f', '%o|%k|%s|%K|%S|%%\\n'])).stdout;
    expect(templated).to.equal(`${r.startSequence}|enc/raw|\\x00\\xff\\n\\\\t|7|5|%\n${r.startSequence + 1}|enc/raw|two|7|3|%\n`);
    const long = ok(await odlog(['scan', b64('enc/raw'), '--template', '%k=%s\\n', '--encoding', 'base64'])).stdout;
    expect(lines(long)).to.deep.equal([`${b64('enc/raw')}=${b64(bytes)}`, `${b64('enc/raw')}=${b64('two')}`]);
  });

  it('template placeholders that do not apply to odlog records (topic, partition) and unknown ones are refused, not faked', async () => {
    for (const [placeholder, reason] of [['%t', 'in odlog the key is the stream'], ['%p', 'odlog has one log'], ['%x', 'unknown placeholder %x']]) {
      const run = await odlog(['scan', 'enc/raw', '-f', placeholder]);
      expect(run.code).to.equal(64);
      expect(run.stderr).to.contain(reason);
    }
  });
});
