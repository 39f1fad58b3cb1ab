import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

describe('cli: odlog cursors (list, describe, reset, delete)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  const odlog = (args: string[]): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address]);
  let first: number;

  before(async () => {
    first = (await shared.client.append([{ key: 'cur/a', value: '1' }, { key: 'cur/b', value: '2' }, { key: 'cur/a', value: '3' }, { key: 'cur/c', value: '4' }])).startSequence;
    await shared.client.commitCursor('cli-keys', first + 1, { keys: ['cur/a', 'cur/b'] });
    await shared.client.commitCursor('cli-prefix', first, { prefix: 'cur/' });
  });

  it('lists the cursors as a table (kind, name, position, lag, follows, updated) and as JSON lines', async () => {
    const table = lines(ok(await odlog(['cursors'])).stdout).map((l) => l.split('\t'));
    expect(table[0]).to.deep.equal(['kind', 'name', 'position', 'lag', 'follows', 'updated']);
    const rows = table.slice(1).filter((r) => r[1].startsWith('cli-'));
    expect(rows.map((r) => r.slice(0, 5))).to.deep.equal([
      ['cursor', 'cli-keys', String(first + 1), '2', 'keys cur/a,cur/b'],
      ['cursor', 'cli-prefix', String(first), '4', 'prefix cur/'],
    ]);
    expect(Number.isNaN(Date.parse(rows[0][5]))).to.equal(false);
    const json = lines(ok(await odlog(['cursors', 'list', '--prefix', 'cli-k', '--format', 'json'])).stdout).map((l) => JSON.parse(l) as { name: string; position: number; lag: number; lagIsLowerBound: boolean });
    expect(json.map((c) => [c.name, c.position, c.lag, c.lagIsLowerBound])).to.deep.equal([['cli-keys', first + 1, 2, false]]);
  });

  it('describes a cursor: position, lag, what it follows, when it moved, and each key\'s lag', async () => {
    const out = lines(ok(await odlog(['cursors', 'describe', 'cli-keys'])).stdout);
    expect(out.slice(0, 4)).to.deep.equal(['name      cli-keys', `position  ${first + 1}`, 'lag       2 records', 'follows   keys cur/a,cur/b']);
    expect(out[4]).to.match(/^updated   \d{4}-\d{2}-\d{2}T/);
    expect(out.slice(6)).to.deep.equal(['key\tlag', 'cur/a\t1', 'cur/b\t1']);
    const prefix = JSON.parse(ok(await odlog(['cursors', 'describe', 'cli-prefix', '--format', 'json'])).stdout) as { lag: number; keys: { key: string; lag: number }[] };
    expect(prefix.lag).to.equal(4);
    expect(prefix.keys).to.deep.equal([{ key: 'cur/a', lag: 2 }, { key: 'cur/b', lag: 1 }, { key: 'cur/c', lag: 1 }]);
  });

  it('resets a cursor (--to earliest, a sequence, a time) and says where it moved from and to', async () => {
    await shared.client.commitCursor('cli-reset', first + 3, { keys: ['cur/a'] });
    expect(ok(await odlog(['cursors', 'reset', 'cli-reset', '--to', 'earliest'])).stdout).to.equal(`cursor cli-reset moved from ${first + 3} to 0\n`);
    expect(ok(await odlog(['cursors', 'reset', 'cli-reset', '--to', String(first + 2)])).stdout).to.equal(`cursor cli-reset moved from 0 to ${first + 2}\n`);
    // Everything was appended within the last day: a day ago is before the first record of the log.
    expect(ok(await odlog(['cursors', 'reset', 'cli-reset', '--to', '-1d'])).stdout).to.equal(`cursor cli-reset moved from ${first + 2} to 0\n`);
    expect((await shared.client.getCursor('cli-reset'))?.sequence).to.equal(0);
  });

  it('deletes a cursor; describing, resetting or deleting it then fails with status 1 and one line', async () => {
    await shared.client.commitCursor('cli-delete', 1, { keys: ['cur/a'] });
    expect(ok(await odlog(['cursors', 'delete', 'cli-delete'])).stdout).to.equal('deleted cursor cli-delete\n');
    for (const args of [['describe', 'cli-delete'], ['reset', 'cli-delete', '--to', 'latest'], ['delete', 'cli-delete']]) {
      const run = await odlog(['cursors', ...args]);
      expect(run.code, args.join(' ')).to.equal(1);
      expect(lines(run.stderr), args.join(' ')).to.have.length(1);
      expect(run.stderr).to.contain('no cursor named "cli-delete"');
    }
  });

  it('refuses usage mistakes with status 64: an unknown subcommand, a missing NAME or --to, --to -N', async () => {
    for (const args of [['rename', 'x'], ['describe'], ['reset', 'cli-keys'], ['reset', 'cli-keys', '--to', '-5'], ['delete', 'a', 'b']]) {
      const run = await odlog(['cursors', ...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(64);
    }
    expect(ok(await runCli(['cursors', '--help'])).stdout).to.contain('odlog cursors reset NAME --to');
    expect(ok(await runCli(['cursors', 'reset', '--help'])).stdout).to.contain('--to WHERE');
  });
});
