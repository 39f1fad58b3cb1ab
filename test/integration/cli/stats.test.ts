import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, runCli } from '../../support/Cli.js';
import { exitOf, startOdlog } from '../../support/OdlogRun.js';

describe('cli: stats', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();

  it('prints readable names with units: rates, sizes in MiB, counts with separators, cursor lag', async () => {
    await shared.client.append(Array.from({ length: 1500 }, (_, i) => ({ key: 'stats/k', value: 'x'.repeat(100 + (i % 3)) })));
    await shared.client.commitCursor('stats-cursor', 0, { keys: ['stats/k'] });
    const run = await runCli(['stats', '--broker', shared.broker.address]);
    expect(run.code, run.stderr).to.equal(0);
    const byName = new Map(lines(run.stdout).map((l) => /^(.+?) {2,}(.*)$/.exec(l)?.slice(1, 3) as [string, string]));
    expect(byName.get('broker')).to.match(/^odlog \d+\.\d+\.\d+, up \d+ (s|min \d+ s)$/);
    expect(byName.get('append rate')).to.match(/^[\d,]+ records\/s \(last 10 s\)$/);
    expect(byName.get('appended')).to.match(/^1,500 records, 15\d KiB since start$/);
    expect(byName.get('stored')).to.match(/^1,500 records, 15\d KiB in 1 segment$/);
    expect(byName.get('data file')).to.match(/^\d+(\.\d)? (KiB|MiB)$/);
    expect(byName.get('memory (RSS)')).to.match(/^\d+(\.\d)? MiB$/);
    expect(byName.get('write queue')).to.match(/^0 batches, 0 B; 0 commits in flight$/);
    expect(byName.get('cursor stats-cursor')).to.equal('at sequence 0, 1,500 records behind');
  });

  it('--watch prints a row per second until Ctrl-C, with a header, like redis-cli --stat', async () => {
    const watch = startOdlog(['stats', '--watch', '--broker', shared.broker.address]);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (lines(out).length >= 3) resolve();
      });
      watch.once('exit', (code) => reject(new Error(`stats --watch exited (${code}): ${out}`)));
    });
    watch.kill('SIGINT');
    expect(await exitOf(watch)).to.deep.equal({ code: 0, signal: null });
    const [header, ...rows] = lines(out);
    expect(header.trim().split(/\s{2,}|\s(?=[a-zA-Z])/).filter(Boolean)).to.include.members(['time', 'conns', 'subs', 'append/s', 'deliver/s', 'records']);
    expect(rows.length).to.be.at.least(2);
    for (const row of rows) expect(row).to.match(/^\d\d:\d\d:\d\d\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+\S+ (B|KiB|MiB)\s+\S+ (B|KiB|MiB)\s+\S+ MiB( {2}lag .*)?$/);
  });

  it('--watch --format json prints one Stats object per line', async () => {
    const watch = startOdlog(['stats', '--watch', '--format', 'json', '--broker', shared.broker.address]);
    let out = '';
    await new Promise<void>((resolve) => {
      watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (lines(out).length >= 2) resolve();
      });
    });
    watch.kill('SIGTERM');
    expect((await exitOf(watch)).code).to.equal(0);
    const [first, second] = lines(out).map((l) => JSON.parse(l) as { atMs: number; storedRecords: number });
    expect(second.atMs).to.be.greaterThan(first.atMs);
    expect(first.storedRecords).to.be.a('number');
  });
});
