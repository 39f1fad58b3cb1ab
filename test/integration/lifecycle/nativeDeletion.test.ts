import { expect } from 'chai';
import { ForbiddenError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { readEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Hello } from '../../../src/protocol/messages/hello.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import { rejectionOf, take } from '../../support/ClientHelpers.js';
import type { RawConnection } from '../../support/RawConnection.js';

/** The values a raw connection's subscription was pushed so far (version 1 pushes). */
function pushedValues(conn: RawConnection, subscriptionId: number): string[] {
  return conn.pushes(subscriptionId).flatMap((f) => readEntryBatch(SubscriptionBatchPush.body.at(1).decode(f.body).entries).map((e) => e.value.toString()));
}

/** The values of a key's records, through Scan. */
async function valuesOf(client: OdlogClient, key: string): Promise<string[]> {
  return (await client.scan(key)).entries.map((e) => e.value.toString());
}

async function append(client: OdlogClient, key: string, values: readonly string[]): Promise<number> {
  return (await client.append(values.map((value) => ({ key, value })))).startSequence;
}

describe('lifecycle: Trim and DeleteKey over the native protocol (messages 19 and 20)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const tokens = { writer: 'lifecycle-writer-51c2', reader: 'lifecycle-reader-8d0e', admin: 'lifecycle-admin-3a7f' };
  let broker: BrokerProcess;
  let admin: OdlogClient;
  let writer: OdlogClient;
  let reader: OdlogClient;

  before(async () => {
    broker = await fixture.startWithConfig({
      tokens: [
        // May append (so trim and delete) under w: only, and read everything.
        { name: 'writer', token: tokens.writer, append: ['w:'] },
        { name: 'reader', token: tokens.reader, append: [], read: ['w:', 'r:'] },
        { name: 'admin', token: tokens.admin, admin: true },
      ],
    });
    admin = await fixture.client(broker.address, { token: tokens.admin }, 'file');
    writer = await fixture.client(broker.address, { token: tokens.writer }, 'file');
    reader = await fixture.client(broker.address, { token: tokens.reader }, 'file');
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('trim removes the records below the sequence, answers how many, and keeps the offsets of the rest', async () => {
    const first = await append(writer, 'w:trim', ['a', 'b', 'c', 'd', 'e']);
    expect(await writer.trim('w:trim', { before: first + 3 })).to.equal(3);
    const page = await writer.scan('w:trim');
    expect(page.entries.map((e) => [e.sequence, e.offset, e.value.toString()])).to.deep.equal([
      [first + 3, 3, 'd'],
      [first + 4, 4, 'e'],
    ]);
    expect(await writer.count('w:trim')).to.equal(2);
    // Below what is left already: nothing more goes.
    expect(await writer.trim('w:trim', { before: first + 1 })).to.equal(0);
  });

  it('deleteKey removes every record and the key from the listing; the next append starts a fresh stream at offset 0 above every earlier sequence', async () => {
    const first = await append(writer, 'w:delete', ['a', 'b', 'c']);
    await append(writer, 'w:other', ['x']);
    expect(await writer.deleteKey('w:delete')).to.equal(3);
    expect(await writer.count('w:delete')).to.equal(0);
    expect((await writer.listKeys({ prefix: 'w:delete' })).keys).to.deep.equal([]);
    const again = await append(writer, 'w:delete', ['fresh']);
    expect(again).to.be.greaterThan(first + 3);
    const [entry] = (await writer.scan('w:delete')).entries;
    expect([entry.sequence, entry.offset, entry.value.toString()]).to.deep.equal([again, 0, 'fresh']);
    // Deleting a key that holds nothing is not an error: nothing went.
    expect(await writer.deleteKey('w:never-written')).to.equal(0);
  });

  it('refuses trim and delete with FORBIDDEN to a token without append on the key (read is not enough), and removes nothing', async () => {
    await append(admin, 'r:kept', ['1', '2']);
    for (const attempt of [() => reader.trim('r:kept', { before: 1_000_000_000 }), () => reader.deleteKey('r:kept'), () => writer.deleteKey('r:kept'), () => writer.trim('r:kept', { before: 1_000_000 })]) {
      const error = await rejectionOf(attempt());
      expect(error).to.be.instanceOf(ForbiddenError);
      expect(error.message).to.match(/may not append to key "r:kept"/);
    }
    expect(await valuesOf(reader, 'r:kept')).to.deep.equal(['1', '2']);
  });

  describe('what a tail sees (docs/protocol.md, Trim and DeleteKey)', () => {
    it('a live tail of a deleted key goes on, without an error, with the fresh stream’s first record (offset 0)', async () => {
      await append(writer, 'w:tail-delete', ['a', 'b']);
      const consumer = await reader.subscribe({ keys: ['w:tail-delete'], from: 'earliest' });
      expect((await take(consumer, 2)).map((e) => e.value.toString())).to.deep.equal(['a', 'b']);
      expect(await writer.deleteKey('w:tail-delete')).to.equal(2);
      const fresh = await append(writer, 'w:tail-delete', ['after']);
      const [next] = await take(consumer, 1);
      expect([next.sequence, next.offset, next.value.toString()]).to.deep.equal([fresh, 0, 'after']);
      await consumer.close();
    });

    it('a tail positioned below a trim point (out of credit) resumes at the first record that remains, skipping what was removed', async () => {
      const first = await append(writer, 'w:tail-trim', ['a', 'b', 'c', 'd', 'e', 'f']);
      // Raw frames, so that credit is exactly what this test grants: one record, then more.
      const conn = await fixture.raw(broker);
      await conn.request(Hello, { protocolVersion: 1, clientId: 'tail-trim', authToken: tokens.reader });
      await conn.request(Subscribe, { subscriptionId: 9, keys: [Buffer.from('w:tail-trim')], prefix: null, from: 'SEQUENCE', sequence: first, cursor: null, creditRecords: 1, creditBytes: 1 << 20, timeMs: 0 });
      await conn.waitUntil(() => pushedValues(conn, 9).length === 1, 'the first push');
      expect(await writer.trim('w:tail-trim', { before: first + 4 })).to.equal(4);
      await conn.request(Credit, { subscriptionId: 9, records: 10, bytes: 1 << 20 });
      await conn.waitUntil(() => pushedValues(conn, 9).length === 3, 'the pushes after the trim');
      expect(pushedValues(conn, 9)).to.deep.equal(['a', 'e', 'f']);
      expect(conn.frames.filter((f) => f.messageType === MessageType.SubscriptionEnd)).to.deep.equal([]);
    });

    it('a subscription starting at a trimmed-away sequence starts at the first record that remains', async () => {
      const first = await append(writer, 'w:start-trimmed', ['a', 'b', 'c']);
      await writer.trim('w:start-trimmed', { before: first + 2 });
      const consumer = await reader.subscribe({ keys: ['w:start-trimmed'], from: first });
      const [entry] = await take(consumer, 1);
      expect([entry.sequence, entry.offset, entry.value.toString()]).to.deep.equal([first + 2, 2, 'c']);
      await consumer.close();
    });
  });
});
