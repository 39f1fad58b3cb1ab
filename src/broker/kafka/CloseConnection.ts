/**
 * Thrown by a handler when the request is answered (or not) by closing the connection, as Kafka
 * does: after a failed authentication (with `answer`, written first), or a Produce with acks 0
 * that failed (the client has no other way to learn it). The handler logs why, through
 * `conn.refuse`, before throwing.
 */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';

  constructor(
    readonly reason: string,
    /** Written before the connection closes. */
    readonly answer?: Buffer,
  ) {
    super(reason);
  }
}
