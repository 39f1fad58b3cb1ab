import { createServer } from 'node:net';
import { expect } from 'chai';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { lines, runCli } from '../../support/Cli.js';
import { connected, take, within } from '../../support/ClientHelpers.js';
import { waitFor } from '../../support/LogFixture.js';

type Stop = 'SIGTERM' | 'SIGKILL';

async function bounce(broker: BrokerProcess, how: Stop): Promise<void> {
  if (how === 'SIGTERM') expect(await broker.stop()).to.equal(0);
  else await broker.kill();
  await broker.restart();
}

describe('broker: clients, consumers and cursors across a broker restart', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;

  beforeEach(async () => {
    broker = await fixture.start();
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`a client reconnects by itself after a ${how} and restart, and its requests succeed`, async () => {
      const client = await fixture.client(broker.address);
      const before = await client.append([{ key: 'restart/k', value: 'before' }]);
      const pidBefore = broker.pid;
      await bounce(broker, how);
      await connected(client.connection);
      // Reconnected to the new broker process, not to anything left of the old one.
      expect(broker.pid).to.not.equal(pidBefore);
      expect((await client.stats()).connections).to.equal(1);
      const after = await client.append([{ key: 'restart/k', value: 'after' }]);
      expect(after.startSequence).to.equal(before.startSequence + 1);
      const page = await client.scan('restart/k');
      expect(page.entries.map((e) => [e.sequence, e.value.toString()])).to.deep.equal([
        [before.startSequence, 'before'],
        [after.startSequence, 'after'],
      ]);
    });
  }

  it('sends a request made while the broker is down once the broker is back', async () => {
    const client = await fixture.client(broker.address, { requestTimeoutMs: 20_000 });
    await client.append([{ key: 'restart/queued', value: 'first' }]);
    expect(await broker.stop()).to.equal(0);
    await waitFor(() => !client.connection.isConnected, 'the client to see the broker go');
    const queued = client.append([{ key: 'restart/queued', value: 'sent while down' }]);
    // While the broker is down, the client keeps trying: stand in for the broker on its port, hang
    // up on two attempts, then let the broker come back.
    let attempts = 0;
    const standIn = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => standIn.listen(broker.port, broker.host, resolve));
    await waitFor(() => attempts >= 2, 'two reconnect attempts while the broker is down');
    await new Promise((resolve) => standIn.close(resolve));
    expect(client.connection.isConnected).to.equal(false);
    await broker.restart();
    const result = await within(queued, 15_000, () => 'the queued append was not sent after the restart');
    expect(result.duplicate).to.equal(false);
    expect((await client.scan('restart/queued')).entries.map((e) => e.value.toString())).to.deep.equal(['first', 'sent while down']);
  });

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`a Consumer resumes delivering after a ${how} and restart with no gap and no duplicate`, async () => {
      const producer = await fixture.client(broker.address);
      const reader = await fixture.client(broker.address);
      const acked: number[] = [];
      const appendSome = async (from: number, n: number): Promise<void> => {
        for (let i = from; i < from + n; i += 5) {
          const r = await producer.append(Array.from({ length: 5 }, (_, j) => ({ key: j % 2 === 0 ? 'resume/a' : 'resume/b', value: `v${i + j}` })));
          for (let j = 0; j < r.count; j++) acked.push(r.startSequence + j);
        }
      };
      await appendSome(0, 60);
      // A small window: most of what was appended is still in the broker when it goes away.
      const consumer = fixture.track(await reader.subscribe({ keys: ['resume/a', 'resume/b'], from: 'earliest', windowRecords: 10 }), (c) => c.close());
      const got = await take(consumer, 25);
      await bounce(broker, how);
      await appendSome(60, 40);
      got.push(...(await take(consumer, 75, 20_000)));
      expect(got.map((e) => e.sequence)).to.deep.equal(acked);
      expect(got.map((e) => e.value.toString())).to.deep.equal(Array.from({ length: 100 }, (_, i) => `v${i}`));
      // And it follows live appends after the restart.
      const live = await producer.append([{ key: 'resume/b', value: 'live' }]);
      const [entry] = await take(consumer, 1);
      expect(entry.sequence).to.equal(live.startSequence);
    });
  }

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps committed cursors across a ${how} and restart`, async () => {
      const client = await fixture.client(broker.address);
      for (let i = 0; i < 6; i++) await client.append([{ key: 'cursor/k', value: `${i}` }]);
      await client.commitCursor('keys-cursor', 4, { keys: ['cursor/k'] });
      await client.commitCursor('prefix-cursor', 2, { prefix: 'cursor/' });
      const before = await client.getCursor('keys-cursor');
      await bounce(broker, how);
      await connected(client.connection);
      const after = await client.getCursor('keys-cursor');
      expect(after).to.deep.equal(before);
      const prefixed = await client.getCursor('prefix-cursor');
      expect(prefixed?.sequence).to.equal(2);
      expect(prefixed?.prefix?.toString()).to.equal('cursor/');
      const lags = new Map((await client.stats()).cursors.map((c) => [c.name, c.lagRecords]));
      expect(lags.get('keys-cursor')).to.equal(2);
      expect(lags.get('prefix-cursor')).to.equal(4);
    });
  }

  it('a Consumer with a cursor resumes from the position it committed before the restart', async () => {
    const client = await fixture.client(broker.address);
    const acked: number[] = [];
    for (let i = 0; i < 30; i++) acked.push((await client.append([{ key: 'cursor/consumer', value: `c${i}` }])).startSequence);
    const first = await client.subscribe({ keys: ['cursor/consumer'], from: 'earliest', cursor: 'billing', windowRecords: 8 });
    const seen = await take(first, 12);
    await first.commit();
    await first.close();
    expect(first.nextSequence).to.equal(acked[11] + 1);
    await bounce(broker, 'SIGTERM');
    await connected(client.connection);
    // `from` applies only when the cursor does not exist yet.
    const second = fixture.track(await client.subscribe({ keys: ['cursor/consumer'], from: 'earliest', cursor: 'billing' }), (c) => c.close());
    const rest = await take(second, 18);
    expect([...seen, ...rest].map((e) => e.sequence)).to.deep.equal(acked);
  });

  it('`odlog tail --cursor` resumes where the previous tail committed, across a broker restart', async () => {
    const client = await fixture.client(broker.address);
    const acked: number[] = [];
    for (let i = 0; i < 10; i++) acked.push((await client.append([{ key: 'cli/tail', value: `t${i}` }, { key: 'cli/other', value: `o${i}` }])).startSequence);
    const tail = (extra: string[]): ReturnType<typeof runCli> => runCli(['tail', 'cli/tail', '--broker', broker.address, '--cursor', 'cli-tail', '--format', 'json', ...extra]);
    const first = await tail(['--from', 'earliest', '--count', '4']);
    expect(first.code, first.stderr).to.equal(0);
    expect(lines(first.stdout).map((l) => JSON.parse(l) as { key: string; sequence: number; value: string }).map(({ key, sequence, value }) => ({ key, sequence, value }))).to.deep.equal(acked.slice(0, 4).map((sequence, i) => ({ key: 'cli/tail', sequence, value: `t${i}` })));
    expect((await client.getCursor('cli-tail'))?.sequence).to.equal(acked[3] + 1);

    await bounce(broker, 'SIGTERM');
    const second = await tail(['--count', '3']);
    expect(second.code, second.stderr).to.equal(0);
    expect(lines(second.stdout).map((l) => (JSON.parse(l) as { sequence: number }).sequence)).to.deep.equal(acked.slice(4, 7));
  });
});
