import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import { open } from 'lmdb';
import { ClosedError, IncompatibleFormatError, InvalidArgumentError, LockedError, LogDb, StorageError, type LogError } from '../../../src/index.js';
import { rewriteAsLegacyKeyRecords, tableNamesOf } from '../../support/LegacyKeyRecords.js';
import { collect, expectLogError, type LogErrorClass, LogFixture, recordsOf, settle, sleep, tuples } from '../../support/LogFixture.js';

describe('LogDb close', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('drains queued appends on close: every append made before close resolves and is stored', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    const appends = Array.from({ length: 50 }, (_, i) => log.append(recordsOf(`k${i % 3}`, [`v${i}`, `w${i}`])));
    const closing = log.close();
    const outs = await Promise.all(appends);
    await closing;
    expect(outs.map((o) => o.startSequence)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 2 * i));
    const reopened = await fixture.open({ path: dir });
    expect(reopened.committedSequence).to.equal(100);
    expect(await reopened.count('k0')).to.equal(34);
  });

  it('rejects appends still waiting for queue room when the log closes, with ClosedError', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const admitted = settle(log.append(recordsOf('k', ['a'])));
    const waiting = settle(log.append(recordsOf('k', ['b']), { timeoutMs: 60_000 }));
    await log.close();
    expect((await admitted).ok).to.equal(true);
    const outcome = await waiting;
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) expect(outcome.error).to.be.instanceOf(ClosedError);
  });

  it('resolves a second close()', async () => {
    const log = await fixture.open();
    await log.close();
    await log.close();
    expect(log.isClosed).to.equal(true);
  });

  it('fails reading scan and scanGlobal iterators made before close with ClosedError', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('k', ['a', 'b']));
    const scan = log.scan('k');
    const global = log.scanGlobal({ prefix: 'k' });
    await log.close();
    await expectClosed(() => collect(scan), ClosedError);
    await expectClosed(() => collect(global), ClosedError);
  });

  it('fails reading a listKeys iterable made before close with ClosedError', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('k', ['a']));
    const keys = log.listKeys();
    await log.close();
    await expectClosed(() => collect(keys), ClosedError);
  });

  describe('after close', () => {
    let log: LogDb;
    beforeEach(async () => {
      log = await fixture.open();
      await log.append(recordsOf('k', ['a']));
      await log.cursors.commit('c', 0, { keys: [Buffer.from('k')] });
      await log.close();
    });

    const calls: [string, (log: LogDb) => unknown][] = [
      ['append', (l) => l.append(recordsOf('k', ['b']))],
      ['scan', (l) => l.scan('k')],
      ['scanGlobal', (l) => l.scanGlobal({ prefix: 'k' })],
      ['count', (l) => l.count('k')],
      ['listSegments', (l) => l.listSegments()],
      ['listKeys', (l) => l.listKeys()],
      ['seal', (l) => l.seal()],
      ['flush', (l) => l.flush()],
      ['runRetention', (l) => l.runRetention()],
      ['stats', (l) => l.stats()],
      ['cursors.commit', (l) => l.cursors.commit('c', 1, { keys: [Buffer.from('k')] })],
      ['cursors.get', (l) => l.cursors.get('c')],
      ['cursors.list', (l) => [...l.cursors.list()]],
    ];
    for (const [name, call] of calls) {
      it(`fails ${name} with ClosedError (CLOSED)`, () => expectClosed(() => call(log), ClosedError));
    }

    it('fails cursors.delete with ClosedError (CLOSED)', async () => {
      const outcome = await settle(Promise.resolve().then(() => log.cursors.delete('c')));
      await sleep(50); // a failure deferred to a later tick would surface here
      expect(outcome.ok).to.equal(false);
      if (!outcome.ok) expect(outcome.error).to.be.instanceOf(ClosedError);
    });

    it('fails whenDurable for a sequence not yet durable with ClosedError instead of never settling', async () => {
      const outcome = await Promise.race([settle(Promise.resolve().then(() => log.whenDurable(1_000))), sleep(1000).then(() => 'still pending' as const)]);
      expect(outcome).to.not.equal('still pending');
      if (outcome !== 'still pending') {
        expect(outcome.ok).to.equal(false);
        if (!outcome.ok) expect(outcome.error).to.be.instanceOf(ClosedError);
      }
    });
  });
});

