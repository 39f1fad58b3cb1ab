import { expect } from 'chai';
import type { CommittedChunk } from '../../../src/index.js';
import { collect, LogFixture, recordsOf, waitFor } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

describe('LogDb durability and visibility', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  it('with sync durability, an append resolves only once its records are durable', async () => {
    const log = await fixture.open({ durability: 'sync' });
    for (let i = 0; i < 10; i++) {
      const out = await log.append(recordsOf('k', ['a', 'b']));
      expect(log.durableSequence).to.be.at.least(out.startSequence + out.count);
    }
  });

  it('with async durability, appends resolve and flush() brings durableSequence up to committedSequence', async () => {
    const log = await fixture.open({ durability: 'async' });
    const outs = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(recordsOf(`k${i % 4}`, ['x', 'y', 'z']))));
    const end = Math.max(...outs.map((o) => o.startSequence + o.count));
    expect(log.committedSequence).to.equal(end);
    await log.flush();
    expect(log.durableSequence).to.be.at.least(log.committedSequence);
    expect(log.durableSequence).to.equal(end);
  });

  it('with async durability, catches durableSequence up with committedSequence without flush()', async () => {
    const log = await fixture.open({ durability: 'async' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(recordsOf(`k${i % 2}`, ['x']))));
    expect(log.committedSequence).to.equal(20);
    await waitFor(() => log.durableSequence === 20, 'durableSequence to reach 20');
  });

  it('resolves whenDurable once the sequence is durable', async () => {
    const log = await fixture.open({ durability: 'async' });
    const out = await log.append(recordsOf('k', ['a', 'b', 'c']));
    await log.whenDurable(out.startSequence + out.count - 1);
    expect(log.durableSequence).to.be.greaterThan(out.startSequence + out.count - 1);
  });

  it('with readVisibility durable, never shows an entry at or above durableSequence', async () => {
    const log = await fixture.open({ durability: 'async', readVisibility: 'durable' });
    const random = prng(31);
    const violations: string[] = [];
    let looks = 0;
    const look = (): void => {
      // Synchronous reads: durableSequence cannot move while they run.
      const durable = log.durableSequence;
      const it = log.scanGlobal({ prefix: 'k' });
      for (const e of it.toArray()) if (e.sequence >= durable) violations.push(`scan saw ${e.sequence} with durable ${durable}`);
      if (it.nextSequence > durable) violations.push(`nextSequence ${it.nextSequence} beyond durable ${durable}`);
      looks++;
    };
    const stop = log.onVisible((chunk: CommittedChunk) => {
      if (chunk.endSequence > log.durableSequence) violations.push(`onVisible ${chunk.startSequence}..${chunk.endSequence} with durable ${log.durableSequence}`);
      look();
    });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      pending.push(log.append(recordsOf(`k${i % 3}`, Array.from({ length: randomInt(random, 1, 10) }, (_, j) => `${i}.${j}`))).then(look));
      if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
      look();
    }
    await Promise.all(pending);
    await log.flush();
    stop();
    expect(violations).to.deep.equal([]);
    expect(looks).to.be.greaterThan(60);
    // Once everything is on disk, everything is visible.
    expect((await collect(log.scanGlobal({ prefix: 'k' }))).length).to.equal(log.committedSequence);
    expect(await log.count('k0')).to.equal((await collect(log.scan('k0'))).length);
  });

  it('tells onVisible listeners of every commit once, in order, until they unsubscribe', async () => {
    const log = await fixture.open();
    const chunks: CommittedChunk[] = [];
    const values: [number, string, string][] = [];
    const stop = log.onVisible((chunk) => {
      chunks.push(chunk);
      // Rows are valid during the call only (their memory is reused): read them now.
      for (const run of chunk.runs) for (let i = 0; i < run.row.count; i++) values.push([run.row.sequence(i), run.key.toString(), run.row.value(i).toString()]);
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append([{ key: `k${i % 2}`, value: `${i}` }])));
    stop();
    await log.append([{ key: 'k0', value: 'after' }]);
    chunks.forEach((c, i) => expect(c.startSequence).to.equal(i === 0 ? 0 : chunks[i - 1].endSequence));
    expect(chunks[chunks.length - 1].endSequence).to.equal(30);
    values.sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(values).to.deep.equal(Array.from({ length: 30 }, (_, i) => [i, `k${i % 2}`, `${i}`]));
  });
});
