import type { MessageType } from './MessageType.js';
import { loadSchema, type BodySchema } from './Schemas.js';

/** A request/response pair: its type number and the schemas of both bodies. */
export interface MessageDefinition<Req, Res> {
  readonly type: MessageType;
  readonly name: string;
  readonly request: BodySchema<Req>;
  readonly response: BodySchema<Res>;
}

/** A broker-initiated frame (flag PUSH). */
export interface PushDefinition<T> {
  readonly type: MessageType;
  readonly name: string;
  readonly body: BodySchema<T>;
}

export function defineMessage<Req, Res>(type: MessageType, name: string, requestSchema: string, responseSchema: string): MessageDefinition<Req, Res> {
  return { type, name, request: loadSchema<Req>(requestSchema), response: loadSchema<Res>(responseSchema) };
}

export function definePush<T>(type: MessageType, name: string, schema: string): PushDefinition<T> {
  return { type, name, body: loadSchema<T>(schema) };
}