async function expectClosed<E extends LogError>(action: () => unknown, type: LogErrorClass<E>): Promise<void> {
  await expectLogError(action, type, 'CLOSED');
}

describe('LogDb reopen and data directory', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('keeps every entry, key, segment and count across close and reopen', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    await log.append([{ key: 'a', value: '1' }, { key: Buffer.from([0, 0xff]), value: Buffer.from([1, 2, 3]) }]);
    await log.seal();
    await log.append(recordsOf('a', ['2', '3']));
    const before = {
      entries: tuples(await collect(log.scanGlobal({ keys: ['a', Buffer.from([0, 0xff])] }))),
      keys: (await collect(log.listKeys())).map((k) => k.toString('hex')),
      segments: await log.listSegments(),
      count: await log.count('a', { start: 1 }),
    };
    await log.close();
    const reopened = await fixture.open({ path: dir });
    expect(tuples(await collect(reopened.scanGlobal({ keys: ['a', Buffer.from([0, 0xff])] })))).to.deep.equal(before.entries);
    expect((await collect(reopened.listKeys())).map((k) => k.toString('hex'))).to.deep.equal(before.keys);
    expect(await reopened.listSegments()).to.deep.equal(before.segments);
    expect(await reopened.count('a', { start: 1 })).to.equal(before.count);
    expect(reopened.committedSequence).to.equal(4);
    expect(reopened.durableSequence).to.equal(4);
  });

  it('refuses to open a directory this process already has open, with LockedError (LOCKED)', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    await expectLogError(() => LogDb.open({ path: dir }), LockedError, 'LOCKED');
    // The holder is unaffected.
    expect((await log.append(recordsOf('k', ['a']))).startSequence).to.equal(0);
  });

  it('refuses to open a directory this process already has open under another spelling of its path, with LockedError', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    const sameDir = relative(process.cwd(), dir);
    expect(resolve(sameDir)).to.equal(resolve(dir));
    await expectLogError(() => fixture.open({ path: sameDir }), LockedError, 'LOCKED');
    expect((await log.append(recordsOf('k', ['a']))).startSequence).to.equal(0);
  });

  it('opens the directory again once its holder closed it', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    await log.close();
    const again = await fixture.open({ path: dir });
    expect(again.isClosed).to.equal(false);
  });

  it('refuses a directory locked by another live process, with LockedError', async () => {
    const dir = fixture.dir();
    writeFileSync(join(dir, 'odlog.lock'), `${process.ppid}\n`);
    await expectLogError(() => LogDb.open({ path: dir }), LockedError, 'LOCKED');
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = fixture.dir();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(join(dir, 'odlog.lock'), `${pid}\n`);
    const log = await fixture.open({ path: dir });
    expect((await log.append(recordsOf('k', ['a']))).startSequence).to.equal(0);
  });

  it('refuses a path that is a file with StorageError (STORAGE)', async () => {
    const file = join(fixture.dir(), 'not-a-directory');
    writeFileSync(file, 'x');
    await expectLogError(() => LogDb.open({ path: file }), StorageError, 'STORAGE');
  });

  it('refuses a directory whose format record names another version, with IncompatibleFormatError', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    await log.append(recordsOf('k', ['a']));
    await log.close();
    const env = open({ path: join(dir, 'log.mdb'), noSubdir: true, maxDbs: 16 });
    const meta = env.openDB<Buffer, Buffer>({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' });
    await meta.put(Buffer.from('format'), Buffer.from(JSON.stringify({ magic: 'odlog', version: 99 })));
    await env.close();
    const error = await expectLogError(() => LogDb.open({ path: dir }), IncompatibleFormatError, 'INCOMPATIBLE_FORMAT');
    expect(error.message).to.contain('99');
    // The refusal leaves no lock behind: a second attempt is refused for the same reason.
    await expectLogError(() => LogDb.open({ path: dir }), IncompatibleFormatError, 'INCOMPATIBLE_FORMAT');
  });

  for (const version of [4, 5] as const) {
    it(`migrates a directory of storage format ${version}: key records move into groups of sixteen, everything reads back, offsets continue, and format 6 is recorded`, async () => {
      const dir = fixture.dir();
      const log = await fixture.open({ path: dir });
      // 40 keys span three groups of key states; k7 is trimmed and k9 deleted, so their states differ.
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      await log.append(keys.map((key) => ({ key, value: 'a' })));
      await log.append([...recordsOf('k3', ['b', 'c']), ...recordsOf('k7', ['b', 'c'])]);
      const trimmedBelow = (await log.append(recordsOf('k7', ['d']))).startSequence;
      await log.trim('k7', { before: trimmedBelow });
      await log.deleteKey('k9');
      await log.flush();
      await log.close();
      await rewriteAsLegacyKeyRecords(dir, version);
      expect(await tableNamesOf(dir)).to.include('keys').and.not.include('key-states');

      const reopened = await fixture.open({ path: dir });
      const offsets = async (key: string): Promise<[number, string][]> => (await collect(reopened.scan(key))).map((e) => [e.offset, e.value.toString()]);
      expect(await offsets('k3')).to.deep.equal([[0, 'a'], [1, 'b'], [2, 'c']]);
      expect(await offsets('k7')).to.deep.equal([[3, 'd']]);
      expect(await offsets('k9')).to.deep.equal([]);
      expect(await offsets('k39')).to.deep.equal([[0, 'a']]);
      expect(await reopened.count('k3')).to.equal(3);
      expect((await collect(reopened.listKeys())).map(String)).to.deep.equal(keys.filter((k) => k !== 'k9').sort());
      expect(tuples(await collect(reopened.scanGlobal({ keys: ['k3', 'k39'] }))).map(([, key, value]) => [Buffer.from(key, 'hex').toString(), value])).to.deep.equal([
        ['k3', 'a'],
        ['k39', 'a'],
        ['k3', 'b'],
        ['k3', 'c'],
      ]);
      expect((await reopened.append(recordsOf('k3', ['d']))).offset).to.equal(3);
      expect((await reopened.append(recordsOf('k9', ['x']))).offset).to.equal(0);
      expect((await reopened.append(recordsOf('k40', ['new']))).offset).to.equal(0);
      await reopened.flush();
      await reopened.close();

      const again = await fixture.open({ path: dir });
      expect(await collect(again.scan('k3'))).to.have.length(4);
      expect((await collect(again.scan('k9'))).map((e) => [e.offset, e.value.toString()])).to.deep.equal([[0, 'x']]);
      expect((await collect(again.scan('k40'))).map((e) => e.value.toString())).to.deep.equal(['new']);
      await again.close();
      expect(await tableNamesOf(dir)).to.include.members(['key-states', 'key-names']).and.not.include('keys');
      const after = open({ path: join(dir, 'log.mdb'), noSubdir: true, maxDbs: 16, readOnly: true });
      const format = after.openDB<Buffer, Buffer>({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' }).getBinary(Buffer.from('format'));
      await after.close();
      expect(JSON.parse(String(format))).to.deep.equal({ magic: 'odlog', version: 6 });
    });
  }

  it('opens a directory left by a crash between creating its tables and writing its format record', async () => {
    const dir = fixture.dir();
    const env = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, maxDbs: 16, keyEncoding: 'binary', encoding: 'binary' });
    for (const name of ['streams', 'gens', 'chunks', 'key-states', 'key-names', 'key-ids', 'meta']) env.openDB({ name, keyEncoding: 'binary', encoding: 'binary' });
    await env.close();
    const log = await fixture.open({ path: dir });
    expect((await log.append(recordsOf('k', ['a']))).startSequence).to.equal(0);
  });

  it('refuses a directory holding a foreign LMDB file, with IncompatibleFormatError', async () => {
    const dir = fixture.dir();
    const env = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, keyEncoding: 'binary', encoding: 'binary' });
    for (let i = 0; i < 10; i++) await env.put(randomBytes(12), randomBytes(30));
    await env.close();
    await expectLogError(() => LogDb.open({ path: dir }), IncompatibleFormatError, 'INCOMPATIBLE_FORMAT');
  });
});

