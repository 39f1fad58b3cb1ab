import { inspect } from 'node:util';
import { expect } from 'chai';
import { InvalidArgumentError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { take } from '../../support/ClientHelpers.js';

/** What `call` produced: it must return a promise (not throw) that rejects with InvalidArgumentError. */
async function invalidArgument(call: () => unknown, message: RegExp): Promise<void> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    expect.fail(`threw synchronously instead of returning a rejected promise: ${String(error)}`);
  }
  expect(returned).to.be.instanceOf(Promise);
  let error: unknown;
  try {
    await returned;
  } catch (e) {
    error = e;
  }
  expect(error, 'the promise resolved').to.be.instanceOf(InvalidArgumentError);
  expect((error as Error).message).to.match(message);
}

// Arguments a JavaScript caller (or a TypeScript one with a cast) may pass.
const loose = (value: unknown): never => value as never;

describe('client: bad arguments get a rejected promise with InvalidArgumentError, and lose nothing else', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker(['--key-bytes-max', '16', '--value-bytes-max', '64']);
  let client: OdlogClient;
  beforeEach(() => (client = shared.client));

  it('producer.send with an object, a missing value or a missing key', async () => {
    const producer = client.producer({ lingerMs: 1 });
    await invalidArgument(() => producer.send('args/a', loose({ x: 1 })), /^value must be a string or a Uint8Array, got an object \{"x":1\}; pass JSON\.stringify/);
    await invalidArgument(() => (producer as unknown as { send(key: unknown): Promise<number> }).send('args/a'), /^value must be a string or a Uint8Array, got undefined/);
    await invalidArgument(() => producer.send(loose(null), 'v'), /^key must be a string or a Uint8Array, got null/);
    await invalidArgument(() => producer.send('args/a', loose(42)), /got the number 42/);
  });

  it('producer.send of a record over the broker limits fails alone; the sends batched with it are appended', async () => {
    const producer = client.producer({ lingerMs: 20 });
    const good1 = producer.send('args/batch', 'first');
    const tooLong = producer.send('args/batch', 'x'.repeat(65));
    const emptyKey = producer.send('', 'v');
    const longKey = producer.send('k'.repeat(17), 'v');
    const good2 = producer.send('args/batch', 'second');
    await invalidArgument(() => tooLong, /^value is 65 bytes, over the broker's valueBytesMax of 64/);
    await invalidArgument(() => emptyKey, /^key is empty; keys are 1\.\.16 bytes/);
    await invalidArgument(() => longKey, /^key is 17 bytes, over the broker's keyBytesMax of 16/);
    const sequences = [await good1, await good2];
    expect(sequences[1]).to.equal(sequences[0] + 1);
    expect((await client.scan('args/batch')).entries.map((e) => e.value.toString())).to.deep.equal(['first', 'second']);
  });

  it('append with a null value, a record that is not an object, or records that are not an array', async () => {
    await invalidArgument(() => client.append([{ key: 'args/append', value: loose(null) }]), /^record 0: value must be a string or a Uint8Array, got null/);
    await invalidArgument(() => client.append([{ key: 'args/append', value: 'ok' }, loose('oops')]), /^record 1 must be an object \{ key, value \}, got the string "oops"/);
    await invalidArgument(() => client.append(loose({ key: 'args/append', value: 'v' })), /^records must be an array/);
    await invalidArgument(() => client.append([{ key: 'args/append', value: 'v' }], { expect: [{ key: loose(undefined), lastSequence: null }] }), /^expect\[0\]\.key must be/);
    expect(await client.count('args/append')).to.equal(0);
  });

  for (const from of ['abc', -1, 1.5, Number.NaN, null, {}]) {
    it(`subscribe({ from: ${inspect(from)} })`, async () => {
      await invalidArgument(() => client.subscribe({ keys: ['args/sub'], from: loose(from) }), /^from must be 'earliest', 'latest', a sequence \(an integer ≥ 0\) or \{ timeMs \} \(ms since the epoch\), got /);
    });
  }

  it('subscribe with keys that are not byte strings, both or neither of keys and prefix, a bad window or cursor', async () => {
    await invalidArgument(() => client.subscribe({ keys: loose('args/sub') }), /^keys must be an array/);
    await invalidArgument(() => client.subscribe({ keys: ['args/sub', loose(7)] }), /^keys\[1\] must be a string or a Uint8Array, got the number 7/);
    await invalidArgument(() => client.subscribe({ keys: ['args/sub'], prefix: 'args/' }), /^subscribe to keys or to a prefix \(exactly one\)/);
    await invalidArgument(() => client.subscribe({}), /^subscribe to keys or to a prefix \(exactly one\)/);
    await invalidArgument(() => client.subscribe({ keys: ['args/sub'], windowRecords: 0 }), /^windowRecords must be a positive integer, got the number 0/);
    await invalidArgument(() => client.subscribe({ keys: ['args/sub'], cursor: loose(5) }), /^cursor must be a non-empty string, got the number 5/);
    // The subscriptions refused took nothing from the connection: a good one still works.
    const appended = await client.append([{ key: 'args/sub', value: 'v' }]);
    const consumer = fixture.track(await client.subscribe({ keys: ['args/sub'], from: 'earliest' }), (c) => c.close());
    expect((await take(consumer, 1))[0].sequence).to.equal(appended.startSequence);
  });

  it('scan, count and commit with keys or ranges that cannot be sent', async () => {
    await invalidArgument(() => client.scan(loose(undefined)), /^key must be a string or a Uint8Array, got undefined/);
    await invalidArgument(() => client.count('args/k', { start: loose('0') }), /^start must be a sequence \(an integer ≥ 0\), got the string "0"/);
    await invalidArgument(() => client.commitCursor('c', -1, { keys: ['args/k'] }), /^sequence must be a sequence \(an integer ≥ 0\), got the number -1/);
    const consumer = fixture.track(await client.subscribe({ keys: ['args/k'] }), (c) => c.close());
    await invalidArgument(() => consumer.commit(), /^commit needs a cursor name/);
  });

  it('connection.on: every documented event can be listened to; an unknown one is an InvalidArgumentError', () => {
    for (const event of ['connected', 'disconnected', 'error', 'closed'] as const) {
      const stop = client.connection.on(event, () => undefined);
      expect(stop).to.be.a('function');
      stop();
    }
    const connection = client.connection as unknown as { on(event: unknown, listener: unknown): unknown };
    expect(() => connection.on('eror', () => undefined)).to.throw(InvalidArgumentError, /^unknown connection event "eror"; events are connected, disconnected, /);
    expect(() => connection.on('error', undefined)).to.throw(InvalidArgumentError, /^the listener must be a function/);
  });
});
