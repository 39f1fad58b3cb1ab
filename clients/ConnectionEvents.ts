import { describeValue } from './ArgumentChecks.js';
import { InvalidArgumentError, type ConnectionLostError } from './errors.js';

/**
 * What a BrokerConnection reports, and each listener's argument.
 *
 * @example
 * client.connection.on('disconnected', ({ cause }) => console.warn(`broker lost: ${cause.message}`));
 */
export interface ConnectionEventMap {
  /** A connection completed Hello: the first one, and each one after a reconnect. */
  connected: () => void;
  /** The connection was lost; requests in flight failed with `cause`. Reconnecting follows unless it is off. */
  disconnected: (event: { readonly cause: Error }) => void;
  /**
   * A reconnect attempt (numbered from 1) will be made in `delayMs`; `cause` is why the connection
   * or the previous attempt failed.
   */
  reconnecting: (event: { readonly attempt: number; readonly delayMs: number; readonly cause: Error }) => void;
  /** Connected again (after `connected`), at the `attempts`-th attempt, `downtimeMs` after the loss. */
  reconnected: (event: { readonly attempts: number; readonly downtimeMs: number }) => void;
  /** The connection is lost for good (reconnecting gave up, or is off); the connection closes next. */
  error: (error: ConnectionLostError) => void;
  /** The connection is closed: by `close()` (`error` undefined) or because it was lost for good. */
  closed: (event: { readonly error: ConnectionLostError | undefined }) => void;
}

export type ConnectionEventName = keyof ConnectionEventMap;

/**
 * Listener sets for the connection's events. A listener that throws does not stop the others nor
 * the connection; its exception is rethrown on a fresh stack, so that it surfaces as an uncaught
 * exception (as from an EventEmitter listener) instead of being swallowed.
 */
export class ConnectionEvents {
  private readonly listeners: { [E in ConnectionEventName]: Set<ConnectionEventMap[E]> } = {
    connected: new Set(),
    disconnected: new Set(),
    reconnecting: new Set(),
    reconnected: new Set(),
    error: new Set(),
    closed: new Set(),
  };

  on<E extends ConnectionEventName>(event: E, listener: ConnectionEventMap[E]): () => void {
    if (typeof event !== 'string' || !Object.hasOwn(this.listeners, event)) {
      throw new InvalidArgumentError(`unknown connection event ${typeof event === 'string' ? JSON.stringify(event) : describeValue(event)}; events are ${Object.keys(this.listeners).join(', ')}`);
    }
    if (typeof listener !== 'function') throw new InvalidArgumentError(`the listener must be a function, got ${describeValue(listener)}`);
    const set = this.listeners[event] as Set<ConnectionEventMap[E]>;
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<E extends ConnectionEventName>(event: E, ...args: Parameters<ConnectionEventMap[E]>): void {
    for (const listener of [...this.listeners[event]] as ((...a: Parameters<ConnectionEventMap[E]>) => void)[]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
