import { expect } from 'chai';
import { InvalidArgumentError, type CommittedChunk, type LogEntry } from '../../../src/index.js';
import { collect, expectLogError, LogFixture, recordsOf, tuples } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

describe('LogDb append: sequences', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('gives the first record of a new log sequence 0', async () => {
    const log = await fixture.open();
    expect(log.committedSequence).to.equal(0);
    const out = await log.append([{ key: 'k', value: 'first' }]);
    expect(out).to.deep.include({ startSequence: 0, count: 1, offset: 0 });
    expect(tuples(await collect(log.scan('k')))).to.deep.equal([[0, Buffer.from('k').toString('hex'), 'first']]);
  });

  it('gives a batch contiguous sequences in record order', async () => {
    const log = await fixture.open();
    await log.append([{ key: 'z', value: 'before' }]);
    const out = await log.append([
      { key: 'a', value: 'v0' },
      { key: 'b', value: 'v1' },
      { key: 'a', value: 'v2' },
      { key: 'c', value: 'v3' },
    ]);
    expect(out).to.deep.include({ startSequence: 1, count: 4 });
    const entries = await collect(log.scanGlobal({ keys: ['a', 'b', 'c'] }));
    expect(entries.map((e) => [e.sequence, e.key.toString(), e.value.toString()])).to.deep.equal([
      [1, 'a', 'v0'],
      [2, 'b', 'v1'],
      [3, 'a', 'v2'],
      [4, 'c', 'v3'],
    ]);
  });

  it('hands out increasing sequences to batches appended one after another, across keys', async () => {
    const log = await fixture.open();
    let next = 0;
    for (let i = 0; i < 12; i++) {
      const n = 1 + (i % 4);
      const out = await log.append(recordsOf(`key-${i % 3}`, Array.from({ length: n }, (_, j) => `${i}.${j}`)));
      expect(out.startSequence).to.equal(next);
      expect(out.count).to.equal(n);
      next += n;
    }
    expect(log.committedSequence).to.equal(next);
  });

  it('gives batches appended concurrently disjoint sequences, increasing in call order and covering no gaps', async () => {
    const log = await fixture.open();
    const random = prng(7);
    const sizes = Array.from({ length: 60 }, () => randomInt(random, 1, 9));
    const outs = await Promise.all(sizes.map((n, i) => log.append(recordsOf(`key-${i % 5}`, Array.from({ length: n }, (_, j) => `${i}.${j}`)))));
    let next = 0;
    outs.forEach((out, i) => {
      expect(out.count).to.equal(sizes[i]);
      expect(out.startSequence, `batch ${i}`).to.equal(next);
      next += out.count;
    });
    expect(log.committedSequence).to.equal(next);
  });

  it('continues sequences above every earlier one after close and reopen', async () => {
    const dir = fixture.dir();
    const first = await fixture.open({ path: dir });
    await first.append(recordsOf('a', ['1', '2', '3']));
    await first.append(recordsOf('b', ['4']));
    await first.close();
    const second = await fixture.open({ path: dir });
    expect(second.committedSequence).to.equal(4);
    const out = await second.append(recordsOf('c', ['5', '6']));
    expect(out).to.deep.include({ startSequence: 4, count: 2 });
    await second.close();
    const third = await fixture.open({ path: dir });
    expect((await third.append(recordsOf('a', ['7']))).startSequence).to.equal(6);
  });

  it('gives one key increasing but not contiguous sequences when other keys are appended in between', async () => {
    const log = await fixture.open();
    await log.append([
      { key: 'a', value: 'a0' },
      { key: 'b', value: 'b0' },
      { key: 'a', value: 'a1' },
    ]);
    await log.append([{ key: 'b', value: 'b1' }]);
    await log.append([{ key: 'a', value: 'a2' }]);
    const a = (await collect(log.scan('a'))).map((e) => e.sequence);
    const b = (await collect(log.scan('b'))).map((e) => e.sequence);
    expect(a).to.deep.equal([0, 2, 4]);
    expect(b).to.deep.equal([1, 3]);
  });
});

