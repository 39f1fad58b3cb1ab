import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { connected } from '../../support/ClientHelpers.js';
import { sleep } from '../../support/LogFixture.js';
import { ConsumerChild } from './ConsumerChild.js';

/** How long the broker stays down in the restart scenarios (issue 10's reproduction). */
const downMs = 1500;

describe('client: a `for await` consumer in its own process (README usage) across broker restarts and close', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  const children: ConsumerChild[] = [];
  let broker: BrokerProcess;
  let appender: OdlogClient;

  beforeEach(async () => {
    broker = await fixture.start();
    appender = await fixture.client(broker.address);
  });
  afterEach(async function () {
    for (const child of children.splice(0)) child.kill();
    await fixture.cleanup(this.currentTest);
  });

  async function child(options: object): Promise<ConsumerChild> {
    const c = await ConsumerChild.start({ broker: broker.address, from: 'earliest', ...options });
    children.push(c);
    return c;
  }

  /** Append `n` records to `key`, one per append, and return their sequences. */
  async function appendValues(key: string, from: number, n: number): Promise<number[]> {
    const sequences: number[] = [];
    for (let i = from; i < from + n; i++) sequences.push((await appender.append([{ key, value: `v${i}` }])).startSequence);
    return sequences;
  }

  for (const how of ['SIGKILL', 'SIGTERM'] as const) {
    it(`stays alive while the broker is down (${how}, restarted ${downMs} ms later) and receives every record appended before and after exactly once, in order`, async () => {
      const key = `tail/${how}`;
      const acked = await appendValues(key, 0, 60);
      // A small window: part of what was appended is still in the broker when it goes away.
      const tail = await child({ keys: [key], windowRecords: 8, reconnect: { initialDelayMs: 50, maxDelayMs: 400 } });
      await tail.waitFor((c) => c.entries.length >= 20, 'the first 20 entries');
      if (how === 'SIGKILL') await broker.kill();
      else await broker.stop();
      // The outage of the scenario (not an assertion): the child must outlive it.
      await sleep(downMs);
      expect(tail.exitStatus, `the child exited while the broker was down; stderr:\n${tail.stderr}`).to.equal(undefined);
      await broker.restart();
      await connected(appender.connection);
      acked.push(...(await appendValues(key, 60, 40)));
      await tail.waitFor((c) => c.entries.length >= 100, 'all 100 entries after the restart');
      expect(tail.entries.map((e) => e.sequence)).to.deep.equal(acked);
      expect(tail.entries.map((e) => e.value)).to.deep.equal(Array.from({ length: 100 }, (_, i) => `v${i}`));
      expect(tail.exitStatus).to.equal(undefined);

      // Closing the client ends the loop, and nothing is left to keep the process alive.
      tail.signal('SIGUSR2');
      const exit = await tail.waitForExit();
      expect(exit, tail.stderr).to.deep.equal({ code: 0, signal: null });
      expect(tail.events.slice(-2).map((e) => e.event).sort()).to.deep.equal(['closed', 'ended']);
      expect(tail.entries).to.have.length(100);
    });
  }

  it('ends a pending `for await` when the client is closed, and the process exits by itself with status 0', async () => {
    const key = 'tail/close';
    const acked = await appendValues(key, 0, 5);
    const tail = await child({ keys: [key] });
    await tail.waitFor((c) => c.entries.length >= 5, 'the 5 entries');
    tail.signal('SIGUSR2');
    const exit = await tail.waitForExit();
    expect(exit, tail.stderr).to.deep.equal({ code: 0, signal: null });
    expect(tail.entries.map((e) => e.sequence)).to.deep.equal(acked);
    expect(tail.events.filter((e) => e.event !== 'entry').map((e) => e.event).sort()).to.deep.equal(['closed', 'ended', 'subscribed']);
  });

  for (const bound of [{ maxAttempts: 3 }, { giveUpAfterMs: 1000 }]) {
    it(`makes the loop throw ConnectionLostError, naming the cause, once reconnecting gives up (${JSON.stringify(bound)})`, async () => {
      const key = 'tail/give-up';
      await appendValues(key, 0, 3);
      const tail = await child({ keys: [key], reconnect: { initialDelayMs: 50, maxDelayMs: 200, ...bound } });
      await tail.waitFor((c) => c.entries.length >= 3, 'the 3 entries');
      await broker.kill();
      const exit = await tail.waitForExit(20_000);
      const error = tail.events.find((e) => e.event === 'error');
      expect(error, `events: ${JSON.stringify(tail.events.slice(-3))}; stderr:\n${tail.stderr}`).to.not.equal(undefined);
      expect(error?.name).to.equal('ConnectionLostError');
      // The cause: the broker refused the connection.
      expect(error?.message).to.match(/gave up reconnecting/).and.to.match(/ECONNREFUSED/);
      expect(exit).to.deep.equal({ code: 1, signal: null });
    });
  }
});
