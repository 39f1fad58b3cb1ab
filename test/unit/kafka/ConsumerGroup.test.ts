import { expect } from 'chai';
import { ConsumerGroup, type JoinParams } from '../../../src/broker/kafka/group/ConsumerGroup.js';
import type { JoinResult } from '../../../src/broker/kafka/group/GroupMember.js';
import { KafkaErrorCode } from '../../../src/protocol/kafka/KafkaErrorCode.js';

const E = KafkaErrorCode;

function params(overrides: Partial<JoinParams> = {}): JoinParams {
  return {
    memberId: '',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ConsumerGroup (the Kafka group state machine)', () => {
  const groups: ConsumerGroup[] = [];
  const group = (id = 'g'): ConsumerGroup => {
    const g = new ConsumerGroup(id, 10, () => undefined);
    groups.push(g);
    return g;
  };
  afterEach(() => {
    for (const g of groups.splice(0)) g.close();
  });

  it('JoinGroup v4+: a member without an id gets one with MEMBER_ID_REQUIRED, then joins with it, leads generation 1, and syncs its own assignment', async () => {
    const g = group();
    const first = await g.join(params({ requireKnownMemberId: true, clientId: 'app' }));
    expect(first.errorCode).to.equal(E.MEMBER_ID_REQUIRED);
    expect(first.memberId).to.match(/^app-/);
    const joined = await g.join(params({ memberId: first.memberId, requireKnownMemberId: true }));
    expect(joined).to.deep.include({ errorCode: E.NONE, generationId: 1, protocolName: 'range', leader: first.memberId, memberId: first.memberId });
    expect(joined.members.map((m) => [m.memberId, m.metadata.toString()])).to.deep.equal([[first.memberId, 'm']]);
    expect(g.state).to.equal('CompletingRebalance');
    const synced = await g.sync(first.memberId, 1, [{ memberId: first.memberId, assignment: Buffer.from('all') }]);
    expect(synced.errorCode).to.equal(E.NONE);
    expect(synced.assignment.toString()).to.equal('all');
    expect(g.state).to.equal('Stable');
    expect(g.heartbeat(first.memberId, 1)).to.equal(E.NONE);
  });

  it('a second member starts a rebalance: the first learns it from its heartbeat, rejoins, and both get generation 2 (the leader with the member list)', async () => {
    const g = group();
    const a = await g.join(params({ clientId: 'a' }));
    await g.sync(a.memberId, 1, [{ memberId: a.memberId, assignment: Buffer.from('p0') }]);
    const bJoin = g.join(params({ clientId: 'b' }));
    expect(g.state).to.equal('PreparingRebalance');
    expect(g.heartbeat(a.memberId, 1)).to.equal(E.REBALANCE_IN_PROGRESS);
    expect((await g.sync(a.memberId, 1, [])).errorCode).to.equal(E.REBALANCE_IN_PROGRESS);
    const aJoin = await g.join(params({ memberId: a.memberId }));
    const b = await bJoin;
    expect([aJoin.generationId, b.generationId]).to.deep.equal([2, 2]);
    expect(aJoin.leader).to.equal(a.memberId);
    expect(aJoin.members.map((m) => m.memberId)).to.deep.equal([a.memberId, b.memberId]);
    expect(b.members).to.deep.equal([]);
    // Followers wait in SyncGroup until the leader assigns.
    const bSync = g.sync(b.memberId, 2, []);
    const aSync = await g.sync(a.memberId, 2, [{ memberId: a.memberId, assignment: Buffer.alloc(0) }, { memberId: b.memberId, assignment: Buffer.from('p0') }]);
    expect(aSync.assignment.length).to.equal(0);
    expect((await bSync).assignment.toString()).to.equal('p0');
    expect(g.heartbeat(a.memberId, 1)).to.equal(E.ILLEGAL_GENERATION);
  });

  it('chooses a protocol every member supports, and refuses a member that shares none (INCONSISTENT_GROUP_PROTOCOL)', async () => {
    const g = group();
    const proto = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    const a = g.join(params({ protocols: proto('roundrobin', 'range') }));
    const first = await a;
    const bJoin = g.join(params({ protocols: proto('range') }));
    const aAgain = await g.join(params({ memberId: first.memberId, protocols: proto('roundrobin', 'range') }));
    expect(aAgain.protocolName).to.equal('range');
    expect(aAgain.members.map((m) => m.metadata.toString())).to.deep.equal(['range', 'range']);
    await bJoin;
    const refused = await g.join(params({ protocols: proto('sticky') }));
    expect(refused.errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await g.join(params({ protocolType: 'connect' }))).errorCode).to.equal(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('drops a member whose session expires, and the rest rebalance', async () => {
    const g = group();
    const a = await g.join(params({ sessionTimeoutMs: 40 }));
    await g.sync(a.memberId, 1, []);
    await until(() => g.state === 'Empty', 'the expired member was not dropped');
    expect(g.generationId).to.equal(2);
    expect(g.heartbeat(a.memberId, 1)).to.equal(E.UNKNOWN_MEMBER_ID);
    expect(g.isVacant).to.equal(true);
  });

  it('a member that does not rejoin within the rebalance timeout is dropped, and the generation goes on without it', async () => {
    const g = group();
    const a = await g.join(params({ clientId: 'a', rebalanceTimeoutMs: 60 }));
    await g.sync(a.memberId, 1, []);
    let b: JoinResult | undefined;
    void g.join(params({ clientId: 'b', rebalanceTimeoutMs: 60 })).then((r) => (b = r));
    await until(() => b !== undefined, 'the rebalance did not complete at its timeout');
    expect(b).to.deep.include({ errorCode: E.NONE, generationId: 2 });
    expect(b?.leader).to.equal(b?.memberId);
    expect(g.heartbeat(a.memberId, 2)).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('LeaveGroup rebalances the rest; the last member leaving empties the group', async () => {
    const g = group();
    const a = await g.join(params());
    await g.sync(a.memberId, 1, []);
    expect(g.leave('nobody')).to.equal(E.UNKNOWN_MEMBER_ID);
    expect(g.leave(a.memberId)).to.equal(E.NONE);
    expect(g.state).to.equal('Empty');
    expect(g.isVacant).to.equal(true);
  });

  it('accepts commits from outside (generation -1) only while empty, and from members of the current generation', async () => {
    const g = group();
    expect(g.commitAllowed('', -1)).to.equal(E.NONE);
    const a = await g.join(params());
    expect(g.commitAllowed(a.memberId, 1)).to.equal(E.REBALANCE_IN_PROGRESS); // awaiting SyncGroup
    await g.sync(a.memberId, 1, []);
    expect(g.commitAllowed(a.memberId, 1)).to.equal(E.NONE);
    expect(g.commitAllowed(a.memberId, 0)).to.equal(E.ILLEGAL_GENERATION);
    expect(g.commitAllowed('', -1)).to.equal(E.UNKNOWN_MEMBER_ID);
  });

  it('refuses members beyond its bound (GROUP_MAX_SIZE_REACHED)', async () => {
    const g = new ConsumerGroup('small', 1, () => undefined);
    groups.push(g);
    await g.join(params());
    expect((await g.join(params())).errorCode).to.equal(E.GROUP_MAX_SIZE_REACHED);
  });
});
