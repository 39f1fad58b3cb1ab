import { ErrorCode } from '../../protocol/ErrorCode.js';
import type { HelloRequest, HelloResponse } from '../../protocol/messages/hello.js';
import type { PingRequest, PingResponse } from '../../protocol/messages/ping.js';
import { latestProtocolVersion } from '../../protocol/ProtocolVersion.js';
import { limits } from '../../limits.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler } from './Handler.js';

export const hello: Handler<HelloRequest, HelloResponse> = (ctx, conn, request) => {
  if (request.protocolVersion !== latestProtocolVersion) {
    throw new BrokerError(ErrorCode.UnsupportedVersion, `this broker speaks protocol version ${latestProtocolVersion}, the client asked for ${request.protocolVersion}`);
  }
  const auth = ctx.authenticator.authenticate(request.authToken);
  if (auth === undefined) {
    ctx.stats.authFailuresTotal++;
    ctx.logger.warn('auth_failed', { connection: conn.id, client: request.clientId, reason: request.authToken === null ? 'no token' : 'unknown token' });
    throw new BrokerError(ErrorCode.Unauthorized, 'a valid auth token is required: pass it in Hello (odlog --token or ODLOG_TOKEN)');
  }
  conn.authenticate(auth.principal, auth.permissions);
  ctx.logger.info('hello', { connection: conn.id, client: request.clientId, principal: auth.principal });
  const c = ctx.config;
  return {
    protocolVersion: latestProtocolVersion,
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
