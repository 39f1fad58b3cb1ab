import type { Logger, LogFields } from './Logger.js';

/** What a connection counted over its life, as its closing log line reports it. */
export interface ConnectionTally {
  readonly id: number;
  readonly remote: string;
  readonly principal: string;
  readonly openedAtMs: number;
  readonly requests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly reason: string | undefined;
  /** The broker cut it off for a bound: worth an operator's attention. */
  readonly cutOff: boolean;
}

/**
 * One line per closed connection, native or Kafka: at info when the broker cut it off, else at
 * debug (where it pairs with the opening line). `extra` comes after the remote address.
 *
 * @example
 * logConnectionClosed(logger, 'connection_closed', { id: 7, remote: '127.0.0.1:5123', principal: 'anonymous', openedAtMs, requests: 3, bytesIn: 120, bytesOut: 96, reason: undefined, cutOff: false });
 */
export function logConnectionClosed(logger: Logger, event: string, tally: ConnectionTally, extra: LogFields = {}): void {
  const fields: LogFields = {
    connection: tally.id,
    remote: tally.remote,
    ...extra,
    principal: tally.principal,
    durationMs: Date.now() - tally.openedAtMs,
    requests: tally.requests,
    bytesIn: tally.bytesIn,
    bytesOut: tally.bytesOut,
    reason: tally.reason ?? 'closed',
  };
  if (tally.cutOff) logger.info(event, fields);
  else logger.debug(event, fields);
}
