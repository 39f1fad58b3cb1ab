import { expect } from 'chai';
import { ForbiddenError, InvalidArgumentError, InvalidRequestError, NotFoundError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf } from '../../support/ClientHelpers.js';

/** Resolve once the wall clock is past `timeMs` (the broker stamps commits with this machine's clock). */
async function clockPast(timeMs: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() <= timeMs) {
    if (Date.now() > deadline) throw new Error(`the clock did not pass ${timeMs}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('broker: ListCursors, DeleteCursor and ResetCursor (native messages 16, 17, 18)', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const tokens = { a: 'cursors-tenant-a-9f8e', b: 'cursors-tenant-b-5a4b', admin: 'cursors-admin-7d6c' };
  let broker: BrokerProcess;
  let admin: OdlogClient;
  let tenantA: OdlogClient;
  let tenantB: OdlogClient;

  before(async () => {
    broker = await fixture.startWithConfig({
      tokens: [
        { name: 'tenant-a', token: tokens.a, append: ['a:'], read: ['a:'] },
        { name: 'tenant-b', token: tokens.b, append: ['b:'], read: ['b:'] },
        // An admin that may read no key: it sees and manages every cursor all the same.
        { name: 'admin', token: tokens.admin, admin: true, read: ['nothing-readable:'] },
      ],
    });
    admin = await fixture.client(broker.address, { token: tokens.admin }, 'file');
    tenantA = await fixture.client(broker.address, { token: tokens.a }, 'file');
    tenantB = await fixture.client(broker.address, { token: tokens.b }, 'file');
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('lists the cursors a token may read every key of, sorted by name, with position and exact lag; an admin sees every cursor', async () => {
    const a = await tenantA.append(Array.from({ length: 5 }, (_, i) => ({ key: i % 2 === 0 ? 'a:1' : 'a:2', value: `v${i}` })));
    await tenantA.commitCursor('list-a2', a.startSequence + 2, { keys: ['a:1', 'a:2'] });
    await tenantA.commitCursor('list-a1', a.startSequence, { prefix: 'a:' });
    // A cursor following a key outside tenant-a's grant: hidden from tenant-a, seen by the admin.
    await tenantB.commitCursor('list-b', 0, { keys: ['b:1'] });
    const seenByA = (await tenantA.listCursors({ prefix: 'list-' })).cursors;
    expect(seenByA.map((c) => [c.name, c.sequence, c.lagRecords, c.lagIsLowerBound])).to.deep.equal([
      ['list-a1', a.startSequence, 5, false],
      ['list-a2', a.startSequence + 2, 3, false],
    ]);
    expect(seenByA[1].keys.map((k) => k.toString())).to.deep.equal(['a:1', 'a:2']);
    expect(seenByA[0].prefix?.toString()).to.equal('a:');
    expect((await admin.listCursors({ prefix: 'list-' })).cursors.map((c) => c.name)).to.deep.equal(['list-a1', 'list-a2', 'list-b']);
    // The admin may describe a cursor it could not read the keys of, as it may list it.
    expect((await admin.getCursor('list-a1'))?.sequence).to.equal(a.startSequence);
  });

  it('pages with limit and after, each page cut at limit and flagged more until the last', async () => {
    for (let i = 0; i < 5; i++) await tenantA.commitCursor(`page-${i}`, i, { keys: ['a:page'] });
    const first = await tenantA.listCursors({ prefix: 'page-', limit: 2 });
    expect([first.cursors.map((c) => c.name), first.more]).to.deep.equal([['page-0', 'page-1'], true]);
    const second = await tenantA.listCursors({ prefix: 'page-', limit: 2, after: 'page-1' });
    expect([second.cursors.map((c) => c.name), second.more]).to.deep.equal([['page-2', 'page-3'], true]);
    const last = await tenantA.listCursors({ prefix: 'page-', limit: 2, after: 'page-3' });
    expect([last.cursors.map((c) => c.name), last.more]).to.deep.equal([['page-4'], false]);
    const all: string[] = [];
    for await (const c of tenantA.cursors({ prefix: 'page-' })) all.push(c.name);
    expect(all).to.deep.equal(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('resets a cursor to earliest, latest, a sequence or a time, keeping what it follows, and says where it was', async () => {
    await tenantA.append([{ key: 'a:reset', value: 'early' }]);
    const early = (await tenantA.scan('a:reset')).entries[0];
    await clockPast(early.timestamp as number);
    const late = await tenantA.append([{ key: 'a:reset', value: 'late' }]);
    await tenantA.commitCursor('reset-me', 7, { keys: ['a:reset'] });
    expect(await tenantA.resetCursor('reset-me', 'earliest')).to.deep.equal({ previousSequence: 7, sequence: 0 });
    expect(await tenantA.resetCursor('reset-me', 42)).to.deep.equal({ previousSequence: 0, sequence: 42 });
    const atTime = await tenantA.resetCursor('reset-me', { timeMs: (early.timestamp as number) + 1 });
    expect(atTime.sequence).to.be.greaterThan(early.sequence).and.at.most(late.startSequence);
    const latest = await tenantA.resetCursor('reset-me', 'latest');
    expect(latest.sequence).to.be.greaterThan(late.startSequence);
    const cursor = await tenantA.getCursor('reset-me');
    expect([cursor?.sequence, cursor?.keys.map((k) => k.toString())]).to.deep.equal([latest.sequence, ['a:reset']]);
  });

  it('deletes a cursor: it is gone from GetCursor and the listing; a second delete is NOT_FOUND', async () => {
    await tenantA.commitCursor('delete-me', 3, { keys: ['a:del'] });
    await tenantA.deleteCursor('delete-me');
    expect(await tenantA.getCursor('delete-me')).to.equal(null);
    expect((await tenantA.listCursors({ prefix: 'delete-me' })).cursors).to.deep.equal([]);
    expect(await rejectionOf(tenantA.deleteCursor('delete-me'))).to.be.instanceOf(NotFoundError);
    expect(await rejectionOf(tenantA.resetCursor('delete-me', 0))).to.be.instanceOf(NotFoundError);
  });

  it('refuses to reset or delete a cursor following keys the token may not read (FORBIDDEN), and leaves it; an admin may', async () => {
    await tenantB.commitCursor('foreign', 9, { keys: ['b:2'] });
    expect(await rejectionOf(tenantA.resetCursor('foreign', 0))).to.be.instanceOf(ForbiddenError);
    expect(await rejectionOf(tenantA.deleteCursor('foreign'))).to.be.instanceOf(ForbiddenError);
    expect((await admin.getCursor('foreign'))?.sequence).to.equal(9);
    expect(await admin.resetCursor('foreign', 1)).to.deep.equal({ previousSequence: 9, sequence: 1 });
    await admin.deleteCursor('foreign');
    expect(await admin.getCursor('foreign')).to.equal(null);
  });

  it('refuses an invalid cursor name (empty is the client\'s InvalidArgumentError, over 256 bytes the broker\'s INVALID_REQUEST)', async () => {
    expect(await rejectionOf(tenantA.deleteCursor(''))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejectionOf(tenantA.resetCursor('n'.repeat(257), 0))).to.be.instanceOf(InvalidRequestError);
  });
});
