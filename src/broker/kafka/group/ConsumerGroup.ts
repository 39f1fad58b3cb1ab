import { randomUUID } from 'node:crypto';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import { GroupMember, type JoinResult, type MemberProtocol, type SyncResult } from './GroupMember.js';

/** Kafka's classic group states (Dead groups are simply dropped from the coordinator). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

/** A JoinGroup, as the group needs it. */
export interface JoinParams {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly MemberProtocol[];
  /** JoinGroup v4+: a member without an id is first given one (MEMBER_ID_REQUIRED) and joins again with it. */
  readonly requireKnownMemberId: boolean;
}

/** What a group tells about itself (DescribeGroups). */
export interface GroupDescription {
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

const empty = Buffer.alloc(0);

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

/**
 * One consumer group's membership, after Kafka's classic group coordinator: members join
 * (JoinGroup), the group waits until every known member has rejoined or the longest rebalance
 * timeout passed (members that did not rejoin are dropped), then opens a new generation with the
 * protocol every member supports (the one most members prefer), answers every member (the leader
 * with the member list), and waits for the leader's assignments (SyncGroup), which each member
 * then receives. A member that neither heartbeats nor waits for an answer for its session timeout
 * is dropped, which starts a rebalance, as does a member leaving or joining.
 *
 * Error answers are Kafka's: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (the
 * client rejoins), INCONSISTENT_GROUP_PROTOCOL, MEMBER_ID_REQUIRED, GROUP_MAX_SIZE_REACHED.
 *
 * @example
 * const answer = await group.join({ memberId: '', protocolType: 'consumer', protocols, ... });
 */
export class ConsumerGroup {
  private groupState: GroupState = 'Empty';
  private generation = 0;
  private protocolType: string | undefined;
  private protocolName: string | undefined;
  private leaderId: string | undefined;
  private readonly members = new Map<string, GroupMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, until their holder joins with them. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly groupId: string,
    private readonly membersMax: number,
    /** Called whenever the group holds no member and no pending id (the coordinator may drop it). */
    private readonly onVacant: (group: ConsumerGroup) => void,
    private readonly onMemberExpired: (group: ConsumerGroup, member: GroupMember) => void = () => undefined,
  ) {}

  get state(): GroupState {
    return this.groupState;
  }

  get generationId(): number {
    return this.generation;
  }

  get isVacant(): boolean {
    return this.members.size === 0 && this.pending.size === 0;
  }

