import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

interface JsonRecord {
  readonly key: string;
  readonly sequence: number;
  readonly offset?: number;
  readonly timestamp?: number;
  readonly value: string;
  readonly headers?: { name: string; value: string | null; valueEncoding?: string }[];
}

/** Resolve once the wall clock is past `timeMs` (the broker stamps commits with this machine's clock). */
async function clockPast(timeMs: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() <= timeMs) {
    if (Date.now() > deadline) throw new Error(`the clock did not pass ${timeMs}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('cli: headers (produce -H) and append times (%T, --from by time)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[], input?: string): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address], { input });
  const json = async (args: string[]): Promise<JsonRecord[]> => lines(ok(await odlog([...args, '--format', 'json'])).stdout).map((l) => JSON.parse(l) as JsonRecord);

  it('produce -H adds the headers, in order, to every record; a NAME alone is a null value and VALUE may hold =', async () => {
    ok(await odlog(['produce', 'clih/one', '--value', 'v', '-H', 'trace=abc', '--header', 'empty=', '-H', 'gone', '-H', 'q=a=b']));
    const [record] = await json(['scan', 'clih/one']);
    expect(record.headers).to.deep.equal([
      { name: 'trace', value: 'abc' },
      { name: 'empty', value: '' },
      { name: 'gone', value: null },
      { name: 'q', value: 'a=b' },
    ]);
    ok(await odlog(['produce', '-K:', '-H', 'src=cli'], 'clih/a:1\nclih/b:2\n'));
    for (const key of ['clih/a', 'clih/b']) expect((await json(['scan', key]))[0].headers).to.deep.equal([{ name: 'src', value: 'cli' }]);
  });

  it('prints headers as a fifth text column and with %h (n=v, a null value as the name alone), and the append time with %T in ms', async () => {
    ok(await odlog(['produce', 'clih/print', '--value', 'x', '-H', 'a=1', '-H', 'b']));
    ok(await odlog(['produce', 'clih/print', '--value', 'y']));
    const [first, second] = await json(['scan', 'clih/print']);
    const text = lines(ok(await odlog(['scan', 'clih/print'])).stdout).map((l) => l.split('\t'));
    expect(text).to.deep.equal([
      [String(first.sequence), 'clih/print', 'x', new Date(first.timestamp as number).toISOString(), 'a=1,b'],
      [String(second.sequence), 'clih/print', 'y', new Date(second.timestamp as number).toISOString()],
    ]);
    const templated = ok(await odlog(['scan', 'clih/print', '-f', '%o %T %s [%h]\\n'])).stdout;
    expect(templated).to.equal(`${first.sequence} ${first.timestamp} x [a=1,b]\n${second.sequence} ${second.timestamp} y []\n`);
  });

  it('refuses a reserved header name, an empty name and a name over its bound as usage errors (64), appending nothing', async () => {
    for (const header of ['odlog.key=x', '=v', `${'n'.repeat(257)}=v`]) {
      const run = await odlog(['produce', 'clih/refused', '--value', 'v', '-H', header]);
      expect(run.code, run.stderr).to.equal(64);
      expect(lines(run.stderr)).to.have.length(1);
    }
    expect(await shared.client.count('clih/refused')).to.equal(0);
  });

  it('scan and tail --from @TIME (ms or ISO 8601) and --from -DURATION start at the first record appended at or after that time', async () => {
    ok(await odlog(['produce', 'clih/t1', '--value', 'early']));
    const [early] = await json(['scan', 'clih/t1']);
    await clockPast(early.timestamp as number);
    await shared.client.append([{ key: 'clih/t2', value: 'late2' }, { key: 'clih/t1', value: 'late1' }]);
    const late = (await json(['scan', 'clih/t1']))[1];
    expect(late.timestamp).to.be.greaterThan(early.timestamp as number);
    const values = (records: JsonRecord[]): string[] => records.map((r) => r.value);
    expect(values(await json(['scan', 'clih/t1', '--from', `@${late.timestamp}`]))).to.deep.equal(['late1']);
    expect(values(await json(['scan', 'clih/t1', '--from', `@${new Date(late.timestamp as number).toISOString()}`]))).to.deep.equal(['late1']);
    expect(values(await json(['scan', 'clih/t1', 'clih/t2', '--from', `@${late.timestamp}`]))).to.deep.equal(['late2', 'late1']);
    expect(values(await json(['scan', 'clih/t1', '--from', '-1h']))).to.deep.equal(['early', 'late1']);
    expect(values(await json(['tail', 'clih/t1', 'clih/t2', '--from', `@${late.timestamp}`, '--count', '2']))).to.deep.equal(['late2', 'late1']);
  });

  it('refuses a --from time it cannot read as a usage error (64)', async () => {
    for (const from of ['@yesterday', '@', '-5w', '@12-02-2026']) {
      const run = await odlog(['scan', 'clih/t1', '--from', from]);
      expect(run.code, `${from}: ${run.stderr}`).to.equal(64);
    }
  });
});
