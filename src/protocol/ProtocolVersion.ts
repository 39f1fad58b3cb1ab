/**
 * Versions of the native protocol. A frame carries the version of its body's schema; Hello
 * negotiates the highest version both sides speak (see docs/protocol.md, section 5).
 *
 * - 1: the first version.
 * - 2: records carry headers (Append); entries carry their append time, offset and headers (Scan,
 *   SubscriptionBatch); Scan and Subscribe may start at a time; Seal says what it sealed.
 */
export type ProtocolVersion = 1 | 2;

/** Every version this build speaks, oldest first. */
export const protocolVersions: readonly ProtocolVersion[] = [1, 2];

/** The newest version this build speaks: what a client offers in Hello. */
export const latestProtocolVersion = 2 satisfies ProtocolVersion;

/**
 * The version every broker reads: Hello is sent in a frame of this version (its body is the same
 * in every version), and connection-level errors carry it.
 */
export const baseProtocolVersion = 1 satisfies ProtocolVersion;

export function isProtocolVersion(n: number): n is ProtocolVersion {
  return n === 1 || n === 2;
}
