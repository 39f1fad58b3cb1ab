/**
 * Version ranges written as Kafka's JSON message definitions write them, so a field's line here
 * can be checked against `clients/src/main/resources/common/message/*.json` by eye:
 * `'3+'` (3 and later), `'2-4'` (2 to 4 inclusive), `'1'` (only 1).
 */
export type VersionSpec = `${number}+` | `${number}-${number}` | `${number}`;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export function parseVersions(spec: VersionSpec): VersionRange {
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { min: Number(plus[1]), max: Number.POSITIVE_INFINITY };
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const single = /^(\d+)$/.exec(spec);
  if (single) return { min: Number(single[1]), max: Number(single[1]) };
  throw new Error(`bad version spec '${spec}'`);
}

export function inVersions(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}
