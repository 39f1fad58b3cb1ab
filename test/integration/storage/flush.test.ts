import { expect } from 'chai';
import { LogDb, type LogEntry } from '../../../src/index.js';
import { collect, LogFixture } from '../../support/LogFixture.js';
import { prng, randomInt } from '../../support/Random.js';

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(min: number, max: number): number {
    return randomInt(this.next, min, max);
  }
}

interface ModelEntry {
  readonly key: string;
  readonly sequence: number;
  readonly value: string;
}

/**
 * The two storage tiers (the memtable in front of the WAL, key-clustered generations in LMDB)
 * must be invisible to readers: whatever mix of appends, flushes, seals and reopens came before,
 * every read equals a plain model of the log.
 */
describe('LogDb flush: memtable and generations', function () {
  this.timeout(120_000);
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  const keys = ['a', 'b', 'c', 'a\u0000', 'long-key-'.padEnd(300, 'x')];

  async function check(log: LogDb, model: ModelEntry[], random: Random): Promise<void> {
    const tuples = (entries: LogEntry[]): [string, number, string][] => entries.map((e) => [e.key.toString(), e.sequence, e.value.toString()]);
    const global = tuples(await collect(log.scanGlobal({ prefix: '' })));
    expect(global).to.deep.equal(model.map((m) => [m.key, m.sequence, m.value]));
    const end = model.length === 0 ? 0 : model[model.length - 1].sequence + 1;
    for (const key of keys) {
      const mine = model.filter((m) => m.key === key);
      expect(tuples(await collect(log.scan(key)))).to.deep.equal(mine.map((m) => [m.key, m.sequence, m.value]), `scan ${key}`);
      for (let i = 0; i < 5; i++) {
        const a = random.int(0, end + 2);
        const b = random.int(a, end + 3);
        expect(await log.count(key, { start: a, end: b })).to.equal(mine.filter((m) => m.sequence >= a && m.sequence < b).length, `count ${key} [${a},${b})`);
      }
      // Resume a scan page by page from its nextSequence: nothing lost, nothing repeated.
      const seen: number[] = [];
      let from = 0;
      for (let guard = 0; guard < 10_000; guard++) {
        const it = log.scan(key, { start: from }, { limit: random.int(1, 7) });
        const page = await collect(it);
        for (const e of page) seen.push(e.sequence);
        if (page.length === 0) break;
        from = it.nextSequence;
      }
      expect(seen).to.deep.equal(mine.map((m) => m.sequence), `resumed scan ${key}`);
    }
  }

  it('reads the same before and after flushes, seals and reopens, with records in either tier, in any order (seeded)', async () => {
    const seed = Number(process.env.ODLOG_COMPACTION_SEED ?? 20261125);
    const random = new Random(seed);
    const path = fixture.dir();
    let log = await fixture.open({ path });
    const model: ModelEntry[] = [];
    let counter = 0;
    for (let step = 0; step < 60; step++) {
      const op = random.int(0, 10);
      if (op < 6) {
        const batches = random.int(1, 4);
        const appends = [];
        for (let b = 0; b < batches; b++) {
          // Some batches are big enough that a key's records are cut into several generation rows.
          const big = random.int(0, 3) === 0;
          const records = Array.from({ length: random.int(1, 12) }, () => ({
            key: keys[random.int(0, big ? 1 : keys.length - 1)],
            value: `v${counter++}`.padEnd(big ? 900 : 0, '.'),
          }));
          appends.push(log.append(records).then((out) => records.forEach((r, i) => model.push({ key: r.key, sequence: out.startSequence + i, value: r.value }))));
        }
        await Promise.all(appends);
        model.sort((x, y) => x.sequence - y.sequence);
      } else if (op < 8) await log.compact();
      else if (op < 9) await log.seal();
      else {
        await log.close();
        log = await fixture.open({ path });
      }
      await check(log, model, random);
    }
  });

  it('reads big runs, cut into several generation rows, as one stream, before and after a flush', async () => {
    const log = await fixture.open({ path: fixture.dir() });
    const model: ModelEntry[] = [];
    const random = new Random(7);
    for (let round = 0; round < 4; round++) {
      // 3,000 records of ~150 B on two keys: each key's run is far above one row's 64 KiB.
      const records = Array.from({ length: 3000 }, (_, i) => ({ key: i % 3 === 0 ? 'b' : 'a', value: `r${round}-${i}`.padEnd(150, '#') }));
      const out = await log.append(records);
      records.forEach((r, i) => model.push({ key: r.key, sequence: out.startSequence + i, value: r.value }));
      // a few small appends between, so both tiers are involved
      const small = await log.append([{ key: 'a', value: `small-${round}` }]);
      model.push({ key: 'a', sequence: small.startSequence, value: `small-${round}` });
      if (round % 2 === 1) await log.compact();
    }
    await check(log, model, random);
    await log.compact();
    await check(log, model, random);
  });

  it('keeps a key given its id before it was written (named by an expect or a trim) once keys with higher ids are in LMDB', async () => {
    // Regression: the key's name (format 6) and its record (format 5) were appended to LMDB as if
    // its id were above every stored one; LMDB refused the out-of-order put and lmdb-js dropped
    // it silently, so the key's records vanished from scanGlobal and a deletion failed every flush.
    const path = fixture.dir();
    let log = await fixture.open({ path });
    await log.append([{ key: 'y', value: 'y0' }], { expect: [{ key: 'z', lastSequence: null }] });
    expect(await log.trim('t', { before: 10 })).to.equal(0);
    await log.compact();
    const z = await log.append([{ key: 'z', value: 'z0' }]);
    const t = await log.append([{ key: 't', value: 't0' }]);
    await log.compact();
    const all = async (): Promise<string[]> => (await collect(log.scanGlobal({ prefix: '' }))).map((e) => `${e.key.toString()}@${e.sequence}`);
    const expected = ['y@0', `z@${z.startSequence}`, `t@${t.startSequence}`];
    expect(await all()).to.deep.equal(expected);
    expect((await collect(log.scan('z'))).map((e) => e.value.toString())).to.deep.equal(['z0']);
    const listed = async (): Promise<string[]> => {
      const out: string[] = [];
      for await (const key of log.listKeys()) out.push(key.toString());
      return out.sort();
    };
    expect(await listed()).to.deep.equal(['t', 'y', 'z']);
    await log.close();
    log = await fixture.open({ path });
    expect(await all()).to.deep.equal(expected);
    expect(await listed()).to.deep.equal(['t', 'y', 'z']);
    expect(await log.deleteKey('z')).to.equal(1);
    await log.compact();
    const after = await log.append([{ key: 'y', value: 'y1' }]);
    await log.compact();
    expect(await all()).to.deep.equal(['y@0', `t@${t.startSequence}`, `y@${after.startSequence}`]);
  });

  it('flushes while appends go on when the memtable fills, and reads stay exact', async () => {
    // A small memtable, so that flushes start (and run) while the appends below are still coming.
    const log = await fixture.open({ path: fixture.dir(), memtableBytesMax: 256 * 1024, commitBytesMax: 64 * 1024 });
    const model: ModelEntry[] = [];
    const wide = Array.from({ length: 400 }, (_, i) => `k${i}`);
    const random = new Random(11);
    // Many small concurrent appends over many keys: each commit adds a few hundred small runs.
    for (let wave = 0; wave < 40; wave++) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, c) => {
          const records = Array.from({ length: 20 }, (_, i) => ({ key: wide[random.int(0, wide.length - 1)], value: `w${wave}c${c}i${i}` }));
          const out = await log.append(records);
          records.forEach((r, i) => model.push({ key: r.key, sequence: out.startSequence + i, value: r.value }));
        }),
      );
    }
    model.sort((x, y) => x.sequence - y.sequence);
    expect(log.stats().flushes, 'flushes while appending').to.be.greaterThan(1);
    const tuples = (entries: LogEntry[]): string[] => entries.map((e) => `${e.key.toString()}@${e.sequence}=${e.value.toString()}`);
    expect(tuples(await collect(log.scanGlobal({ prefix: '' })))).to.deep.equal(model.map((m) => `${m.key}@${m.sequence}=${m.value}`));
    for (const key of wide.slice(0, 50)) {
      const mine = model.filter((m) => m.key === key);
      expect(tuples(await collect(log.scan(key)))).to.deep.equal(mine.map((m) => `${m.key}@${m.sequence}=${m.value}`), `scan ${key}`);
      expect(await log.count(key)).to.equal(mine.length, `count ${key}`);
    }
  });

  it('paces commits while a flush runs and the memtable nears its bound, and loses or reorders nothing', async () => {
    // Every record a new key: each costs LMDB rows, so flushing is slower than appending and the
    // memtable reaches three quarters of its bound during a flush.
    const log = await fixture.open({ path: fixture.dir(), memtableBytesMax: 2 * 1024 * 1024, commitBytesMax: 128 * 1024 });
    const acked: { start: number; count: number }[] = [];
    let batch = 0;
    const appender = async (): Promise<void> => {
      while (log.stats().pacedCommits === 0 && batch < 2000) {
        const id = batch++;
        const out = await log.append(Array.from({ length: 500 }, (_, i) => ({ key: `b${id}-${i}`, value: `v${id}.${i}` })));
        acked.push({ start: out.startSequence, count: out.count });
      }
    };
    await Promise.all(Array.from({ length: 8 }, appender));
    const stats = log.stats();
    expect(stats.pacedCommits, `commits paced after ${batch} batches and ${stats.flushes} flushes`).to.be.greaterThan(0);
    expect(stats.pacedMs).to.be.greaterThan(0);
    acked.sort((a, b) => a.start - b.start);
    let next = 0;
    for (const a of acked) {
      expect(a.start, 'batches follow one another without a gap').to.equal(next);
      next = a.start + a.count;
    }
    expect((await collect(log.scanGlobal({ prefix: 'b' }))).length).to.equal(next);
  });

  it('keeps counts exact and retention whole after flushing across segments', async () => {
    const log = await fixture.open({ path: fixture.dir(), retention: { retentionBytes: 1, checkIntervalMs: 3_600_000 } });
    for (let s = 0; s < 3; s++) {
      await log.append(Array.from({ length: 50 }, (_, i) => ({ key: i % 2 === 0 ? 'even' : 'odd', value: `${s}:${i}` })));
      await log.seal();
    }
    await log.append([{ key: 'even', value: 'last' }]);
    await log.compact();
    expect(await log.count('even')).to.equal(76);
    expect(await log.runRetention()).to.equal(3);
    // Only the newest segment is left; counts and scans agree on what remains.
    const remaining = await collect(log.scan('even'));
    expect(remaining.map((e) => e.value.toString())).to.deep.equal(['last']);
    expect(await log.count('even')).to.equal(1);
    expect(await log.count('odd')).to.equal(0);
  });
});
