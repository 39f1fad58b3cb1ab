import { limits } from '../limits.js';
import { InvalidArgumentError } from './errors.js';
import { awaitWrite } from './env/LmdbWrite.js';
import type { StorageTables } from './env/StorageTables.js';

/** A consumer group's committed position in one key (a Kafka topic of one partition). */
export interface GroupOffset {
  readonly group: string;
  readonly key: Buffer;
  /** The offset of the next entry the group will consume. */
  readonly offset: number;
  /** Free text the committer attached (Kafka's commit metadata). */
  readonly metadata: string;
  readonly leaderEpoch: number;
  readonly commitTimeMs: number;
}


/**
 * Committed offsets of consumer groups (the Kafka listener's), stored with the log so they
 * survive restarts. A row per (group, key):
 *
 * ```
 *   key:    u16 BE groupBytes, group (UTF-8), key bytes
 *   value:  f64 LE offset, f64 LE commitTimeMs, i32 LE leaderEpoch, u32 LE metadataBytes, metadata (UTF-8)
 * ```
 * A commit of several keys is one LMDB transaction, durable when it resolves.
 *
 * @example
 * await log.groups.commit('billing', [{ key: Buffer.from('orders'), offset: 42, metadata: '', leaderEpoch: -1 }]);
 * log.groups.fetch('billing', [Buffer.from('orders')]); // [{ group: 'billing', key, offset: 42, ... }]
 */
export class GroupOffsetStore {
  constructor(
    private readonly tables: StorageTables,
    private readonly groupsMax: number,
    private readonly checkOpen: () => void,
  ) {}

  async commit(group: string, offsets: readonly { key: Buffer; offset: number; metadata: string; leaderEpoch: number }[], nowMs = Date.now()): Promise<void> {
    this.checkOpen();
    const prefix = groupPrefix(group);
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < -1) throw new InvalidArgumentError(`an offset must be a safe integer of at least -1, got ${o.offset}`);
      if (Buffer.byteLength(o.metadata, 'utf8') > limits.groupMetadataBytesMax) throw new InvalidArgumentError(`commit metadata is at most ${limits.groupMetadataBytesMax} bytes`);
    }
    if (!this.exists(prefix) && this.groupCount() >= this.groupsMax) {
      throw new InvalidArgumentError(`there are already ${this.groupsMax} consumer groups with offsets; delete unused ones before adding ${JSON.stringify(group)}`);
    }
    const t = this.tables;
    await awaitWrite(
      t.root.batch(() => {
        for (const o of offsets) t.groupOffsets.put(Buffer.concat([prefix, o.key]), encodeValue(o.offset, nowMs, o.leaderEpoch, o.metadata));
      }),
      `committing offsets of group ${JSON.stringify(group)}`,
    );
  }

  /** The group's offsets for `keys` (every key it has offsets for, if omitted). */
  fetch(group: string, keys?: readonly Buffer[]): GroupOffset[] {
    this.checkOpen();
    const prefix = groupPrefix(group);
    const out: GroupOffset[] = [];
    if (keys !== undefined) {
      for (const key of keys) {
        const raw = this.tables.groupOffsets.getBinary(Buffer.concat([prefix, key]));
        if (raw !== undefined) out.push(decodeValue(group, key, raw));
      }
      return out;
    }
    for (const { key, value } of this.tables.groupOffsets.getRange({ start: prefix, end: prefixEnd(prefix) })) out.push(decodeValue(group, Buffer.from(key.subarray(prefix.length)), value));
    return out;
  }

  /** Every group with offsets, in byte order. */
  groups(): string[] {
    this.checkOpen();
    const out: string[] = [];
    let start: Buffer = Buffer.alloc(0);
    for (;;) {
      let found: string | undefined;
      for (const key of this.tables.groupOffsets.getKeys({ start, limit: 1 })) {
        const k = key as Buffer;
        const bytes = k.readUInt16BE(0);
        found = k.toString('utf8', 2, 2 + bytes);
        start = prefixEnd(k.subarray(0, 2 + bytes));
      }
      if (found === undefined) return out;
      out.push(found);
    }
  }

  /** Remove every offset of the group; resolves with how many there were. */
  async delete(group: string): Promise<number> {
    this.checkOpen();
    const prefix = groupPrefix(group);
    const keys = [...this.tables.groupOffsets.getKeys({ start: prefix, end: prefixEnd(prefix) })] as Buffer[];
    const t = this.tables;
    await awaitWrite(
      t.root.batch(() => {
        for (const key of keys) t.groupOffsets.remove(key);
      }),
      `deleting group ${JSON.stringify(group)}`,
    );
    return keys.length;
  }

  private exists(prefix: Buffer): boolean {
    for (const _ of this.tables.groupOffsets.getKeys({ start: prefix, end: prefixEnd(prefix), limit: 1 })) return true;
    return false;
  }

  private groupCount(): number {
    return this.groups().length;
  }
}

function groupPrefix(group: string): Buffer {
  if (typeof group !== 'string' || group.length === 0) throw new InvalidArgumentError('a group name must be a non-empty string');
  const name = Buffer.from(group, 'utf8');
  if (name.length > limits.groupNameBytesMax) throw new InvalidArgumentError(`a group name is at most ${limits.groupNameBytesMax} bytes, got ${name.length}`);
  const out = Buffer.allocUnsafe(2 + name.length);
  out.writeUInt16BE(name.length, 0);
  name.copy(out, 2);
  return out;
}

/** The smallest key above every key starting with `prefix` (prefixes here never end in 0xff runs only). */
function prefixEnd(prefix: Buffer): Buffer {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  const out = Buffer.from(prefix.subarray(0, n));
  if (n > 0) out[n - 1]++;
  return out;
}

function encodeValue(offset: number, timeMs: number, leaderEpoch: number, metadata: string): Buffer {
  const text = Buffer.from(metadata, 'utf8');
  const out = Buffer.allocUnsafe(24 + text.length);
  out.writeDoubleLE(offset, 0);
  out.writeDoubleLE(timeMs, 8);
  out.writeInt32LE(leaderEpoch, 16);
  out.writeUInt32LE(text.length, 20);
  text.copy(out, 24);
  return out;
}

function decodeValue(group: string, key: Buffer, raw: Buffer): GroupOffset {
  return {
    group,
    key,
    offset: raw.readDoubleLE(0),
    commitTimeMs: raw.readDoubleLE(8),
    leaderEpoch: raw.readInt32LE(16),
    metadata: raw.toString('utf8', 24, 24 + raw.readUInt32LE(20)),
  };
}
