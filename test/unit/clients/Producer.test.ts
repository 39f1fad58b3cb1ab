import { expect } from 'chai';
import { ClientClosedError, InvalidArgumentError, InvalidRequestError } from '../../../clients/errors.js';
import { walkRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import type { AppendRequest } from '../../../src/protocol/messages/append.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { ClientTestKit, waitUntil } from './clientTestKit.js';

describe('unit: Producer over an in-memory transport', () => {
  const kit = new ClientTestKit();
  afterEach(() => kit.cleanup());
  const values = (): string[] => kit.broker.log.map((e) => e.value.toString());

  it('resends a batch whose answer was lost with the same producer id, batch number and bytes; the broker stores it once', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 1 });
    let first = true;
    kit.broker.policy = (r) => (r.name === 'Append' && first ? ((first = false), 'hold') : 'answer');
    const sends = ['a', 'b', 'c'].map((v) => producer.send('k', v));
    await waitUntil(() => kit.broker.held.length === 1, 'the batch to arrive');
    kit.broker.applyAndDrop(kit.broker.held[0]);
    const sequences = await Promise.all(sends);
    expect(sequences).to.deep.equal([0, 1, 2]);
    expect(values()).to.deep.equal(['a', 'b', 'c']);
    const appends = kit.broker.received<AppendRequest>('Append');
    expect(appends).to.have.length(2);
    expect(appends[1].body.producerId).to.equal(producer.id).and.equal(appends[0].body.producerId);
    expect(appends[1].body.batchNumber).to.equal(appends[0].body.batchNumber);
    expect(appends[1].body.records.equals(appends[0].body.records)).to.equal(true);
    expect(appends[1].connection).to.not.equal(appends[0].connection);
  });

  it('resends every batch that was in flight when the connection dropped, in batch-number order', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 0, batchRecords: 1, maxInFlight: 4 });
    kit.broker.policy = (r) => (r.name === 'Append' && kit.broker.connections.length === 1 ? 'hold' : 'answer');
    const sends = ['r0', 'r1', 'r2', 'r3'].map((v) => producer.send('k', v));
    await waitUntil(() => kit.broker.held.length === 4, 'the 4 batches in flight');
    kit.broker.held.length = 0;
    kit.broker.dropConnections();
    expect(await Promise.all(sends)).to.deep.equal([0, 1, 2, 3]);
    expect(values()).to.deep.equal(['r0', 'r1', 'r2', 'r3']);
    const resent = kit.broker.received<AppendRequest>('Append').slice(4);
    expect(resent.map((r) => r.body.batchNumber)).to.deep.equal([0, 1, 2, 3]);
  });

  it('retries a batch refused with a retryable error (THROTTLED) under the same batch number', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 0 });
    let refusals = 2;
    kit.broker.policy = (r) => (r.name === 'Append' && refusals > 0 ? 'hold' : 'answer');
    const send = producer.send('k', 'v');
    while (refusals > 0) {
      await waitUntil(() => kit.broker.held.length === 1, 'the attempt');
      refusals--;
      kit.broker.fail(kit.broker.held.splice(0)[0], ErrorCode.Throttled, 'queue full');
    }
    expect(await send).to.equal(0);
    const appends = kit.broker.received<AppendRequest>('Append');
    expect(appends).to.have.length(3);
    expect(new Set(appends.map((a) => a.body.batchNumber)).size).to.equal(1);
  });

  it('rejects the sends of a batch refused for good, and goes on with the next batches', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 0, batchRecords: 1 });
    let first = true;
    kit.broker.policy = (r) => (r.name === 'Append' && first ? ((first = false), 'hold') : 'answer');
    const refused = producer.send('k', 'refused');
    await waitUntil(() => kit.broker.held.length === 1, 'the first batch');
    kit.broker.fail(kit.broker.held[0], ErrorCode.InvalidRequest, 'no');
    expect(await rejectionOf(refused)).to.be.instanceOf(InvalidRequestError);
    expect(await producer.send('k', 'next')).to.equal(0);
    expect(values()).to.deep.equal(['next']);
  });

  it('close({ timeoutMs }) rejects what the broker did not acknowledge in time, saying whether it may have been appended', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 0, batchRecords: 1, maxInFlight: 1 });
    kit.broker.policy = (r) => (r.name === 'Append' ? 'hold' : 'answer');
    const sent = producer.send('k', 'sent');
    const unsent = producer.send('k', 'unsent');
    await waitUntil(() => kit.broker.held.length === 1, 'the first batch');
    await producer.close({ timeoutMs: 20 });
    const [a, b] = [await rejectionOf(sent), await rejectionOf(unsent)];
    expect(a).to.be.instanceOf(ClientClosedError);
    expect(a.message).to.match(/before the broker acknowledged this record: it may or may not have been appended$/);
    expect(b).to.be.instanceOf(ClientClosedError);
    expect(b.message).to.match(/before this record was sent: it was not appended$/);
    expect(await rejectionOf(producer.send('k', 'late'))).to.be.instanceOf(ClientClosedError);
    // A late answer changes nothing.
    kit.broker.answer(kit.broker.held[0]);
    expect(producer.pendingRecords).to.equal(0);
  });

  it('client.close() sends what a producer holds and resolves after the acknowledgements', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 60_000 });
    const sends = ['x', 'y'].map((v) => producer.send('k', v));
    await client.close();
    expect(await Promise.all(sends)).to.deep.equal([0, 1]);
    expect(client.connection.isClosed).to.equal(true);
  });

  it('sendBatch puts its records in one Append, never split across batches, even when they exceed batchRecords', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 1, batchRecords: 2 });
    const single = producer.send('k', 's');
    const batch = producer.sendBatch(['a', 'b', 'c', 'd', 'e'].map((value) => ({ key: 'k', value })));
    expect(await batch).to.deep.equal([1, 2, 3, 4, 5]);
    expect(await single).to.equal(0);
    const counts = kit.broker.received<AppendRequest>('Append').map((r) => walkRecordBatch(r.body.records, 100).count);
    expect(counts).to.deep.equal([1, 5]);
    expect(values()).to.deep.equal(['s', 'a', 'b', 'c', 'd', 'e']);
  });

  it('sendBatch refuses more records than the broker takes in one batch before sending anything', async () => {
    const client = await kit.client();
    const producer = client.producer();
    const records = Array.from({ length: client.connection.hello.limits.batchRecordsMax + 1 }, () => ({ key: 'k', value: 'v' }));
    expect(await rejectionOf(producer.sendBatch(records))).to.be.instanceOf(InvalidArgumentError);
    expect(kit.broker.received('Append')).to.have.length(0);
  });

  it('retries a sendBatch after a lost answer as one batch with its original number: every record stored once', async () => {
    const client = await kit.client();
    const producer = client.producer({ lingerMs: 1 });
    let first = true;
    kit.broker.policy = (r) => (r.name === 'Append' && first ? ((first = false), 'hold') : 'answer');
    const batch = producer.sendBatch([{ key: 'k', value: 'x' }, { key: 'k', value: 'y' }]);
    await waitUntil(() => kit.broker.held.length === 1, 'the batch to arrive');
    kit.broker.applyAndDrop(kit.broker.held[0]);
    expect(await batch).to.deep.equal([0, 1]);
    expect(values()).to.deep.equal(['x', 'y']);
  });
});
