import { expect } from 'chai';
import { InvalidArgumentError, ProtocolVersionError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { rejectionOf, take } from '../../support/ClientHelpers.js';

/** Resolve once the wall clock is past `timeMs` (the broker stamps commits with this machine's clock). */
async function clockPast(timeMs: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() <= timeMs) {
    if (Date.now() > deadline) throw new Error(`the clock did not pass ${timeMs}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const headerText = (headers: readonly { name: string; value: Buffer | null }[] | undefined): string[] | undefined => headers?.map((h) => `${h.name}=${h.value === null ? 'null' : h.value.toString()}`);

describe('client: record headers, append times and reading from a time (protocol version 2)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();
  let client: OdlogClient;
  beforeEach(() => (client = shared.client));

  it('speaks protocol version 2 with a broker that does', () => {
    expect(client.protocolVersion).to.equal(2);
    expect(client.connection.hello.protocolVersion).to.equal(2);
  });

  it('producer.sendBatch appends its records together with contiguous sequences, in order after earlier sends, and resolves with each sequence', async () => {
    const producer = client.producer({ lingerMs: 20, batchRecords: 2 });
    const before = producer.send('sb/k', 'before');
    const batch = producer.sendBatch([
      { key: 'sb/k', value: 'one', headers: [{ name: 'trace', value: 'abc' }] },
      { key: 'sb/other', value: 'two' },
      { key: 'sb/k', value: 'three', headers: [{ name: 'empty', value: null }, { name: 'bin', value: Buffer.from([0, 255]) }] },
    ]);
    const after = producer.send('sb/k', 'after');
    const [sequences, beforeSeq, afterSeq] = await Promise.all([batch, before, after]);
    expect(sequences).to.deep.equal([sequences[0], sequences[0] + 1, sequences[0] + 2]);
    expect(beforeSeq).to.be.below(sequences[0]);
    expect(afterSeq).to.be.above(sequences[2]);
    const page = await client.scan('sb/k');
    expect(page.entries.map((e) => [e.sequence, e.value.toString(), headerText(e.headers)])).to.deep.equal([
      [beforeSeq, 'before', undefined],
      [sequences[0], 'one', ['trace=abc']],
      [sequences[2], 'three', ['empty=null', 'bin=\u0000\ufffd']],
      [afterSeq, 'after', undefined],
    ]);
    expect(page.entries[2].headers?.[1].value?.toString('hex')).to.equal('00ff');
    await producer.close();
  });

  it('producer.sendBatch refuses a batch with one bad record as a whole (a reserved header name), and appends none of it', async () => {
    const producer = client.producer({ lingerMs: 1 });
    const error = await rejectionOf(producer.sendBatch([{ key: 'sb/bad', value: 'fine' }, { key: 'sb/bad', value: 'bad', headers: [{ name: 'odlog.key', value: 'x' }] }]));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect(String(error)).to.match(/record 1: headers\[0\].*reserved/);
    expect(await producer.send('sb/bad', 'later')).to.be.a('number');
    expect((await client.scan('sb/bad')).entries.map((e) => e.value.toString())).to.deep.equal(['later']);
    await producer.close();
  });

  it('producer.send with headers, and client.append with headers: a consumer gets them back with the append time and offset', async () => {
    const producer = client.producer({ lingerMs: 1 });
    const consumer = await client.subscribe({ keys: ['hd/k'], from: 'earliest' });
    const started = Date.now();
    await producer.send('hd/k', 'a', [{ name: 'content-type', value: 'text/plain' }]);
    await client.append([{ key: 'hd/k', value: 'b' }, { key: 'hd/k', value: 'c', headers: [{ name: 'n', value: '3' }] }]);
    const finished = Date.now();
    const entries = await take(consumer, 3);
    expect(entries.map((e) => [e.value.toString(), e.offset, headerText(e.headers)])).to.deep.equal([
      ['a', 0, ['content-type=text/plain']],
      ['b', 1, undefined],
      ['c', 2, ['n=3']],
    ]);
    for (const e of entries) expect(e.timestamp).to.be.within(started, finished);
    await consumer.close();
    await producer.close();
  });

  it('a consumer from { timeMs } starts at the first entry appended at or after that time; client.scan with startTimeMs as well', async () => {
    await client.append([{ key: 'tm/k', value: 'old' }]);
    const old = (await client.scan('tm/k')).entries[0];
    await clockPast(old.timestamp as number);
    await client.append([{ key: 'tm/k', value: 'new' }]);
    const fresh = (await client.scan('tm/k')).entries[1];
    const consumer = await client.subscribe({ keys: ['tm/k'], from: { timeMs: fresh.timestamp as number } });
    expect((await take(consumer, 1)).map((e) => e.value.toString())).to.deep.equal(['new']);
    await consumer.close();
    expect((await client.scan('tm/k', { startTimeMs: fresh.timestamp })).entries.map((e) => e.value.toString())).to.deep.equal(['new']);
    const all: string[] = [];
    for await (const e of client.scanAll('tm/k', { startTimeMs: old.timestamp })) all.push(e.value.toString());
    expect(all).to.deep.equal(['old', 'new']);
  });

  it('refuses a header the broker would refuse, for that send alone, with InvalidArgumentError', async () => {
    const producer = client.producer({ lingerMs: 5 });
    const good = producer.send('hd/bounds', 'fine');
    expect(await rejectionOf(producer.send('hd/bounds', 'v', [{ name: '', value: 'x' }]))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejectionOf(producer.send('hd/bounds', 'v', [{ name: 'n'.repeat(257), value: 'x' }]))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejectionOf(producer.send('hd/bounds', 'v', Array.from({ length: 65 }, (_, i) => ({ name: `h${i}`, value: null }))))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejectionOf(producer.send('hd/bounds', 'v', [{ name: 'big', value: Buffer.alloc(70_000) }]))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejectionOf(producer.send('hd/bounds', 'v', [{ name: 'lone\ud800', value: 'x' }]))).to.be.instanceOf(InvalidArgumentError);
    expect(await good).to.be.a('number');
    await producer.close();
  });

  describe('with a client that speaks version 1 (protocolVersion: 1)', () => {
    let v1: OdlogClient;
    beforeEach(async () => (v1 = await fixture.client(shared.broker.address, { protocolVersion: 1 })));

    it('reads entries without timestamps or headers, as before version 2, even of records that have headers', async () => {
      expect(v1.protocolVersion).to.equal(1);
      await client.append([{ key: 'v1c/k', value: 'x', headers: [{ name: 'trace', value: 'abc' }] }]);
      const [entry] = (await v1.scan('v1c/k')).entries;
      expect(Object.keys(entry).sort()).to.deep.equal(['sequence', 'value']);
      const consumer = await v1.subscribe({ keys: ['v1c/k'], from: 'earliest' });
      const [pushed] = await take(consumer, 1);
      expect(Object.keys(pushed).sort()).to.deep.equal(['key', 'sequence', 'value']);
      await consumer.close();
    });

    it('refuses headers, starting from a time and scanning from a time with ProtocolVersionError, sending nothing', async () => {
      const producer = v1.producer();
      const refused = await rejectionOf(producer.send('v1c/none', 'x', [{ name: 'a', value: 'b' }]));
      expect(refused).to.be.instanceOf(ProtocolVersionError);
      expect((refused as ProtocolVersionError).spokenVersion).to.equal(1);
      expect(await rejectionOf(v1.append([{ key: 'v1c/none', value: 'x', headers: [{ name: 'a', value: 'b' }] }]))).to.be.instanceOf(ProtocolVersionError);
      expect(await rejectionOf(v1.subscribe({ keys: ['v1c/none'], from: { timeMs: 0 } }))).to.be.instanceOf(ProtocolVersionError);
      expect(await rejectionOf(v1.scan('v1c/none', { startTimeMs: 0 }))).to.be.instanceOf(ProtocolVersionError);
      expect(await v1.count('v1c/none')).to.equal(0);
      // Headers that are present but empty are no headers: that works in version 1.
      expect(await producer.send('v1c/none', 'plain', [])).to.be.a('number');
      await producer.close();
    });
  });
});
