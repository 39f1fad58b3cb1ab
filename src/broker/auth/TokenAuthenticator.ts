import { createHash, timingSafeEqual } from 'node:crypto';
import { Permissions } from './Permissions.js';
import type { TokenGrant } from './TokenGrant.js';

/** A token that passed, with what it may do. */
export interface Authenticated {
  readonly principal: string;
  readonly permissions: Permissions;
}

/**
 * Checks Hello tokens. Tokens are compared as SHA-256 digests with timingSafeEqual, so the
 * comparison takes the same time whatever the token's length or how much of it matches, and
 * every configured token is compared (no early exit revealing which one was close).
 */
export class TokenAuthenticator {
  private readonly grants: { digest: Buffer; name: string; permissions: Permissions }[];

  constructor(authToken: string | undefined, tokens: readonly TokenGrant[]) {
    this.grants = tokens.map((t) => ({ digest: digest(t.token), name: t.name, permissions: new Permissions(t.append, t.read, t.admin) }));
    if (authToken !== undefined) this.grants.push({ digest: digest(authToken), name: 'auth-token', permissions: Permissions.full });
  }

  /** Whether a token is needed at all. */
  get required(): boolean {
    return this.grants.length > 0;
  }

  authenticate(token: string | null): Authenticated | undefined {
    if (!this.required) return { principal: 'anonymous', permissions: Permissions.full };
    const given = digest(token ?? '');
    let match: Authenticated | undefined;
    for (const grant of this.grants) {
      if (timingSafeEqual(given, grant.digest) && match === undefined) match = { principal: grant.name, permissions: grant.permissions };
    }
    return token === null ? undefined : match;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
