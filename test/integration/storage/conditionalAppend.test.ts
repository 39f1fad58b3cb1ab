import { expect } from 'chai';
import { ConflictError } from '../../../src/index.js';
import { collect, expectLogError, LogFixture, recordsOf, settle } from '../../support/LogFixture.js';

describe('LogDb append: conditional (expect)', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('appends when a key without entries is expected to have lastSequence null', async () => {
    const log = await fixture.open();
    await log.append([{ key: 'other', value: 'x' }]);
    const out = await log.append([{ key: 'acct', value: 'opened' }], { expect: [{ key: 'acct', lastSequence: null }] });
    expect(out).to.deep.include({ startSequence: 1, count: 1, offset: 0 });
    expect((await collect(log.scan('acct'))).map((e) => e.value.toString())).to.deep.equal(['opened']);
  });

  it('appends when the key\'s last sequence equals the expected one', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('acct', ['a', 'b']));
    await log.append([{ key: 'other', value: 'x' }]);
    const out = await log.append([{ key: 'acct', value: 'c' }], { expect: [{ key: 'acct', lastSequence: 1 }] });
    expect(out.startSequence).to.equal(3);
    expect(await log.count('acct')).to.equal(3);
  });

  it('fails with ConflictError carrying the actual last sequence when it differs, and writes nothing', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('acct', ['a', 'b']));
    const error = await expectLogError(
      () => log.append([{ key: 'acct', value: 'c' }, { key: 'side', value: 'd' }], { expect: [{ key: 'acct', lastSequence: 0 }] }),
      ConflictError,
      'CONFLICT',
    );
    expect(error.actualLastSequence).to.equal(1);
    expect(Buffer.from(error.key).toString()).to.equal('acct');
    expect(error.retryable).to.equal(false);
    expect(log.committedSequence).to.equal(2);
    expect(await log.count('acct')).to.equal(2);
    expect(await log.count('side')).to.equal(0);
  });

  it('fails with ConflictError when null is expected but the key has entries', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('acct', ['a']));
    const error = await expectLogError(() => log.append(recordsOf('acct', ['b']), { expect: [{ key: 'acct', lastSequence: null }] }), ConflictError, 'CONFLICT');
    expect(error.actualLastSequence).to.equal(0);
    expect(await log.count('acct')).to.equal(1);
  });

  it('fails with ConflictError (actualLastSequence null) when a sequence is expected for a key without entries', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('other', ['a']));
    const error = await expectLogError(() => log.append(recordsOf('acct', ['b']), { expect: [{ key: 'acct', lastSequence: 0 }] }), ConflictError, 'CONFLICT');
    expect(error.actualLastSequence).to.equal(null);
    expect(log.committedSequence).to.equal(1);
  });

  it('writes nothing when one of several expectations fails', async () => {
    const log = await fixture.open();
    await log.append([
      { key: 'a', value: '0' },
      { key: 'b', value: '1' },
    ]);
    const error = await expectLogError(
      () =>
        log.append([{ key: 'a', value: 'x' }, { key: 'b', value: 'y' }], {
          expect: [
            { key: 'a', lastSequence: 0 },
            { key: 'b', lastSequence: 0 },
          ],
        }),
      ConflictError,
      'CONFLICT',
    );
    expect(Buffer.from(error.key).toString()).to.equal('b');
    expect(error.actualLastSequence).to.equal(1);
    expect(await log.count('a')).to.equal(1);
    expect(await log.count('b')).to.equal(1);
  });

  it('checks an expectation on a key the batch does not write', async () => {
    const log = await fixture.open();
    await log.append([{ key: 'version', value: 'v1' }]);
    expect((await log.append(recordsOf('data', ['d1']), { expect: [{ key: 'version', lastSequence: 0 }] })).startSequence).to.equal(1);
    await log.append([{ key: 'version', value: 'v2' }]);
    const error = await expectLogError(() => log.append(recordsOf('data', ['d2']), { expect: [{ key: 'version', lastSequence: 0 }] }), ConflictError, 'CONFLICT');
    expect(error.actualLastSequence).to.equal(2);
    expect(await log.count('data')).to.equal(1);
  });

  it('checks an expectation against an earlier append still in flight', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('acct', ['a']));
    // Neither append is awaited before the second is made: the second expects the first's last sequence.
    const first = log.append(recordsOf('acct', ['b', 'c']));
    const second = log.append(recordsOf('acct', ['d']), { expect: [{ key: 'acct', lastSequence: 2 }] });
    expect(await first).to.deep.include({ startSequence: 1, count: 2, offset: 1 });
    expect(await second).to.deep.include({ startSequence: 3, count: 1, offset: 3 });
    expect((await collect(log.scan('acct'))).map((e) => e.value.toString())).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('fails an append whose expectation an earlier in-flight append made stale', async () => {
    const log = await fixture.open();
    await log.append(recordsOf('acct', ['a']));
    const first = settle(log.append(recordsOf('acct', ['b']), { expect: [{ key: 'acct', lastSequence: 0 }] }));
    const stale = settle(log.append(recordsOf('acct', ['c']), { expect: [{ key: 'acct', lastSequence: 0 }] }));
    const [a, b] = await Promise.all([first, stale]);
    expect(a.ok).to.equal(true);
    expect(b.ok).to.equal(false);
    if (!b.ok) {
      expect(b.error).to.be.instanceOf(ConflictError);
      expect((b.error as ConflictError).actualLastSequence).to.equal(1);
    }
    expect((await collect(log.scan('acct'))).map((e) => e.value.toString())).to.deep.equal(['a', 'b']);
  });

  it('lets a chain of concurrent conditional appends each build on the one before', async () => {
    const log = await fixture.open();
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => log.append(recordsOf('ledger', [`e${i}`]), { expect: [{ key: 'ledger', lastSequence: i === 0 ? null : i - 1 }] })),
    );
    expect(outs.map((o) => o.startSequence)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
  });

  it('checks expectations against the stored last sequence after reopen', async () => {
    const dir = fixture.dir();
    const first = await fixture.open({ path: dir });
    await first.append([{ key: 'acct', value: 'a' }, { key: 'x', value: 'b' }, { key: 'acct', value: 'c' }, { key: 'x', value: 'd' }]);
    await first.close();
    const log = await fixture.open({ path: dir });
    const error = await expectLogError(() => log.append(recordsOf('acct', ['e']), { expect: [{ key: 'acct', lastSequence: 3 }] }), ConflictError, 'CONFLICT');
    expect(error.actualLastSequence).to.equal(2);
    expect(await log.append(recordsOf('acct', ['e']), { expect: [{ key: 'acct', lastSequence: 2 }] })).to.deep.include({ startSequence: 4, count: 1, offset: 2 });
    expect(await log.append(recordsOf('new', ['f']), { expect: [{ key: 'new', lastSequence: null }] })).to.deep.include({ startSequence: 5, count: 1, offset: 0 });
  });

  it('checks expectations exactly when the key-state cache holds a single key', async () => {
    const log = await fixture.open({ keyStateCacheEntriesMax: 1 });
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const last = new Map<string, number | null>(keys.map((k) => [k, null]));
    for (let round = 0; round < 6; round++) {
      // Concurrent conditional appends over several keys, each expecting what the previous round left.
      const outs = await Promise.all(keys.map((key) => log.append(recordsOf(key, [`${round}`]), { expect: [{ key, lastSequence: last.get(key) ?? null }] })));
      outs.forEach((out, i) => last.set(keys[i], out.startSequence));
      const stale = keys[round % keys.length];
      const error = await expectLogError(() => log.append(recordsOf(stale, ['x']), { expect: [{ key: stale, lastSequence: null }] }), ConflictError, 'CONFLICT');
      expect(error.actualLastSequence).to.equal(last.get(stale));
    }
    for (const key of keys) expect(await log.count(key)).to.equal(6);
  });
});
