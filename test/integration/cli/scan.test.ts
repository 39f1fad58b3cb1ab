import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { recordLines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

/** `sequence key value` triples of text output. */
const rows = (run: CliRun): string[][] => recordLines(run.stdout).map((l) => l.split('\t'));

describe('cli: scan and tail over several keys, a prefix, and the last N records', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[]): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address]);
  /** The records appended, in sequence order: [sequence, key, value]. */
  const log: string[][] = [];

  before(async () => {
    const keys = ['multi/a', 'multi/b', 'multi/a', 'other', 'multi/c', 'multi/a', 'multi/c', 'multi/a', 'other', 'multi/c', 'multi/a'];
    const r = await shared.client.append(keys.map((key, i) => ({ key, value: `v${i}` })));
    keys.forEach((key, i) => log.push([String(r.startSequence + i), key, `v${i}`]));
    // Later records of keys outside the selection: the selection's last record is far from the log's end.
    await shared.client.append(Array.from({ length: 50 }, (_, i) => ({ key: 'other', value: `o${i}` })));
  });

  const of = (...keys: string[]): string[][] => log.filter((row) => keys.includes(row[1]));

  it('scan KEY KEY prints both keys in global sequence order and ends at the end of the log', async () => {
    expect(rows(ok(await odlog(['scan', 'multi/a', 'multi/b'])))).to.deep.equal(of('multi/a', 'multi/b'));
  });

  it('scan --prefix prints every key under it in global order; --from, --to and --limit bound it', async () => {
    const all = of('multi/a', 'multi/b', 'multi/c');
    expect(rows(ok(await odlog(['scan', '--prefix', 'multi/'])))).to.deep.equal(all);
    expect(rows(ok(await odlog(['scan', '--prefix', 'multi/', '--from', all[3][0], '--to', all[6][0]])))).to.deep.equal(all.slice(3, 6));
    expect(rows(ok(await odlog(['scan', '--prefix', 'multi/', '--limit', '2'])))).to.deep.equal(all.slice(0, 2));
    expect(rows(ok(await odlog(['scan', '--prefix', 'nothing/here'])))).to.deep.equal([]);
  });

  it('--from -N gives the last N records of each key (kcat -o -N), merged in global order', async () => {
    const lastTwo = (key: string): string[][] => of(key).slice(-2);
    const expected = [...lastTwo('multi/a'), ...lastTwo('multi/b'), ...lastTwo('multi/c')].sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(rows(ok(await odlog(['scan', '--prefix', 'multi/', '--from', '-2'])))).to.deep.equal(expected);
    expect(rows(ok(await odlog(['scan', 'multi/a', 'multi/c', '--from', '-2'])))).to.deep.equal(expected.filter((r) => r[1] !== 'multi/b'));
    expect(rows(ok(await odlog(['scan', 'multi/a', '--from', '-3'])))).to.deep.equal(of('multi/a').slice(-3));
    expect(rows(ok(await odlog(['scan', 'multi/b', '--from', '-10'])))).to.deep.equal(of('multi/b'));
  });

  it('tail --from -N starts with the last N records of each key, then follows', async () => {
    const expected = [...of('multi/a').slice(-1), ...of('multi/c').slice(-1)].sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(rows(ok(await odlog(['tail', 'multi/a', 'multi/c', '--from', '-1', '--count', '2'])))).to.deep.equal(expected);
  });

  it('tail refuses --from -N with --cursor: a cursor resumes where it stopped', async () => {
    const run = await odlog(['tail', 'multi/a', '--from', '-1', '--cursor', 'never-used']);
    expect(run.code).to.equal(64);
    expect(run.stderr).to.contain('--from -N does not go with --cursor');
    expect(await shared.client.getCursor('never-used')).to.equal(null);
  });

  it('--from latest is for tail; scan refuses it as a usage error', async () => {
    const run = await odlog(['scan', 'multi/a', '--from', 'latest']);
    expect(run.code).to.equal(64);
    expect(run.stderr).to.equal(
      'odlog: --from is earliest, a sequence, -N (the last N records of each key), @TIME (an ISO 8601 time such as @2026-12-02T10:00:00Z, or ms since the epoch) or -DURATION (that long ago: -90s, -5m, -2h, -1d), got "latest"\n',
    );
  });
});