describe('LogDb cursors', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('commits a named cursor and gets it back', async () => {
    const log = await fixture.open();
    const committed = await log.cursors.commit('billing', 42, { keys: [Buffer.from('orders'), Buffer.from([0, 0xff])] });
    expect(committed).to.include({ name: 'billing', sequence: 42 });
    const got = log.cursors.get('billing');
    expect(got?.sequence).to.equal(42);
    expect(got?.name).to.equal('billing');
    expect(got !== undefined && 'keys' in got.follows ? got.follows.keys.map((k) => k.toString('hex')) : []).to.deep.equal([
      Buffer.from('orders').toString('hex'),
      '00ff',
    ]);
  });

  it('replaces a cursor on a later commit of the same name', async () => {
    const log = await fixture.open();
    await log.cursors.commit('c', 1, { prefix: Buffer.from('p:') });
    await log.cursors.commit('c', 9, { prefix: Buffer.from('p:') });
    expect(log.cursors.get('c')?.sequence).to.equal(9);
    expect([...log.cursors.list()]).to.have.length(1);
  });

  it('lists every cursor', async () => {
    const log = await fixture.open();
    await log.cursors.commit('b', 2, { keys: [Buffer.from('x')] });
    await log.cursors.commit('a', 1, { prefix: Buffer.from('y') });
    expect([...log.cursors.list()].map((c) => [c.name, c.sequence]).sort()).to.deep.equal([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('deletes a cursor', async () => {
    const log = await fixture.open();
    await log.cursors.commit('gone', 5, { keys: [Buffer.from('x')] });
    await log.cursors.commit('kept', 6, { keys: [Buffer.from('x')] });
    expect(await log.cursors.delete('gone')).to.equal(true);
    expect(log.cursors.get('gone')).to.equal(undefined);
    expect([...log.cursors.list()].map((c) => c.name)).to.deep.equal(['kept']);
  });

  it('keeps cursors, with their selectors, across close and reopen', async () => {
    const dir = fixture.dir();
    const log = await fixture.open({ path: dir });
    await log.cursors.commit('by-prefix', 7, { prefix: Buffer.from([0x70, 0x00]) });
    await log.cursors.commit('by-keys', 8, { keys: [Buffer.from('a'), Buffer.from('b')] });
    await log.cursors.commit('deleted', 9, { keys: [Buffer.from('a')] });
    await log.cursors.delete('deleted');
    await log.close();
    const reopened = await fixture.open({ path: dir });
    const byPrefix = reopened.cursors.get('by-prefix');
    expect(byPrefix?.sequence).to.equal(7);
    expect(byPrefix !== undefined && 'prefix' in byPrefix.follows ? byPrefix.follows.prefix.toString('hex') : '').to.equal('7000');
    const byKeys = reopened.cursors.get('by-keys');
    expect(byKeys?.sequence).to.equal(8);
    expect(byKeys !== undefined && 'keys' in byKeys.follows ? byKeys.follows.keys.map((k) => k.toString()) : []).to.deep.equal(['a', 'b']);
    expect(reopened.cursors.get('deleted')).to.equal(undefined);
  });

  it('refuses a new cursor beyond cursorsMax with InvalidArgumentError, but still updates existing ones', async () => {
    const log = await fixture.open({ cursorsMax: 2 });
    await log.cursors.commit('a', 1, { keys: [Buffer.from('x')] });
    await log.cursors.commit('b', 1, { keys: [Buffer.from('x')] });
    await expectLogError(() => log.cursors.commit('c', 1, { keys: [Buffer.from('x')] }), InvalidArgumentError, 'INVALID_ARGUMENT');
    expect((await log.cursors.commit('a', 2, { keys: [Buffer.from('x')] })).sequence).to.equal(2);
    expect(log.cursors.get('c')).to.equal(undefined);
  });

  it('rejects an empty cursor name and a negative or fractional sequence with InvalidArgumentError', async () => {
    const log = await fixture.open();
    await expectLogError(() => log.cursors.commit('', 1, { keys: [] }), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.cursors.commit('c', -1, { keys: [] }), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.cursors.commit('c', 1.5, { keys: [] }), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => log.cursors.commit('x'.repeat(257), 1, { keys: [] }), InvalidArgumentError, 'INVALID_ARGUMENT');
    expect([...log.cursors.list()]).to.deep.equal([]);
  });
});
