import type { LoadBatch, LoadClient, LoadClientOptions } from './LoadClient.js';
import { RespClient, RespReplyError, type RespArg, type RespReply } from './RespClient.js';

/**
 * The most keys one tail follows. Redis has no prefix subscription on streams: every XREAD names
 * each key and the last id seen for it, so each round trip carries ~40 bytes per key and the
 * server walks every key to register the blocked read. At 10 000 keys that is ~400 KB per round
 * and the consumer measures that cost rather than Redis's delivery; above it, tail refuses.
 */
export const redisTailKeysMax = 10_000;

/** Entries one XREAD may return over all keys (COUNT is per stream, so it is divided by the keys). */
const tailEntriesPerReadMax = 100_000;

/** As odlog's bench client: a batch stuck behind a slow disk for this long is a failed run, not a slow one. */
const clientOptions = { commandTimeoutMs: 120_000 };

const XADD = Buffer.from('XADD');
const AUTO_ID = Buffer.from('*');
const FIELD = Buffer.from('v');

/**
 * Redis Streams as a system under test: each bench key is a stream of the same name whose
 * entries hold one field, `v`, the record's value.
 *
 * Durability is the server's, not the client's: an XADD reply under `appendfsync always` is sent
 * after the AOF write was fsynced (see RedisTarget); under `everysec` it is sent after the write
 * reached the page cache. The client issues plain XADDs either way.
 */
export class RedisLoadClient implements LoadClient {
  private tailClient: RespClient | undefined;
  private closing = false;

  private constructor(private readonly client: RespClient, private readonly address: string) {}

  static async open(options: LoadClientOptions): Promise<RedisLoadClient> {
    return new RedisLoadClient(await RespClient.connect(options.address, clientOptions), options.address);
  }

  /** One pipelined `XADD <key> * v <value>` per record; resolves when every reply has arrived. */
  async append(batch: LoadBatch): Promise<void> {
    const n = batch.keys.length;
    const commands: RespArg[][] = new Array(n);
    for (let i = 0; i < n; i++) commands[i] = [XADD, batch.keys[i], AUTO_ID, FIELD, batch.values[i]];
    const replies = await this.client.pipeline(commands);
    for (const reply of replies) if (reply instanceof RespReplyError) throw reply;
  }

  /**
   * Follows `keys` (all under `keyPrefix`) on a dedicated connection, since XREAD BLOCK holds the
   * connection until data arrives. Starts after each stream's current last entry: the ids are
   * read first with XREVRANGE rather than passing `$` to XREAD, because `$` means "latest" anew
   * on every call, and entries added to a quiet stream between two XREADs would be skipped.
   * A failure of the tail connection while the client is open is thrown out of the event loop:
   * a consumer that silently stopped would only look slow.
   */
  async tail(keyPrefix: string, keys: readonly Buffer[], onValues: (values: Buffer[]) => void): Promise<void> {
    if (keys.length === 0) throw new Error('tail needs at least one key');
    if (keys.length > redisTailKeysMax) {
      throw new Error(`the Redis tail follows at most ${redisTailKeysMax} keys (one XREAD names every key and its last id); got ${keys.length}`);
    }
    const prefix = Buffer.from(keyPrefix);
    for (const key of keys) if (key.subarray(0, prefix.length).compare(prefix) !== 0) throw new Error(`key ${key.toString()} is not under ${keyPrefix}`);
    if (this.tailClient !== undefined) throw new Error('tail already started');
    const client = await RespClient.connect(this.address, clientOptions);
    this.tailClient = client;
    const starts = await client.pipeline(keys.map((key) => ['XREVRANGE', key, '+', '-', 'COUNT', 1]));
    const ids: (Buffer | string)[] = starts.map((reply, i) => {
      if (reply instanceof RespReplyError) throw reply;
      return lastEntryId(reply, keys[i]);
    });
    const index = new Map(keys.map((key, i) => [key.toString('latin1'), i]));
    const count = Math.min(10_000, Math.max(10, Math.floor(tailEntriesPerReadMax / keys.length)));
    void this.tailLoop(client, keys, ids, index, count, onValues).catch((error: unknown) => {
      if (this.closing) return;
      setImmediate(() => {
        throw new Error(`Redis tail stopped: ${(error as Error).message}`, { cause: error });
      });
    });
  }

  private async tailLoop(client: RespClient, keys: readonly Buffer[], ids: (Buffer | string)[], index: Map<string, number>, count: number, onValues: (values: Buffer[]) => void): Promise<void> {
    const head: RespArg[] = ['XREAD', 'BLOCK', 0, 'COUNT', count, 'STREAMS', ...keys];
    while (!this.closing) {
      const reply = await client.command([...head, ...ids], { timeoutMs: 0 });
      if (reply === null) continue;
      const values: Buffer[] = [];
      for (const stream of asArray(reply, 'XREAD reply')) {
        const [key, entries] = asArray(stream, 'XREAD stream');
        const i = index.get(asBuffer(key, 'stream key').toString('latin1'));
        if (i === undefined) throw new Error(`XREAD returned a stream that was not asked for: ${String(key)}`);
        let last: Buffer | undefined;
        for (const entry of asArray(entries, 'XREAD entries')) {
          const [id, fields] = asArray(entry, 'stream entry');
          last = asBuffer(id, 'entry id');
          const f = asArray(fields, 'entry fields');
          for (let j = 0; j + 1 < f.length; j += 2) {
            if (FIELD.equals(asBuffer(f[j], 'field name'))) values.push(asBuffer(f[j + 1], 'field value'));
          }
        }
        // A copy: the id is a view into a socket chunk, which it would otherwise keep alive.
        if (last !== undefined) ids[i] = Buffer.from(last);
      }
      if (values.length > 0) onValues(values);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([this.tailClient?.close(), this.client.close()]);
  }
}

function lastEntryId(reply: RespReply, key: Buffer): Buffer | string {
  const entries = asArray(reply, `XREVRANGE ${key.toString()}`);
  if (entries.length === 0) return '0-0';
  return Buffer.from(asBuffer(asArray(entries[0], 'stream entry')[0], 'entry id'));
}

function asArray(reply: RespReply, what: string): RespReply[] {
  if (!Array.isArray(reply)) throw new Error(`${what}: expected an array, got ${describe(reply)}`);
  return reply;
}

function asBuffer(reply: RespReply, what: string): Buffer {
  if (!Buffer.isBuffer(reply)) throw new Error(`${what}: expected a bulk string, got ${describe(reply)}`);
  return reply;
}

function describe(reply: RespReply): string {
  if (reply instanceof RespReplyError) return `error ${reply.message}`;
  return reply === null ? 'null' : typeof reply;
}
