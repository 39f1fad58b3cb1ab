import { expect } from 'chai';
import { Count } from '../../../src/protocol/messages/count.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { sleep } from '../../support/LogFixture.js';

describe('broker: pipelined requests on one connection', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();

  it('answers 1,000 requests issued without awaiting, each with its own correct response', async () => {
    const n = 1000;
    const kinds = ['append', 'ping', 'count', 'scan'] as const;
    // Seed a key for the counts and scans to read.
    await shared.client.append(Array.from({ length: 7 }, (_, i) => ({ key: 'pipe/seed', value: `seed${i}` })));
    const issued = Array.from({ length: n }, (_, i) => {
      const kind = kinds[i % kinds.length];
      switch (kind) {
        case 'append':
          return shared.client.append([{ key: `pipe/k${i % 10}`, value: `v${i}` }], { awaitDurable: i % 8 === 0 }).then((r) => ({ i, kind, r }));
        case 'ping':
          return shared.client.connection.request(Ping, { timeMs: i }).then((r) => ({ i, kind, r }));
        case 'count':
          return shared.client.connection.request(Count, { key: Buffer.from('pipe/seed'), start: 0, end: null }).then((r) => ({ i, kind, r }));
        case 'scan':
          return shared.client.scan('pipe/seed', { start: 0 }, { limit: 1 + (i % 7) }).then((r) => ({ i, kind, r }));
      }
    });
    const results = await Promise.all(issued);
    expect(results).to.have.length(n);
    const appendSequences: number[] = [];
    for (const { i, kind, r } of results) {
      if (kind === 'append') {
        const a = r as { startSequence: number; count: number; duplicate: boolean };
        expect(a.count, `append ${i}`).to.equal(1);
        expect(a.duplicate).to.equal(false);
        appendSequences.push(a.startSequence);
      } else if (kind === 'ping') {
        expect((r as { timeMs: number }).timeMs, `ping ${i}`).to.equal(i);
      } else if (kind === 'count') {
        expect((r as { count: number }).count, `count ${i}`).to.equal(7);
      } else {
        const page = r as { entries: { value: Buffer }[] };
        expect(page.entries.map((e) => e.value.toString()), `scan ${i}`).to.deep.equal(Array.from({ length: 1 + (i % 7) }, (_, j) => `seed${j}`));
      }
    }
    expect(new Set(appendSequences).size).to.equal(n / 4);
    // Every append landed once, with the value it carried, at the sequence it was told.
    let stored = 0;
    for (let k = 0; k < 10; k++) {
      for await (const entry of shared.client.scanAll(`pipe/k${k}`)) {
        const i = Number(entry.value.toString().slice(1));
        expect(i % 10).to.equal(k);
        const result = results[i];
        expect((result.r as { startSequence: number }).startSequence).to.equal(entry.sequence);
        stored++;
      }
    }
    expect(stored).to.equal(n / 4);
  });

  it('answers an append issued after a long-poll scan on the same connection first: responses come back out of order', async () => {
    const order: string[] = [];
    const start = (await shared.client.stats()).committedSequence;
    const polled = shared.client.scan('pipe/poll', { start }, { maxWaitMs: 20_000 }).then((page) => {
      order.push('scan');
      return page;
    });
    await sleep(100);
    const appended = await shared.client.append([{ key: 'pipe/elsewhere', value: 'not blocked' }]).then((r) => {
      order.push('append');
      return r;
    });
    expect(appended.count).to.equal(1);
    expect(order).to.deep.equal(['append']);
    // Now wake the scan with an append to its key, from the same connection.
    const woke = await shared.client.append([{ key: 'pipe/poll', value: 'wake' }]);
    const page = await polled;
    expect(order).to.deep.equal(['append', 'scan']);
    expect(page.entries.map((e) => e.sequence)).to.deep.equal([woke.startSequence]);
  });

  it('keeps serving other requests on the connection while several long-polls wait on it', async () => {
    const start = (await shared.client.stats()).committedSequence;
    const polls = Array.from({ length: 20 }, (_, i) => shared.client.scan(`pipe/many/${i}`, { start }, { maxWaitMs: 20_000 }));
    let settled = 0;
    for (const p of polls) void p.then(() => settled++);
    for (let i = 0; i < 50; i++) expect(await shared.client.count('pipe/seed')).to.equal(7);
    expect(settled).to.equal(0);
    const appended = await shared.client.append(Array.from({ length: 20 }, (_, i) => ({ key: `pipe/many/${i}`, value: `m${i}` })));
    const pages = await Promise.all(polls);
    expect(pages.map((p) => p.entries.map((e) => [e.sequence, e.value.toString()]))).to.deep.equal(Array.from({ length: 20 }, (_, i) => [[appended.startSequence + i, `m${i}`]]));
  });
});
