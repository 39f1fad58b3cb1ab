import { limits } from '../../../limits.js';
import type { KafkaClientConnection, KafkaContext } from '../KafkaContext.js';

/** The longest group id the log stores offsets for (UTF-8 bytes; `log.groups` refuses longer ones). */

/** A group id the listener can serve: non-empty, and short enough to have stored offsets. */
export function isValidGroupId(groupId: string): boolean {
  return groupId.length > 0 && Buffer.byteLength(groupId, 'utf8') <= limits.groupNameBytesMax;
}

/**
 * Whether this connection may use a group: a token that may read every topic the group has
 * committed offsets for (so a group's positions never reveal topics the token cannot read, and a
 * token cannot move another tenant's group). A group without offsets is open to any token.
 */
export function mayUseGroup(ctx: KafkaContext, conn: KafkaClientConnection, groupId: string): boolean {
  if (conn.permissions.readsEverything) return true;
  for (const o of ctx.log.groups.fetch(groupId)) if (!conn.permissions.canRead(o.key)) return false;
  return true;
}
