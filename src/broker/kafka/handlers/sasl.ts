import { saslAuthenticateApi } from '../../../protocol/kafka/apis/saslAuthenticate.js';
import { saslHandshakeApi } from '../../../protocol/kafka/apis/saslHandshake.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import { CloseConnection } from '../CloseConnection.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';

const mechanism = 'PLAIN';
const emptyBytes = Buffer.alloc(0);

/** SaslHandshake: PLAIN is the one mechanism; the client then sends its token (see KafkaConnection). */
export const saslHandshake: KafkaHandler = (_ctx, conn, header, payload) => {
  const request = saslHandshakeApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  if (request.mechanism !== mechanism) {
    conn.refuse('sasl_mechanism', { mechanism: request.mechanism, reason: 'only SASL/PLAIN is served (username = token name, password = token)' });
    return saslHandshakeApi.encodeResponse(header.apiVersion, header.correlationId, { errorCode: KafkaErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [mechanism] });
  }
  conn.saslHandshake(header.apiVersion);
  return saslHandshakeApi.encodeResponse(header.apiVersion, header.correlationId, { errorCode: KafkaErrorCode.NONE, mechanisms: [mechanism] });
};

/** SaslAuthenticate (after SaslHandshake v1): one PLAIN exchange. A failure is answered, then the connection closes. */
export const saslAuthenticate: KafkaHandler = (ctx, conn, header, payload) => {
  const request = saslAuthenticateApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const failure = authenticatePlain(ctx, conn, request.authBytes);
  const answer = saslAuthenticateApi.encodeResponse(header.apiVersion, header.correlationId, {
    errorCode: failure === undefined ? KafkaErrorCode.NONE : KafkaErrorCode.SASL_AUTHENTICATION_FAILED,
    errorMessage: failure ?? null,
    authBytes: emptyBytes,
    sessionLifetimeMs: 0,
  });
  if (failure !== undefined) throw new CloseConnection('SASL authentication failed', answer);
  return answer;
};

/**
 * The answer to a bare SASL token (after SaslHandshake v0): an empty frame when it passed,
 * undefined when it did not (Kafka then closes the connection without an answer).
 */
export function answerSaslToken(ctx: KafkaContext, conn: KafkaClientConnection, token: Buffer): Buffer | undefined {
  return authenticatePlain(ctx, conn, token) === undefined ? Buffer.alloc(4) : undefined;
}

/** Check a PLAIN message (`authzid \0 username \0 password`); undefined when it passed, else why not. */
function authenticatePlain(ctx: KafkaContext, conn: KafkaClientConnection, bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parts = text.split('\0');
  if (parts.length !== 3) {
    ctx.stats.authFailuresTotal++;
    conn.refuse('auth_failed', { reason: 'the SASL/PLAIN message is not "authzid NUL username NUL password"' });
    return 'malformed SASL/PLAIN message';
  }
  const [, username, password] = parts;
  const auth = ctx.authenticator.authenticate(password);
  if (auth === undefined || (ctx.authenticator.required && auth.principal !== username)) {
    ctx.stats.authFailuresTotal++;
    conn.refuse('auth_failed', { username, reason: auth === undefined ? 'unknown token' : `the token is ${JSON.stringify(auth.principal)}'s, not ${JSON.stringify(username)}'s` });
    return 'authentication failed: the username is the token name and the password the token (see the broker\'s "tokens")';
  }
  conn.authenticate(auth.principal, auth.permissions);
  ctx.logger.info('kafka_authenticated', { connection: conn.id, client: conn.clientId, principal: auth.principal });
  return undefined;
}
