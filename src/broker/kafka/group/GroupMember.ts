/** A protocol (assignor) a member supports, with its subscription metadata. */
export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** What a JoinGroup is answered with. */
export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly memberId: string;
  /** For the leader only: every member with its metadata for the chosen protocol. */
  readonly members: readonly { readonly memberId: string; readonly groupInstanceId: string | null; readonly metadata: Buffer }[];
}

/** What a SyncGroup is answered with. */
export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

/**
 * One member of a consumer group: its settings from its latest JoinGroup, the answers it waits
 * for (a JoinGroup held during a rebalance, a SyncGroup held until the leader assigns), and its
 * session deadline, which runs only while it waits for nothing (Kafka's rule: a member blocked
 * in JoinGroup or SyncGroup is alive).
 */
export class GroupMember {
  assignment: Buffer = Buffer.alloc(0);
  joinWaiter: ((result: JoinResult) => void) | undefined;
  syncWaiter: ((result: SyncResult) => void) | undefined;
  private sessionTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocolType: string,
    public protocols: readonly MemberProtocol[],
  ) {}

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  sameProtocols(protocols: readonly MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  /** (Re)start the session deadline: `onExpired` runs unless a heartbeat or request comes first. */
  keepAlive(onExpired: () => void): void {
    clearTimeout(this.sessionTimer);
    this.sessionTimer = setTimeout(onExpired, this.sessionTimeoutMs);
  }

  /** Stop the session deadline (the member waits for an answer, or is gone). */
  pauseSession(): void {
    clearTimeout(this.sessionTimer);
    this.sessionTimer = undefined;
  }
}
