/**
 * One configured token and what it may do. Prefixes are key prefixes (UTF-8); a missing list
 * means "any key", an empty list "no key".
 *
 * @example { "name": "tenant-a", "token": "s3cr3t-a", "append": ["tenant-a:"], "read": ["tenant-a:"] }
 */
export interface TokenGrant {
  readonly name: string;
  readonly token: string;
  readonly append?: readonly string[];
  readonly read?: readonly string[];
  /** May seal, see broker stats and every cursor. */
  readonly admin: boolean;
}
