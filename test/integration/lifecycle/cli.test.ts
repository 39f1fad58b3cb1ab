import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { lines, runCli, type CliRun } from '../../support/Cli.js';

function ok(run: CliRun): CliRun {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

/** A failed run: its status, nothing on stdout, and one line on stderr (returned). */
function failed(run: CliRun, code: number): string {
  expect(run.code, `exit status; stdout: ${run.stdout} stderr: ${run.stderr}`).to.equal(code);
  expect(run.stdout).to.equal('');
  expect(lines(run.stderr), run.stderr).to.have.length(1);
  return run.stderr;
}

describe('lifecycle: odlog trim, odlog delete and odlog backup', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const tokens = { writer: 'cli-life-writer-2f4a', admin: 'cli-life-admin-9c1b' };
  let broker: BrokerProcess;
  let admin: OdlogClient;
  const odlog = (args: string[], token = tokens.admin): Promise<CliRun> => runCli([...args, '--broker', broker.address, '--token', token]);

  before(async () => {
    broker = await fixture.startWithConfig({ tokens: [{ name: 'writer', token: tokens.writer, append: ['w:'] }, { name: 'admin', token: tokens.admin, admin: true }] });
    admin = await fixture.client(broker.address, { token: tokens.admin }, 'file');
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('odlog trim KEY --before SEQ removes the records below SEQ and says how many', async () => {
    const first = (await admin.append(['a', 'b', 'c', 'd'].map((value) => ({ key: 'w:cli-trim', value })))).startSequence;
    expect(ok(await odlog(['trim', 'w:cli-trim', '--before', String(first + 3)], tokens.writer)).stdout).to.equal(`removed 3 records of w:cli-trim below sequence ${first + 3}\n`);
    expect((await admin.scan('w:cli-trim')).entries.map((e) => e.value.toString())).to.deep.equal(['d']);
    expect(failed(await odlog(['trim', 'w:cli-trim']), 64)).to.equal('odlog: usage: odlog trim KEY --before SEQ\n');
  });

  it('odlog delete KEY deletes the key and says how many records went', async () => {
    await admin.append(['a', 'b'].map((value) => ({ key: 'w:cli-delete', value })));
    expect(ok(await odlog(['delete', 'w:cli-delete'], tokens.writer)).stdout).to.equal('deleted w:cli-delete: 2 records removed\n');
    expect(await admin.count('w:cli-delete')).to.equal(0);
    expect((await admin.listKeys({ prefix: 'w:cli-delete' })).keys).to.deep.equal([]);
  });

  it('trim and delete without append permission on the key fail with status 1 and one line, and remove nothing', async () => {
    await admin.append([{ key: 'other:kept', value: 'x' }]);
    expect(failed(await odlog(['delete', 'other:kept'], tokens.writer), 1)).to.match(/^odlog: this token may not append to key "other:kept", which DeleteKey needs\n$/);
    expect(failed(await odlog(['trim', 'other:kept', '--before', '1000000'], tokens.writer), 1)).to.match(/may not append to key "other:kept", which Trim needs/);
    expect(await admin.count('other:kept')).to.equal(1);
  });

  it('odlog backup refuses a non-empty DIR with status 73 and one line, before asking the broker for anything', async () => {
    const dir = fixture.dir('odlog-backup');
    writeFileSync(join(dir, 'something'), 'x');
    expect(failed(await odlog(['backup', dir]), 73)).to.equal(`odlog: backup directory ${dir} is not empty (1 entry); give a new or empty directory\n`);
    expect(readdirSync(dir)).to.deep.equal(['something']);
  });

  it('odlog backup as a token that is not admin fails with status 1 and one line, and writes nothing', async () => {
    const dir = join(fixture.dir('odlog-backup'), 'copy');
    expect(failed(await odlog(['backup', dir], tokens.writer), 1)).to.equal('odlog: BackupBegin needs an admin token\n');
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('odlog backup DIR prints the bytes and the last sequence, and serve --data-dir DIR serves the copy', async () => {
    await admin.append([{ key: 'w:cli-backup', value: 'kept' }]);
    const dir = join(fixture.dir('odlog-backup'), 'copy');
    mkdirSync(dir); // an empty directory is fine too
    const text = ok(await odlog(['backup', dir])).stdout;
    const m = /^backed up (\d+) bytes into (.+): every record up to sequence (\d+)\n$/.exec(text);
    expect(m, text).to.not.equal(null);
    expect(m?.[2]).to.equal(dir);
    const last = Number(m?.[3]);
    expect(readdirSync(dir)).to.deep.equal(['log.mdb']);
    const restored = await fixture.start([], { dataDir: dir });
    const client = await fixture.client(restored.address);
    const entries = (await client.scan('w:cli-backup')).entries;
    expect(entries.map((e) => e.value.toString())).to.deep.equal(['kept']);
    expect(entries[0].sequence).to.equal(last);
  });
});