describe('LogDb append: batch atomicity', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('rejects a whole batch holding one record with an empty key, writing none of it', async () => {
    const log = await fixture.open();
    await log.append([{ key: 'a', value: 'kept' }]);
    await expectLogError(
      () =>
        log.append([
          { key: 'a', value: 'x1' },
          { key: 'b', value: 'x2' },
          { key: '', value: 'x3' },
        ]),
      InvalidArgumentError,
      'INVALID_ARGUMENT',
    );
    expect(log.committedSequence).to.equal(1);
    expect((await collect(log.scan('a'))).map((e) => e.value.toString())).to.deep.equal(['kept']);
    expect(await log.count('b')).to.equal(0);
    expect((await log.append([{ key: 'c', value: 'next' }])).startSequence).to.equal(1);
  });

  it('rejects a whole batch holding one value over valueBytesMax, writing none of it', async () => {
    const log = await fixture.open({ valueBytesMax: 16 });
    await expectLogError(
      () =>
        log.append([
          { key: 'a', value: 'small' },
          { key: 'a', value: Buffer.alloc(17, 1) },
          { key: 'b', value: 'small' },
        ]),
      InvalidArgumentError,
      'INVALID_ARGUMENT',
    );
    expect(log.committedSequence).to.equal(0);
    expect(await log.count('a')).to.equal(0);
    expect(await log.count('b')).to.equal(0);
    expect(await collect(log.listKeys())).to.deep.equal([]);
    expect(await log.listSegments()).to.deep.equal([]);
  });

  /** Values say which batch they belong to: "batch/index/size". */
  function batchRecords(batch: number, size: number): { key: string; value: string }[] {
    return Array.from({ length: size }, (_, i) => ({ key: `k${(batch + i) % 5}`, value: `${batch}/${i}/${size}` }));
  }

  /** Every batch that shows in `entries` shows whole, with contiguous sequences. */
  function expectWholeBatches(entries: readonly LogEntry[], when: string): void {
    const byBatch = new Map<number, { size: number; seqs: number[] }>();
    for (const e of entries) {
      const [batch, , size] = e.value.toString().split('/').map(Number);
      const seen = byBatch.get(batch) ?? { size, seqs: [] };
      seen.seqs.push(e.sequence);
      byBatch.set(batch, seen);
    }
    for (const [batch, { size, seqs }] of byBatch) {
      expect(seqs.length, `${when}: batch ${batch} seen with ${seqs.length} of ${size} records`).to.equal(size);
      seqs.sort((x, y) => x - y);
      expect(seqs[seqs.length - 1] - seqs[0], `${when}: batch ${batch} not contiguous`).to.equal(size - 1);
    }
  }

  it('shows concurrent scanners every batch whole or not at all', async () => {
    const log = await fixture.open();
    const random = prng(11);
    const pending: Promise<unknown>[] = [];
    let scans = 0;
    for (let batch = 0; batch < 150; batch++) {
      pending.push(log.append(batchRecords(batch, randomInt(random, 1, 20))));
      if (batch % 10 === 9) {
        // Let some commits land, then look at the log while others are still queued.
        await new Promise((resolve) => setImmediate(resolve));
        expectWholeBatches(await collect(log.scanGlobal({ prefix: 'k' })), `scan ${scans++}`);
      }
    }
    await Promise.all(pending);
    const all = await collect(log.scanGlobal({ prefix: 'k' }));
    expectWholeBatches(all, 'final scan');
    expect(new Set(all.map((e) => e.value.toString().split('/')[0])).size).to.equal(150);
  });

  it('delivers every batch to onVisible listeners inside a single commit', async () => {
    const log = await fixture.open();
    const chunks: CommittedChunk[] = [];
    const partial: string[] = [];
    const stop = log.onVisible((chunk) => {
      chunks.push(chunk);
      // At notification time the whole commit must be readable, never a part of it.
      const visible = log.scanGlobal({ prefix: 'k' }, { start: chunk.startSequence, end: chunk.endSequence }).toArray();
      if (visible.length !== chunk.endSequence - chunk.startSequence) partial.push(`${chunk.startSequence}..${chunk.endSequence}: ${visible.length}`);
    });
    const random = prng(12);
    const outs = await Promise.all(Array.from({ length: 120 }, (_, batch) => log.append(batchRecords(batch, randomInt(random, 1, 30)))));
    stop();
    expect(partial).to.deep.equal([]);
    for (const out of outs) {
      const holding = chunks.filter((c) => c.startSequence < out.startSequence + out.count && c.endSequence > out.startSequence);
      expect(holding.length, `batch at ${out.startSequence}`).to.equal(1);
      expect(holding[0].startSequence).to.be.at.most(out.startSequence);
      expect(holding[0].endSequence).to.be.at.least(out.startSequence + out.count);
    }
    const delivered = chunks.reduce((n, c) => n + c.runs.reduce((m, run) => m + run.row.count, 0), 0);
    expect(delivered).to.equal(outs.reduce((n, o) => n + o.count, 0));
  });
});
