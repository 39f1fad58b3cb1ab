import { expect } from 'chai';
import { KeyRounds } from '../../../bench/harness/workers/BenchValues.js';

/** Everything a producer's rounds give, taken `n` at a time. */
function drain(rounds: KeyRounds, n: number): number[] {
  const out: number[] = [];
  for (let batch = rounds.take(n); batch.length > 0; batch = rounds.take(n)) out.push(...batch);
  return out;
}

describe('bench prefill: key rounds', () => {
  it('gives every key to exactly one producer, once per round', () => {
    const keys = 103;
    const producers = 3;
    const all = Array.from({ length: producers }, (_, p) => drain(new KeyRounds(keys, producers, p, 0, 4), 7));
    for (const [p, got] of all.entries()) for (const k of got) expect(k % producers).to.equal(p);
    const counts = new Map<number, number>();
    for (const k of all.flat()) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect(counts.size).to.equal(keys);
    for (const n of counts.values()) expect(n).to.equal(4);
    // Round by round: each producer's first share is all of its keys, each once.
    const share = Math.ceil((keys - 1) / producers);
    expect(new Set(all[1].slice(0, share)).size).to.equal(share);
  });

  it('orders each round at random, the same on every run (seeded), and differently from round to round', () => {
    const first = drain(new KeyRounds(1000, 2, 0, 0, 2), 100);
    const again = drain(new KeyRounds(1000, 2, 0, 0, 2), 33);
    expect(again).to.deep.equal(first);
    const [round1, round2] = [first.slice(0, 500), first.slice(500)];
    expect(round1).to.not.deep.equal([...round1].sort((a, b) => a - b));
    expect(round2).to.not.deep.equal(round1);
    // Starting at a later round gives that round's order.
    expect(drain(new KeyRounds(1000, 2, 0, 1, 2), 64)).to.deep.equal(round2);
  });

  it('gives nothing to a producer without keys', () => {
    expect(drain(new KeyRounds(1, 2, 1, 0, 10), 5)).to.deep.equal([]);
  });
});
