import type { ProtocolVersion } from '../../protocol/ProtocolVersion.js';
import type { Permissions } from '../auth/Permissions.js';
import type { BrokerContext } from '../BrokerContext.js';
import type { PushOutput, Subscription } from '../subscriptions/Subscription.js';

/** The connection as handlers see it. */
export interface RequestConnection extends PushOutput {
  readonly id: number;
  readonly permissions: Permissions;
  readonly subscriptions: Map<number, Subscription>;
  /** Record a successful Hello. */
  authenticate(principal: string, permissions: Permissions): void;
}

/**
 * Serves one request type. Throws BrokerError or a storage error to answer with an error.
 * `version` is the request frame's protocol version: the response is encoded in it.
 */
export type Handler<Req, Res> = (ctx: BrokerContext, conn: RequestConnection, request: Req, version: ProtocolVersion) => Promise<Res> | Res;
