import { expect } from 'chai';
import { InvalidArgumentError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf, within } from '../../support/ClientHelpers.js';
import { waitFor } from '../../support/LogFixture.js';

describe('client: consumers with autoCommit', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  let observer: OdlogClient;
  let sequences: number[];

  beforeEach(async () => {
    broker = await fixture.start();
    observer = await fixture.client(broker.address);
    sequences = [];
    for (let i = 0; i < 10; i++) sequences.push((await observer.append([{ key: 'auto/k', value: `v${i}` }])).startSequence);
  });
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  const cursorAt = async (name: string): Promise<number | undefined> => (await observer.getCursor(name))?.sequence;

  it('commits, every interval, the position after the last entry whose loop iteration completed (not the one being handled)', async () => {
    const client = await fixture.client(broker.address);
    const consumer = await client.subscribe({ keys: ['auto/k'], from: 'earliest', cursor: 'auto-interval', autoCommit: { intervalMs: 20 } });
    let handled = 0;
    for await (const entry of consumer) {
      if (handled === 4) {
        // Entries 0..3 completed; entry 4 is being handled: the cursor points at entry 4.
        expect(entry.sequence).to.equal(sequences[4]);
        await waitFor(async () => (await cursorAt('auto-interval')) === sequences[3] + 1, 'the cursor to reach the entry being handled', 5000);
      }
      if (++handled === 8) break;
    }
    // Leaving the loop with break commits once more, without the entry that was being handled.
    expect(await cursorAt('auto-interval')).to.equal(sequences[6] + 1);
  });

  it('commits once more when the client is closed during the loop', async () => {
    const client = await fixture.client(broker.address);
    // An interval longer than the test: only the commit on close can store the position.
    const consumer = await client.subscribe({ keys: ['auto/k'], from: 'earliest', cursor: 'auto-close', autoCommit: { intervalMs: 60_000 } });
    let handled = 0;
    const loop = (async () => {
      for await (const entry of consumer) {
        expect(entry.sequence).to.equal(sequences[handled]);
        handled++;
      }
    })();
    await waitFor(() => handled === 10, 'all 10 entries');
    expect(await cursorAt('auto-close')).to.equal(undefined);
    await within(client.close(), 5000, () => 'close() did not resolve');
    await within(loop, 1000, () => 'the loop did not end on close');
    expect(await cursorAt('auto-close')).to.equal(sequences[9] + 1);
  });

  it('a consumer resuming from the auto-committed cursor gets the rest, starting with the entry that was being handled', async () => {
    const client = await fixture.client(broker.address);
    const first = await client.subscribe({ keys: ['auto/k'], from: 'earliest', cursor: 'auto-resume', autoCommit: { intervalMs: 60_000 } });
    const seen: number[] = [];
    for await (const entry of first) {
      seen.push(entry.sequence);
      if (seen.length === 6) break;
    }
    const second = await client.subscribe({ keys: ['auto/k'], cursor: 'auto-resume' });
    const rest: number[] = [];
    for await (const entry of second) {
      rest.push(entry.sequence);
      if (rest.length === 5) break;
    }
    expect(rest).to.deep.equal(sequences.slice(5));
  });

  it('refuses autoCommit without a cursor, or with a bad interval', async () => {
    const client = await fixture.client(broker.address);
    expect(await rejectionOf(client.subscribe({ keys: ['auto/k'], autoCommit: { intervalMs: 100 } }))).to.be.instanceOf(InvalidArgumentError).with.property('message').that.matches(/^autoCommit needs a cursor/);
    expect(await rejectionOf(client.subscribe({ keys: ['auto/k'], cursor: 'c', autoCommit: { intervalMs: 0 } })))
      .to.be.instanceOf(InvalidArgumentError)
      .with.property('message')
      .that.matches(/^autoCommit\.intervalMs must be a positive integer/);
  });
});
