import type { MessageType } from './MessageType.js';
import type { VersionedBody } from './schema/BodySchema.js';

/** A request/response pair: its type number and the bodies of both, by protocol version. */
export interface MessageDefinition<Req, Res> {
  readonly type: MessageType;
  readonly name: string;
  readonly request: VersionedBody<Req>;
  readonly response: VersionedBody<Res>;
}

/** A broker-initiated frame (flag PUSH). */
export interface PushDefinition<T> {
  readonly type: MessageType;
  readonly name: string;
  readonly body: VersionedBody<T>;
}

export function defineMessage<Req, Res>(type: MessageType, name: string, request: VersionedBody<Req>, response: VersionedBody<Res>): MessageDefinition<Req, Res> {
  return { type, name, request, response };
}

export function definePush<T>(type: MessageType, name: string, body: VersionedBody<T>): PushDefinition<T> {
  return { type, name, body };
}
