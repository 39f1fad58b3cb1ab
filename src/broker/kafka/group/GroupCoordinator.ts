import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { Logger } from '../../Logger.js';
import { ConsumerGroup, type GroupDescription, type JoinParams } from './ConsumerGroup.js';
import type { JoinResult, SyncResult } from './GroupMember.js';

/** Bounds and session timeouts the coordinator enforces. */
export interface CoordinatorLimits {
  readonly activeGroupsMax: number;
  readonly membersPerGroupMax: number;
  readonly sessionTimeoutMsMin: number;
  readonly sessionTimeoutMsMax: number;
}

/**
 * The single broker's group coordinator: the groups with members, in memory (membership is
 * rebuilt by the clients after a restart: they rejoin when the coordinator no longer knows them).
 * Committed offsets are not kept here but in the log (`log.groups`), so they survive restarts.
 * A group that has no member and no pending member id is dropped from memory.
 *
 * @example
 * const joined = await coordinator.join('billing', { memberId: '', protocolType: 'consumer', ... });
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    private readonly bounds: CoordinatorLimits,
    private readonly logger: Logger,
  ) {}

  join(groupId: string, p: JoinParams): Promise<JoinResult> {
    const refuse = (errorCode: number): Promise<JoinResult> => Promise.resolve({ errorCode, generationId: -1, protocolName: '', leader: '', memberId: p.memberId, members: [] });
    if (groupId === '') return refuse(KafkaErrorCode.INVALID_GROUP_ID);
    if (p.sessionTimeoutMs < this.bounds.sessionTimeoutMsMin || p.sessionTimeoutMs > this.bounds.sessionTimeoutMsMax) return refuse(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    let group = this.groups.get(groupId);
    if (group === undefined) {
      if (p.memberId !== '') return refuse(KafkaErrorCode.UNKNOWN_MEMBER_ID);
      if (this.groups.size >= this.bounds.activeGroupsMax) {
        this.logger.warn('kafka_groups_full', { group: groupId, max: this.bounds.activeGroupsMax });
        return refuse(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
      group = new ConsumerGroup(groupId, this.bounds.membersPerGroupMax, (g) => this.dropIfVacant(g), (g, m) =>
        this.logger.info('kafka_member_expired', { group: g.groupId, member: m.memberId, client: m.clientId, sessionTimeoutMs: m.sessionTimeoutMs }),
      );
      this.groups.set(groupId, group);
    }
    // JoinGroup v0 has no rebalance timeout: Kafka uses the session timeout.
    return group.join({ ...p, rebalanceTimeoutMs: p.rebalanceTimeoutMs < 0 ? p.sessionTimeoutMs : p.rebalanceTimeoutMs });
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: readonly { memberId: string; assignment: Uint8Array }[]): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    if (group === undefined) return Promise.resolve({ errorCode: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    return group.sync(memberId, generationId, assignments);
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    return this.groups.get(groupId)?.heartbeat(memberId, generationId) ?? KafkaErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberId: string): number {
    return this.groups.get(groupId)?.leave(memberId) ?? KafkaErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * Whether an OffsetCommit may be stored: a commit from outside a group (generation -1) is
   * accepted while the group has no members, as Kafka does; a member's must match its generation.
   */
  commitAllowed(groupId: string, memberId: string, generationId: number): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return generationId < 0 ? KafkaErrorCode.NONE : KafkaErrorCode.ILLEGAL_GENERATION;
    return group.commitAllowed(memberId, generationId);
  }

  /** The group's state, or undefined when it has no members (it may still have committed offsets). */
  describe(groupId: string): GroupDescription | undefined {
    return this.groups.get(groupId)?.describe();
  }

  /** Groups with members, and their protocol type. */
  activeGroups(): { groupId: string; protocolType: string }[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.describe().protocolType }));
  }

  close(): void {
    for (const group of this.groups.values()) group.close();
    this.groups.clear();
  }

  private dropIfVacant(group: ConsumerGroup): void {
    if (group.isVacant && group.state === 'Empty' && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }
}
