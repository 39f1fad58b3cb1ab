/**
 * Versions of the native protocol. A frame carries the version of its body's schema.
 *
 * - 1: the first version.
 */
export type ProtocolVersion = 1;

/** Every version this build speaks, oldest first. */
export const protocolVersions: readonly ProtocolVersion[] = [1];

/** The newest version this build speaks. */
export const latestProtocolVersion = 1 satisfies ProtocolVersion;

/** The version every broker reads: Hello is sent in a frame of this version, and connection-level errors carry it. */
export const baseProtocolVersion = 1 satisfies ProtocolVersion;

export function isProtocolVersion(n: number): n is ProtocolVersion {
  return n === 1;
}
