import { expect } from 'chai';
import { nodeWalFiles, StorageError, type WalHandle } from '../../../src/index.js';
import { PassThroughWalFiles } from '../../support/PassThroughWalFiles.js';
import { collect, LogFixture, settle } from '../../support/LogFixture.js';

/** The real file layer, except that the next `failing` writes fail with EIO before writing anything. */
class FailingWalFiles extends PassThroughWalFiles {
  failing = 0;
  open(path: string, durable: boolean): WalHandle {
    const inner = nodeWalFiles.open(path, durable);
    return {
      write: (data, position) => {
        if (this.failing > 0) {
          this.failing--;
          return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
        }
        return inner.write(data, position);
      },
      sync: () => inner.sync(),
      close: () => inner.close(),
    };
  }
}

describe('LogDb after a failed WAL write', function () {
  this.timeout(60_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('fails the commit with a retryable StorageError, rebuilds from disk, and goes on with the next sequence; nothing acknowledged is lost', async () => {
    const path = fixture.dir();
    const files = new FailingWalFiles();
    let log = await fixture.open({ path, walFiles: files });
    const a = await log.append([{ key: 'k', value: 'a1' }, { key: 'k', value: 'a2' }]);
    files.failing = 1;
    const failed = await settle(log.append([{ key: 'k', value: 'lost' }]));
    expect(failed.ok).to.equal(false);
    const error = (failed as { error: unknown }).error;
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).retryable).to.equal(true);
    expect((error as Error).message).to.match(/EIO/);
    // The writer rebuilt its state: the next append lands right after what was acknowledged.
    const c = await log.append([{ key: 'k', value: 'c' }]);
    expect(c.startSequence).to.equal(a.startSequence + a.count);
    expect((await collect(log.scan('k'))).map((e) => e.value.toString())).to.deep.equal(['a1', 'a2', 'c']);
    await log.close();
    log = await fixture.open({ path });
    expect((await collect(log.scan('k'))).map((e) => e.value.toString())).to.deep.equal(['a1', 'a2', 'c']);
  });

  it('fails every commit in flight behind the failed one, and serves the appends queued behind them', async () => {
    const files = new FailingWalFiles();
    const log = await fixture.open({ walFiles: files });
    await log.append([{ key: 'k', value: 'first' }]);
    files.failing = 1;
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(log.append([{ key: 'k', value: `v${i}` }]))));
    const failures = outcomes.filter((o) => !o.ok);
    expect(failures.length, 'the failed write failed its commit').to.be.greaterThan(0);
    for (const f of failures) expect((f as { error: unknown }).error).to.be.instanceOf(StorageError);
    // What was acknowledged is exactly what the log holds, in order, with no gap.
    const acked = outcomes.filter((o) => o.ok).map((o) => (o as { value: { startSequence: number } }).value.startSequence);
    const entries = await collect(log.scan('k'));
    expect(entries.map((e) => e.sequence)).to.deep.equal([0, ...acked.sort((x, y) => x - y)]);
    expect(entries.map((e) => e.sequence)).to.deep.equal(entries.map((_, i) => i));
  });
});
