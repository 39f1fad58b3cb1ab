import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ForbiddenError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { BackupBegin, BackupEnd, BackupRead } from '../../../src/protocol/messages/backup.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { RawErrorResponse, type RawConnection } from '../../support/RawConnection.js';

/** What is in a broker's backup-tmp directory (nothing when it does not exist). */
function copiesIn(broker: BrokerProcess): string[] {
  const dir = join(broker.dataDir, 'backup-tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Poll `condition` until it holds; fail with `what` at the deadline. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function codeOf(promise: Promise<unknown>): Promise<number> {
  const error = await rejectionOf(promise);
  expect(error, String(error)).to.be.instanceOf(RawErrorResponse);
  return (error as RawErrorResponse).body.code;
}

describe('lifecycle: streamed backup over the native protocol (BackupBegin, BackupRead, BackupEnd)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const tokens = { writer: 'backup-writer-6e1d', admin: 'backup-admin-0b9c' };
  let broker: BrokerProcess;
  let admin: OdlogClient;

  before(async () => {
    broker = await fixture.startWithConfig({ tokens: [{ name: 'writer', token: tokens.writer }, { name: 'admin', token: tokens.admin, admin: true }] });
    admin = await fixture.client(broker.address, { token: tokens.admin }, 'file');
    await admin.append(Array.from({ length: 200 }, (_, i) => ({ key: `bk/${i % 7}`, value: `value-${i}`.repeat(20) })));
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  async function adminRaw(): Promise<RawConnection> {
    const conn = await fixture.raw(broker);
    await conn.request(Hello, { protocolVersion: 1, clientId: 'backup-raw', authToken: tokens.admin });
    return conn;
  }

  it('client.backup writes the copy as <dir>/log.mdb with the reported size, and the broker deletes its copy afterwards', async () => {
    const dir = join(fixture.dir('odlog-backup'), 'copy');
    const { bytes, sequence } = await admin.backup(dir);
    expect(readdirSync(dir)).to.deep.equal(['log.mdb']);
    expect(statSync(join(dir, 'log.mdb')).size).to.equal(bytes);
    expect(sequence).to.be.at.least(200);
    await eventually(() => copiesIn(broker).length === 0, 'the broker deleting its copy');
  });

  it('refuses a backup to a token that is not admin (FORBIDDEN) and makes no copy', async () => {
    const writer = await fixture.client(broker.address, { token: tokens.writer });
    const dir = join(fixture.dir('odlog-backup'), 'refused');
    const error = await rejectionOf(writer.backup(dir));
    expect(error).to.be.instanceOf(ForbiddenError);
    expect(error.message).to.match(/BackupBegin needs an admin token/);
    expect(readdirSync(dir)).to.deep.equal([]);
    expect(copiesIn(broker)).to.deep.equal([]);
  });

  it('a copy is read by its own connection only (NOT_FOUND elsewhere), goes at BackupEnd, and at most backupsMax (2) exist', async () => {
    const one = await adminRaw();
    const two = await adminRaw();
    const three = await adminRaw();
    const copy = await one.request(BackupBegin, {});
    expect(copy.fileName).to.equal('log.mdb');
    const head = await one.request(BackupRead, { backupId: copy.backupId, offset: 0, maxBytes: 16 });
    expect(head.chunk.length).to.equal(16);
    // Past the end: an empty chunk, not an error.
    expect((await one.request(BackupRead, { backupId: copy.backupId, offset: copy.bytes, maxBytes: 16 })).chunk.length).to.equal(0);
    expect(await codeOf(two.request(BackupRead, { backupId: copy.backupId, offset: 0, maxBytes: 16 }))).to.equal(ErrorCode.NotFound);
    expect(await codeOf(two.request(BackupEnd, { backupId: copy.backupId }))).to.equal(ErrorCode.NotFound);
    const second = await two.request(BackupBegin, {});
    expect(copiesIn(broker).sort()).to.deep.equal([String(copy.backupId), String(second.backupId)].sort());
    expect(await codeOf(three.request(BackupBegin, {}))).to.equal(ErrorCode.LimitExceeded);
    await one.request(BackupEnd, { backupId: copy.backupId });
    expect(copiesIn(broker)).to.deep.equal([String(second.backupId)]);
    expect(await codeOf(one.request(BackupRead, { backupId: copy.backupId, offset: 0, maxBytes: 16 }))).to.equal(ErrorCode.NotFound);
    // A slot is free again.
    const third = await three.request(BackupBegin, {});
    await two.request(BackupEnd, { backupId: second.backupId });
    await three.request(BackupEnd, { backupId: third.backupId });
    expect(copiesIn(broker)).to.deep.equal([]);
  });

  it('leaves no copy in backup-tmp once the client connection is dropped mid-backup', async () => {
    const conn = await adminRaw();
    const copy = await conn.request(BackupBegin, {});
    await conn.request(BackupRead, { backupId: copy.backupId, offset: 0, maxBytes: 1024 });
    expect(copiesIn(broker)).to.deep.equal([String(copy.backupId)]);
    conn.destroy();
    await eventually(() => copiesIn(broker).length === 0, 'the copy of the dropped connection being deleted');
  });

  it('leaves no copy once a connection drops while its copy is still being written', async () => {
    const conn = await adminRaw();
    await conn.send(BackupBegin, {});
    conn.destroy();
    await eventually(() => copiesIn(broker).length === 0, 'the copy begun by the dropped connection being deleted');
    // Both slots are free: two backups can be taken.
    const [a, b] = [await adminRaw(), await adminRaw()];
    const copies = [await a.request(BackupBegin, {}), await b.request(BackupBegin, {})];
    await a.request(BackupEnd, { backupId: copies[0].backupId });
    await b.request(BackupEnd, { backupId: copies[1].backupId });
  });

  it('a broker start removes the copies a killed broker left in backup-tmp', async () => {
    const conn = await adminRaw();
    const copy = await conn.request(BackupBegin, {});
    // And something no broker of today would leave, to show the whole directory is cleared.
    mkdirSync(join(broker.dataDir, 'backup-tmp', '999'), { recursive: true });
    writeFileSync(join(broker.dataDir, 'backup-tmp', '999', 'log.mdb'), 'left over');
    await broker.kill();
    expect(copiesIn(broker).sort()).to.deep.equal([String(copy.backupId), '999'].sort());
    await broker.restart();
    expect(copiesIn(broker)).to.deep.equal([]);
    expect(await admin.count('bk/0')).to.be.greaterThan(0);
  });
});
