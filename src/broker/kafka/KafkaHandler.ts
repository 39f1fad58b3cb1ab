import type { RequestHeader } from '../../protocol/kafka/frame/RequestHeader.js';
import type { KafkaClientConnection, KafkaContext } from './KafkaContext.js';

/**
 * Serves one request: returns the whole response frame, or undefined when the request gets no
 * answer (Produce with acks 0). Throwing closes the connection (a KafkaDecodeError is the
 * client's fault, anything else a bug, logged as an error).
 */
export type KafkaHandler = (ctx: KafkaContext, conn: KafkaClientConnection, header: RequestHeader, payload: Buffer) => Promise<Buffer | undefined> | Buffer | undefined;
