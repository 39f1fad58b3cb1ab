import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { HelloRequest, HelloResponse } from '../../protocol/messages/hello.js';
import type { PingRequest, PingResponse } from '../../protocol/messages/ping.js';
import { latestProtocolVersion } from '../../protocol/ProtocolVersion.js';
import { limits } from '../../limits.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler } from './Handler.js';

export const hello: Handler<HelloRequest, HelloResponse> = (ctx, conn, request) => {
  // The client offers the newest version it speaks; the connection speaks the newest both do.
  if (request.protocolVersion < 1) {
    throw new BrokerError(ErrorCode.UnsupportedVersion, `protocol versions start at 1, the client offered ${request.protocolVersion}; this broker speaks 1 to ${latestProtocolVersion}`);
  }
  const version = Math.min(request.protocolVersion, latestProtocolVersion);
  const auth = ctx.authenticator.authenticate(request.authToken);
  if (auth === undefined) {
    ctx.stats.authFailuresTotal++;
    ctx.logger.warn('auth_failed', { connection: conn.id, client: request.clientId, reason: request.authToken === null ? 'no token' : 'unknown token' });
    throw new BrokerError(ErrorCode.Unauthorized, 'a valid auth token is required: pass it in Hello (odlog --token or ODLOG_TOKEN)');
  }
  conn.authenticate(auth.principal, auth.permissions);
  ctx.logger.info('hello', { connection: conn.id, client: request.clientId, principal: auth.principal, protocolVersion: version });
  const c = ctx.config;
  return {
    protocolVersion: version,
    brokerVersion: ctx.brokerVersion,
    authenticated: true,
    supportedMessages: [...ctx.supportedMessages],
    limits: {
      frameBytesMax: c.frameBytesMax,
      keyBytesMax: c.keyBytesMax,
      valueBytesMax: c.valueBytesMax,
      batchRecordsMax: c.batchRecordsMax,
      batchBytesMax: c.batchBytesMax,
      inFlightRequestsMax: c.inFlightRequestsMax,
      subscriptionsPerConnectionMax: c.subscriptionsPerConnectionMax,
      producerWindowBatches: limits.producerWindowBatches,
    },
  };
};

export const ping: Handler<PingRequest, PingResponse> = (_ctx, _conn, request) => ({ timeMs: request.timeMs, brokerTimeMs: Date.now() });
