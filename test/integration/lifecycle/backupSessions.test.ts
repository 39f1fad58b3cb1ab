import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BackupSessions, backupTmpDir } from '../../../src/broker/backup/BackupSessions.js';
import { BrokerError } from '../../../src/broker/BrokerError.js';
import { Logger } from '../../../src/broker/Logger.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { LogDb } from '../../../src/storage/index.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { TempDirs } from '../../support/TempDirs.js';

/** Poll `condition` until it holds; fail with `what` at the deadline. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('lifecycle: BackupSessions (the broker’s backup copies) on a real log', function () {
  this.timeout(30_000);
  const dirs = new TempDirs();
  let log: LogDb;
  let tmp: string;
  const owner = {};
  const quiet = new Logger('error', () => undefined);

  beforeEach(async () => {
    const dataDir = dirs.make('odlog-sessions');
    log = await LogDb.open({ path: dataDir });
    await log.append([{ key: 'k', value: 'v1' }, { key: 'k', value: 'v2' }]);
    tmp = backupTmpDir(dataDir);
  });
  afterEach(async () => {
    await log.close();
    dirs.cleanup();
  });

  it('deletes a copy not read for idleTimeoutMs; reading it then is NOT_FOUND', async () => {
    const sessions = new BackupSessions(log, tmp, { backupsMax: 2, idleTimeoutMs: 200 }, quiet);
    const copy = await sessions.begin(owner);
    expect(readdirSync(tmp)).to.deep.equal([String(copy.backupId)]);
    expect(copy.sequence).to.equal(2);
    await eventually(() => sessions.size === 0 && readdirSync(tmp).length === 0, 'the idle copy being deleted');
    const error = await rejectionOf(sessions.read(owner, copy.backupId, 0, 16));
    expect(error).to.be.instanceOf(BrokerError);
    expect((error as BrokerError).code).to.equal(ErrorCode.NotFound);
  });

  it('each read restarts the idle deadline', async () => {
    const sessions = new BackupSessions(log, tmp, { backupsMax: 2, idleTimeoutMs: 1000 }, quiet);
    const copy = await sessions.begin(owner);
    const until = Date.now() + 2500;
    let offset = 0;
    while (Date.now() < until) {
      offset = (offset + 1) % copy.bytes;
      expect((await sessions.read(owner, copy.backupId, offset, 1)).length).to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sessions.size).to.equal(1);
    await sessions.end(owner, copy.backupId);
    expect(existsSync(join(tmp, String(copy.backupId)))).to.equal(false);
  });

  it('refuses an offset below 0 with INVALID_REQUEST', async () => {
    const sessions = new BackupSessions(log, tmp, { backupsMax: 1, idleTimeoutMs: 60_000 }, quiet);
    const copy = await sessions.begin(owner);
    const error = await rejectionOf(sessions.read(owner, copy.backupId, -1, 16));
    expect((error as BrokerError).code).to.equal(ErrorCode.InvalidRequest);
    await sessions.closeAll();
    expect(readdirSync(tmp)).to.deep.equal([]);
  });
});
