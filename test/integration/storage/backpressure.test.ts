import { expect } from 'chai';
import { QueueFullError, TimeoutError, type LogDb, type Record } from '../../../src/index.js';
import { collect, LogFixture, settle, type Outcome } from '../../support/LogFixture.js';

/** Block the event loop, so that no commit can complete and every timer due meanwhile fires before the writer runs again. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: this is the stalled-writer condition under test
  }
}

function isError<E>(outcome: Outcome<unknown>, type: abstract new (...args: never[]) => E): boolean {
  return !outcome.ok && outcome.error instanceof type;
}

/** Records of mixed representations, and a deep copy of them to compare against later. */
function callerRecords(tag: string): { records: Record[]; copy: { key: Buffer; value: Buffer }[] } {
  const records: Record[] = [
    { key: Buffer.from(`${tag}-key`), value: Buffer.from([0, 1, 2, 0xff]) },
    { key: `${tag}-key`, value: 'text value' },
    { key: new Uint8Array([0x6b, 0x00]), value: new Uint8Array([9, 8, 7]) },
  ];
  const copy = records.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value) }));
  return { records, copy };
}

function expectUnchanged(records: readonly Record[], copy: readonly { key: Buffer; value: Buffer }[]): void {
  expect(records.length).to.equal(copy.length);
  records.forEach((r, i) => {
    expect(Buffer.from(r.key).equals(copy[i].key), `record ${i} key`).to.equal(true);
    expect(Buffer.from(r.value).equals(copy[i].value), `record ${i} value`).to.equal(true);
  });
}

async function valuesOf(log: LogDb, key: string): Promise<string[]> {
  return (await collect(log.scan(key))).map((e) => e.value.toString());
}

describe('LogDb backpressure', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('fails appends beyond writeQueueBatchesMax at once with QueueFullError (QUEUE_FULL, retryable)', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 2 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(log.append([{ key: 'k', value: `v${i}` }]))));
    expect(outcomes.slice(0, 2).map((o) => o.ok)).to.deep.equal([true, true]);
    for (const outcome of outcomes.slice(2)) {
      expect(isError(outcome, QueueFullError)).to.equal(true);
      if (!outcome.ok) {
        expect((outcome.error as QueueFullError).code).to.equal('QUEUE_FULL');
        expect((outcome.error as QueueFullError).retryable).to.equal(true);
      }
    }
    expect(await valuesOf(log, 'k')).to.deep.equal(['v0', 'v1']);
  });

  it('fails appends beyond writeQueueBytesMax at once with QueueFullError', async () => {
    const log = await fixture.open({ writeQueueBytesMax: 100, batchBytesMax: 100 });
    const value = Buffer.alloc(39, 0x61); // 40 bytes with the key: two batches fit, a third does not
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => settle(log.append([{ key: 'k', value }]))));
    expect(outcomes.map((o) => o.ok)).to.deep.equal([true, true, false, false, false]);
    expect(outcomes.slice(2).every((o) => isError(o, QueueFullError))).to.equal(true);
    expect(await log.count('k')).to.equal(2);
  });

  it('lets appends with timeoutMs wait for room and appends them all in call order', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append([{ key: 'k', value: `v${i}` }], { timeoutMs: 20_000 })));
    expect(outs.map((o) => o.startSequence)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
    expect(await valuesOf(log, 'k')).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('fails a waiting append with TimeoutError (TIMEOUT) when no room frees within timeoutMs, writing nothing of it', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const first = settle(log.append([{ key: 'k', value: 'first' }]));
    const waiting = settle(log.append([{ key: 'k', value: 'waiting' }], { timeoutMs: 5 }));
    blockEventLoop(50); // the first batch cannot be committed before the waiter's deadline passes
    const [a, b] = await Promise.all([first, waiting]);
    expect(a.ok).to.equal(true);
    expect(isError(b, TimeoutError)).to.equal(true);
    if (!b.ok) expect((b.error as TimeoutError).code).to.equal('TIMEOUT');
    expect(await valuesOf(log, 'k')).to.deep.equal(['first']);
  });

  it('settles every append that waited for room either appended or with TimeoutError', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => settle(log.append([{ key: 'k', value: `v${i}` }], { timeoutMs: 2 }))));
    const appended = outcomes.flatMap((o, i) => (o.ok ? [`v${i}`] : []));
    for (const outcome of outcomes) expect(outcome.ok || isError(outcome, TimeoutError), String(outcome.ok ? '' : outcome.error)).to.equal(true);
    expect(appended[0]).to.equal('v0');
    expect(await valuesOf(log, 'k')).to.deep.equal(appended);
  });

  it('leaves the caller\'s records unchanged after QueueFullError, so they can be appended again', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const { records, copy } = callerRecords('qf');
    const blocker = log.append([{ key: 'other', value: 'x' }]);
    const rejected = await settle(log.append(records));
    expect(isError(rejected, QueueFullError)).to.equal(true);
    expectUnchanged(records, copy);
    await blocker;
    const out = await log.append(records);
    expect(out.count).to.equal(3);
    const stored = await collect(log.scanGlobal({ keys: copy.map((r) => r.key) }));
    expect(stored.map((e) => [e.key.toString('hex'), e.value.toString('hex')])).to.deep.equal(copy.map((r) => [r.key.toString('hex'), r.value.toString('hex')]));
  });

  it('leaves the caller\'s records unchanged after TimeoutError, so they can be appended again', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 1 });
    const { records, copy } = callerRecords('to');
    const blocker = log.append([{ key: 'other', value: 'x' }]);
    const rejected = settle(log.append(records, { timeoutMs: 5 }));
    blockEventLoop(50);
    expect(isError(await rejected, TimeoutError)).to.equal(true);
    expectUnchanged(records, copy);
    await blocker;
    expect((await log.append(records, { timeoutMs: 5000 })).count).to.equal(3);
    const stored = await collect(log.scanGlobal({ keys: copy.map((r) => r.key) }));
    expect(stored.map((e) => e.value.toString('hex'))).to.deep.equal(copy.map((r) => r.value.toString('hex')));
  });

  it('gives the room of settled appends back, so a later burst is admitted', async () => {
    const log = await fixture.open({ writeQueueBatchesMax: 2 });
    await Promise.all(Array.from({ length: 6 }, () => settle(log.append([{ key: 'k', value: 'x' }]))));
    const later = await Promise.all([log.append([{ key: 'k', value: 'y' }]), log.append([{ key: 'k', value: 'z' }])]);
    expect(later.map((o) => o.count)).to.deep.equal([1, 1]);
    expect(log.stats().queuedBatches).to.equal(0);
    expect(log.stats().queuedBytes).to.equal(0);
  });
});