  join(p: JoinParams): Promise<JoinResult> {
    if (!this.accepts(p)) return Promise.resolve(joinError(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId));
    if (p.memberId === '') {
      if (this.members.size + this.pending.size >= this.membersMax) return Promise.resolve(joinError(KafkaErrorCode.GROUP_MAX_SIZE_REACHED, ''));
      const memberId = `${p.clientId === '' ? 'member' : p.clientId}-${randomUUID()}`;
      if (p.requireKnownMemberId) {
        this.pending.set(memberId, setTimeout(() => this.dropPending(memberId), p.sessionTimeoutMs));
        return Promise.resolve(joinError(KafkaErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMember(memberId, p);
    }
    const pendingTimer = this.pending.get(p.memberId);
    if (pendingTimer !== undefined) {
      clearTimeout(pendingTimer);
      this.pending.delete(p.memberId);
      return this.addMember(p.memberId, p);
    }
    const member = this.members.get(p.memberId);
    if (member === undefined) return Promise.resolve(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, p.memberId));
    return this.rejoin(member, p);
  }

  sync(memberId: string, generationId: number, assignments: readonly { memberId: string; assignment: Uint8Array }[]): Promise<SyncResult> {
    const member = this.members.get(memberId);
    if (member === undefined) return Promise.resolve({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: empty });
    if (generationId !== this.generation) return Promise.resolve({ errorCode: KafkaErrorCode.ILLEGAL_GENERATION, assignment: empty });
    switch (this.groupState) {
      case 'PreparingRebalance':
        return Promise.resolve({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: empty });
      case 'Stable':
        this.keepAlive(member);
        return Promise.resolve({ errorCode: KafkaErrorCode.NONE, assignment: member.assignment });
      case 'Empty':
        return Promise.resolve({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: empty });
      case 'CompletingRebalance': {
        const answer = new Promise<SyncResult>((resolve) => {
          member.syncWaiter?.({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: empty });
          member.syncWaiter = resolve;
        });
        member.pauseSession();
        if (memberId === this.leaderId) this.assign(assignments);
        return answer;
      }
    }
  }

  heartbeat(memberId: string, generationId: number): number {
    if (this.groupState === 'Empty') return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    const member = this.members.get(memberId);
    if (member === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return KafkaErrorCode.ILLEGAL_GENERATION;
    this.keepAlive(member);
    return this.groupState === 'PreparingRebalance' ? KafkaErrorCode.REBALANCE_IN_PROGRESS : KafkaErrorCode.NONE;
  }

  leave(memberId: string): number {
    const pendingTimer = this.pending.get(memberId);
    if (pendingTimer !== undefined) {
      this.dropPending(memberId);
      return KafkaErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (member === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    this.remove(member);
    return KafkaErrorCode.NONE;
  }

  /** Whether an OffsetCommit from this member and generation may be stored (Kafka's rules). */
  commitAllowed(memberId: string, generationId: number): number {
    if (generationId < 0 && this.groupState === 'Empty') return KafkaErrorCode.NONE;
    if (this.groupState === 'CompletingRebalance') return KafkaErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (member === undefined) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return KafkaErrorCode.ILLEGAL_GENERATION;
    this.keepAlive(member);
    return KafkaErrorCode.NONE;
  }

  describe(): GroupDescription {
    const protocol = this.groupState === 'Stable' || this.groupState === 'CompletingRebalance' ? this.protocolName ?? '' : '';
    return {
      state: this.groupState,
      protocolType: this.protocolType ?? '',
      protocolName: protocol,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: protocol === '' ? empty : m.metadataFor(protocol),
        assignment: m.assignment,
      })),
    };
  }

  /** Stop every timer and answer every waiting member (the listener is shutting down). */
  close(): void {
    clearTimeout(this.rebalanceTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const m of this.members.values()) {
      m.pauseSession();
      m.joinWaiter?.(joinError(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
      m.syncWaiter?.({ errorCode: KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: empty });
      m.joinWaiter = undefined;
      m.syncWaiter = undefined;
    }
  }

  // ---- membership ------------------------------------------------------------------------------------

  /** Same protocol type, and at least one protocol every other member supports too. */
  private accepts(p: JoinParams): boolean {
    if (p.protocolType === '' || p.protocols.length === 0) return false;
    const others = [...this.members.values()].filter((m) => m.memberId !== p.memberId);
    if (others.length === 0) return true;
    if (p.protocolType !== this.protocolType) return false;
    return p.protocols.some((candidate) => others.every((m) => m.protocols.some((q) => q.name === candidate.name)));
  }

  private addMember(memberId: string, p: JoinParams): Promise<JoinResult> {
    const member = new GroupMember(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocolType, copyProtocols(p.protocols));
    this.members.set(memberId, member);
    this.protocolType = p.protocolType;
    const answer = this.awaitJoin(member);
    if (this.groupState === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  private rejoin(member: GroupMember, p: JoinParams): Promise<JoinResult> {
    const unchanged = member.sameProtocols(p.protocols);
    if ((this.groupState === 'CompletingRebalance' && unchanged) || (this.groupState === 'Stable' && unchanged && member.memberId !== this.leaderId)) {
      // Nothing for the group to do: the member gets the current generation again.
      this.keepAlive(member);
      return Promise.resolve(this.joinAnswer(member));
    }
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.protocolType = p.protocolType;
    if (!unchanged) member.protocols = copyProtocols(p.protocols);
    const answer = this.awaitJoin(member);
    if (this.groupState === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  private awaitJoin(member: GroupMember): Promise<JoinResult> {
    member.pauseSession();
    return new Promise<JoinResult>((resolve) => {
      member.joinWaiter?.(joinError(KafkaErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.joinWaiter = resolve;
    });
  }

  private remove(member: GroupMember): void {
    member.pauseSession();
    this.members.delete(member.memberId);
    member.joinWaiter?.(joinError(KafkaErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.syncWaiter?.({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: empty });
    member.joinWaiter = undefined;
    member.syncWaiter = undefined;
    if (this.groupState === 'PreparingRebalance') this.maybeCompleteJoin();
    else if (this.groupState !== 'Empty') this.prepareRebalance();
    if (this.isVacant) this.onVacant(this);
  }

  private dropPending(memberId: string): void {
    clearTimeout(this.pending.get(memberId));
    this.pending.delete(memberId);
    this.maybeCompleteJoin();
    if (this.isVacant) this.onVacant(this);
  }

  private keepAlive(member: GroupMember): void {
    if (member.joinWaiter !== undefined || member.syncWaiter !== undefined) return;
    member.keepAlive(() => {
      if (this.members.get(member.memberId) !== member) return;
      this.onMemberExpired(this, member);
      this.remove(member);
    });
  }

  // ---- rebalance --------------------------------------------------------------------------------------

  private prepareRebalance(): void {
    if (this.groupState === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        m.assignment = empty;
        m.syncWaiter?.({ errorCode: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: empty });
        m.syncWaiter = undefined;
        if (m.joinWaiter === undefined) this.keepAlive(m);
      }
    }
    if (this.groupState !== 'PreparingRebalance') {
      this.groupState = 'PreparingRebalance';
      let timeoutMs = 0;
      for (const m of this.members.values()) timeoutMs = Math.max(timeoutMs, m.rebalanceTimeoutMs);
      clearTimeout(this.rebalanceTimer);
      this.rebalanceTimer = setTimeout(() => this.completeJoin(), timeoutMs);
    }
    this.maybeCompleteJoin();
  }

  private maybeCompleteJoin(): void {
    if (this.groupState !== 'PreparingRebalance' || this.pending.size > 0) return;
    for (const m of this.members.values()) if (m.joinWaiter === undefined) return;
    this.completeJoin();
  }

  /** Open the next generation with the members that rejoined (the others are dropped). */
  private completeJoin(): void {
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    if (this.groupState !== 'PreparingRebalance') return;
    for (const m of [...this.members.values()]) {
      if (m.joinWaiter !== undefined) continue;
      m.pauseSession();
      m.syncWaiter?.({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: empty });
      this.members.delete(m.memberId);
    }
    this.generation++;
    if (this.members.size === 0) {
      this.groupState = 'Empty';
      this.protocolName = undefined;
      this.leaderId = undefined;
      if (this.isVacant) this.onVacant(this);
      return;
    }
    this.protocolName = this.chooseProtocol();
    if (this.leaderId === undefined || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value as string;
    this.groupState = 'CompletingRebalance';
    for (const m of this.members.values()) {
      const resolve = m.joinWaiter;
      m.joinWaiter = undefined;
      this.keepAlive(m);
      resolve?.(this.joinAnswer(m));
    }
  }

  private joinAnswer(member: GroupMember): JoinResult {
    const protocol = this.protocolName ?? '';
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: KafkaErrorCode.NONE,
      generationId: this.generation,
      protocolName: protocol,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader ? [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) })) : [],
    };
  }

  /** Among the protocols every member supports, the one most members list first (ties: the leader's order). */
  private chooseProtocol(): string {
    const members = [...this.members.values()];
    const common = members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((q) => q.name === name)));
    const votes = new Map<string, number>(common.map((name) => [name, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = common[0];
    for (const name of common) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  /** The leader's SyncGroup: store every member's assignment, answer every waiting member. */
  private assign(assignments: readonly { memberId: string; assignment: Uint8Array }[]): void {
    for (const m of this.members.values()) m.assignment = empty;
    for (const a of assignments) {
      const m = this.members.get(a.memberId);
      if (m !== undefined) m.assignment = Buffer.from(a.assignment);
    }
    this.groupState = 'Stable';
    for (const m of this.members.values()) {
      const resolve = m.syncWaiter;
      m.syncWaiter = undefined;
      if (resolve === undefined) continue;
      this.keepAlive(m);
      resolve({ errorCode: KafkaErrorCode.NONE, assignment: m.assignment });
    }
  }
}

function copyProtocols(protocols: readonly MemberProtocol[]): MemberProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}
