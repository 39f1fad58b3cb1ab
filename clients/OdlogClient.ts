import { encodeRecordBatch } from '../src/protocol/batch/RecordBatchCodec.js';
import { readKeyEntryBatch, type KeyEntry } from '../src/protocol/batch/EntryBatchCodec.js';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BackupBegin, BackupEnd, BackupRead } from '../src/protocol/messages/backup.js';
import { DeleteKey } from '../src/protocol/messages/deleteKey.js';
import { Trim } from '../src/protocol/messages/trim.js';
import { Flush } from '../src/protocol/messages/flush.js';
import { Seal } from '../src/protocol/messages/seal.js';
import { Append } from '../src/protocol/messages/append.js';
import { Count } from '../src/protocol/messages/count.js';
import { CommitCursor } from '../src/protocol/messages/commitCursor.js';
import { GetCursor, type CursorInfo } from '../src/protocol/messages/getCursor.js';
import { ListKeys } from '../src/protocol/messages/listKeys.js';
import { ListCursors, type CursorState } from '../src/protocol/messages/listCursors.js';
import { DeleteCursor } from '../src/protocol/messages/deleteCursor.js';
import { ResetCursor, type CursorTarget } from '../src/protocol/messages/resetCursor.js';
import { ListSegments, type SegmentInfo } from '../src/protocol/messages/listSegments.js';
import { Ping } from '../src/protocol/messages/ping.js';
import { Scan } from '../src/protocol/messages/scan.js';
import { limits } from '../src/limits.js';
import { baseProtocolVersion, type ProtocolVersion } from '../src/protocol/ProtocolVersion.js';
import { Stats, type StatsResponse } from '../src/protocol/messages/stats.js';
import { appendRequest, type AppendOptions, type AppendResult } from './AppendOptions.js';
import { checkArray, checkDurationMs, checkName, checkPositiveInteger, checkSequence, describeValue } from './ArgumentChecks.js';
import { BrokerConnection, type ReconnectOptions } from './BrokerConnection.js';
import { toBytes, type Bytes } from './Bytes.js';
import { InvalidArgumentError, NotFoundError, ProtocolVersionError } from './errors.js';
import { toRecordBytes, type RecordInput } from './RecordInput.js';
import { Consumer, type ConsumerOptions } from './Consumer.js';
import { Producer, type ProducerOptions } from './Producer.js';
import { socketTransports, type SocketOptions } from './transport/SocketTransport.js';
import type { TransportFactory } from './transport/Transport.js';

// Defined in their own modules (so that Producer and Consumer need not import this one); exported here too, as before.
export { toBytes, type Bytes } from './Bytes.js';
export type { AppendOptions, AppendResult } from './AppendOptions.js';

export type { HeaderInput, RecordInput } from './RecordInput.js';

export interface ClientOptions {
  /** `host:port`; default `ODLOG_BROKER` or 127.0.0.1:7070. */
  readonly broker?: string;
  /** Auth token; default `ODLOG_TOKEN`. */
  readonly token?: string;
  readonly tls?: SocketOptions['tls'];
  /** Names the client in the broker's logs. */
  readonly clientId?: string;
  /** How long a connection attempt (TCP/TLS and Hello) may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Default deadline of a request, its wait for a reconnect included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** How to reconnect after a lost connection (default: forever, with backoff); false: never. */
  readonly reconnect?: ReconnectOptions | false;
  /** How long `close()` waits for producers' acknowledgements and consumers' final commits (default 5 s). */
  readonly closeTimeoutMs?: number;
  /**
   * The newest protocol version to offer (default 2, the newest this client speaks). The client
   * speaks 2 with a broker that does (record headers, entry timestamps, reading from a time) and 1
   * otherwise; `client.protocolVersion` says which.
   */
  readonly protocolVersion?: ProtocolVersion;
  /**
   * Open connections through this instead of TCP/TLS to `broker` (an in-memory transport in
   * tests, a custom tunnel); `broker` then only names the address.
   */
  readonly transports?: TransportFactory;
}

export interface ScanRange {
  /** First sequence (default 0). */
  readonly start?: number;
  /** Exclusive end (default: unbounded). */
  readonly end?: number;
  /**
   * Start at the key's first entry appended at or after this time (ms since the epoch), if that
   * is after `start`. Needs protocol version 2 (ProtocolVersionError otherwise).
   */
  readonly startTimeMs?: number;
}

export interface ScanPage {
  readonly entries: KeyEntry[];
  readonly nextSequence: number;
}

/** `host:port` → parts (IPv6 in brackets). */
export function parseBrokerAddress(address: string): { host: string; port: number } {
  const m = typeof address === 'string' ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim()) : null;
  if (m === null) throw new InvalidArgumentError(`broker address must be HOST:PORT, got ${describeValue(address)}`);
  return { host: m[1], port: Number(m[2]) };
}

/**
 * A client of one odlog broker.
 *
 * @example
 * const client = await OdlogClient.connect({ broker: '127.0.0.1:7070' });
 * const { startSequence } = await client.append([{ key: 'orders', value: 'created' }]);
 * const page = await client.scan('orders', { start: 0 });
 * await client.close();
 */
export class OdlogClient {
  /** Producers and consumers (and whether they auto-commit), which close() ends and lets finish their work. */
  private readonly producers = new Set<Producer>();
  private readonly consumers = new Map<Consumer, { readonly autoCommit: boolean }>();
  private closing: Promise<void> | undefined;

  private constructor(
    /** The underlying multiplexed connection. */
    readonly connection: BrokerConnection,
    readonly address: string,
    private readonly closeTimeoutMs: number,
  ) {}

  static async connect(options: ClientOptions = {}): Promise<OdlogClient> {
    checkDurationMs(options.closeTimeoutMs, 'closeTimeoutMs');
    const address = options.broker ?? process.env.ODLOG_BROKER ?? '127.0.0.1:7070';
    let transports = options.transports;
    if (transports === undefined) {
      const { host, port } = parseBrokerAddress(address);
      transports = socketTransports({ host, port, tls: options.tls });
    }
    const connection = await BrokerConnection.open({
      transports,
      clientId: options.clientId,
      authToken: options.token ?? process.env.ODLOG_TOKEN,
      connectTimeoutMs: options.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      reconnect: options.reconnect,
      protocolVersion: options.protocolVersion,
    });
    return new OdlogClient(connection, address, options.closeTimeoutMs ?? limits.clientCloseTimeoutMs);
  }

  /** The protocol version spoken with the broker: 2, or 1 with a broker older than version 2. */
  get protocolVersion(): ProtocolVersion {
    return this.connection.protocolVersion;
  }

  /**
   * Append a batch atomically: all records get contiguous sequences (`startSequence + i` for
   * record `i`), or none is appended. Headers need protocol version 2.
   *
   * @example
   * const { startSequence } = await client.append([{ key: 'orders', value: '{"id":1}', headers: [{ name: 'trace-id', value: 'abc' }] }]);
   */
  async append(records: readonly RecordInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const version = this.connection.protocolVersion;
    const bytes = checkArray(records, 'records').map((r, i) => toRecordBytes(r, `record ${i}`, version));
    return this.appendEncoded(encodeRecordBatch(bytes, version), { ...options, protocolVersion: version });
  }

  /**
   * Append a batch already encoded with `encodeRecordBatch(records, protocolVersion)` (encode once,
   * send many times); `options.protocolVersion` (default 1) must be the version it was encoded in.
   *
   * @example
   * const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }]);
   * for (let i = 0; i < 10; i++) await client.appendEncoded(batch);
   */
  async appendEncoded(records: Buffer, options: AppendOptions & { readonly protocolVersion?: ProtocolVersion } = {}): Promise<AppendResult> {
    return this.connection.request(Append, appendRequest(records, options), { version: options.protocolVersion ?? baseProtocolVersion });
  }

  /**
   * One page of a key's entries; `maxWaitMs` long-polls when there is nothing yet. With protocol
   * version 2 each entry has its `offset`, `timestamp` (append time, ms) and `headers` (when it
   * has any).
   *
   * @example
   * const page = await client.scan('orders', { startTimeMs: Date.now() - 60_000 });
   * for (const e of page.entries) console.log(e.sequence, new Date(e.timestamp ?? 0), e.value.toString());
   */
  async scan(key: Bytes, range: ScanRange = {}, options: { limit?: number; maxBytes?: number; maxWaitMs?: number } = {}): Promise<ScanPage> {
    const waitMs = options.maxWaitMs ?? 0;
    const startTimeMs = range?.startTimeMs ?? null;
    if (startTimeMs !== null) {
      if (typeof startTimeMs !== 'number' || !Number.isSafeInteger(startTimeMs)) throw new InvalidArgumentError(`startTimeMs must be a time in ms since the epoch (an integer), got ${describeValue(startTimeMs)}`);
      this.requireVersion2('scanning from a time (startTimeMs)');
    }
    const { response, version } = await this.connection.requestVersioned(
      Scan,
      { key: toBytes(key, 'key'), ...checkedRange(range), limit: options.limit ?? 1000, maxBytes: options.maxBytes ?? 1024 * 1024, maxWaitMs: waitMs, startTimeMs },
      { timeoutMs: waitMs + limits.clientRequestTimeoutMs, version: startTimeMs !== null ? 2 : undefined },
    );
    return { entries: readKeyEntryBatch(response.entries, version), nextSequence: response.nextSequence };
  }

  /** Every entry of a key in the range (from `startTimeMs` if given), page by page. */
  async *scanAll(key: Bytes, range: ScanRange = {}, pageLimit = 1000): AsyncGenerator<KeyEntry, number, undefined> {
    let start = range.start ?? 0;
    const end = range.end;
    let startTimeMs = range.startTimeMs;
    for (;;) {
      const page = await this.scan(key, { start, end, startTimeMs }, { limit: pageLimit });
      for (const entry of page.entries) yield entry;
      if (page.entries.length === 0 || page.nextSequence <= start) return page.nextSequence;
      // The pages after the first start past the time already.
      start = page.nextSequence;
      startTimeMs = undefined;
    }
  }

  async count(key: Bytes, range: ScanRange = {}): Promise<number> {
    return (await this.connection.request(Count, { key: toBytes(key, 'key'), ...checkedRange(range) })).count;
  }

  /** One page of keys; pass the last key as `after` to get the next. */
  async listKeys(options: { prefix?: Bytes; after?: Bytes; limit?: number; startSegment?: number; endSegment?: number } = {}): Promise<{ keys: Buffer[]; more: boolean }> {
    return this.connection.request(ListKeys, {
      startSegment: options.startSegment ?? null,
      endSegment: options.endSegment ?? null,
      prefix: options.prefix !== undefined ? toBytes(options.prefix, 'prefix') : null,
      after: options.after !== undefined ? toBytes(options.after, 'after') : null,
      limit: options.limit ?? 1000,
    });
  }

  /** Every key (under a prefix), page by page. */
  async *keys(options: { prefix?: Bytes; startSegment?: number; endSegment?: number } = {}): AsyncGenerator<Buffer, void, undefined> {
    let after: Buffer | undefined;
    for (;;) {
      const page = await this.listKeys({ ...options, after, limit: 1000 });
      for (const key of page.keys) yield key;
      if (!page.more || page.keys.length === 0) return;
      after = page.keys[page.keys.length - 1];
    }
  }

  async listSegments(range: ScanRange = {}): Promise<SegmentInfo[]> {
    return (await this.connection.request(ListSegments, checkedRange(range))).segments;
  }

  /**
   * Seal the active segment (admin). Resolves with the id of the segment it sealed, null when
   * there was nothing to seal (the active segment was empty or already sealed), or undefined from
   * a broker that speaks protocol version 1, which does not say.
   */
  async seal(): Promise<number | null | undefined> {
    const { response, version } = await this.connection.requestVersioned(Seal, {});
    return version >= 2 ? response.sealedSegment : undefined;
  }

  /** Make everything committed durable; resolves with the durable watermark. */
  async flush(): Promise<number> {
    return (await this.connection.request(Flush, {})).durableSequence;
  }

  async stats(): Promise<StatsResponse> {
    return this.connection.request(Stats, {});
  }

  private requireVersion2(what: string): void {
    const version = this.connection.protocolVersion;
    if (version < 2) throw new ProtocolVersionError(`${what} needs protocol version 2; the broker speaks ${version}`, version);
  }

  /** Round trip in milliseconds. */
  async ping(): Promise<number> {
    const start = performance.now();
    await this.connection.request(Ping, { timeMs: Date.now() });
    return performance.now() - start;
  }

  /** Store a named cursor durably in the broker. */
  async commitCursor(name: string, sequence: number, follows: { keys: readonly Bytes[] } | { prefix: Bytes }): Promise<void> {
    if (follows === null || typeof follows !== 'object' || ('keys' in follows) === ('prefix' in follows)) {
      throw new InvalidArgumentError(`a cursor follows { keys } or { prefix } (exactly one), got ${describeValue(follows)}`);
    }
    await this.connection.request(CommitCursor, {
      name: checkName(name, 'name'),
      sequence: checkSequence(sequence, 'sequence'),
      keys: 'keys' in follows ? checkArray(follows.keys, 'keys').map((k, i) => toBytes(k as Bytes, `keys[${i}]`)) : [],
      prefix: 'prefix' in follows ? toBytes(follows.prefix, 'prefix') : null,
    });
  }

  async getCursor(name: string): Promise<CursorInfo | null> {
    return (await this.connection.request(GetCursor, { name: checkName(name, 'name') })).cursor;
  }

  /**
   * One page of the named cursors this token may see (all of them for an admin), sorted by name,
   * each with its position and lag; pass the last name as `after` for the next page.
   *
   * @example
   * const { cursors, more } = await client.listCursors({ prefix: 'billing-' });
   */
  async listCursors(options: { prefix?: string; after?: string; limit?: number } = {}): Promise<{ cursors: CursorState[]; more: boolean }> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`listCursors takes options { prefix?, after?, limit? }, got ${describeValue(options)}`);
    const { prefix, after, limit } = options;
    if (prefix !== undefined && typeof prefix !== 'string') throw new InvalidArgumentError(`prefix must be a string, got ${describeValue(prefix)}`);
    checkPositiveInteger(limit, 'limit');
    return this.connection.request(ListCursors, { prefix: prefix ?? null, after: after === undefined ? null : checkName(after, 'after'), limit: limit ?? 100 });
  }

  /** Every named cursor this token may see (under a name prefix), page by page. */
  async *cursors(options: { prefix?: string } = {}): AsyncGenerator<CursorState, void, undefined> {
    let after: string | undefined;
    for (;;) {
      const page = await this.listCursors({ prefix: options.prefix, after, limit: limits.listCursorsMax });
      yield* page.cursors;
      if (!page.more || page.cursors.length === 0) return;
      after = page.cursors[page.cursors.length - 1].name;
    }
  }

  /**
   * Forget a named cursor (NotFoundError if there is none; ForbiddenError if this token may not
   * read what it follows and is not admin). A consumer still committing to it creates it again.
   */
  async deleteCursor(name: string): Promise<void> {
    await this.connection.request(DeleteCursor, { name: checkName(name, 'name') });
  }

  /**
   * Move an existing named cursor, as kafka-consumer-groups --reset-offsets does: to 'earliest'
   * (0), 'latest' (the end of the log now), a sequence, or `{ timeMs }` (the first entry appended
   * at or after that time). Resolves with where it was and where it is. A consumer still
   * committing to it moves it again: stop it first.
   *
   * @example
   * const { previousSequence, sequence } = await client.resetCursor('billing', { timeMs: Date.parse('2026-12-02T10:00:00Z') });
   */
  async resetCursor(name: string, to: 'earliest' | 'latest' | number | { readonly timeMs: number }): Promise<{ previousSequence: number; sequence: number }> {
    checkName(name, 'name');
    let target: CursorTarget;
    let sequence = 0;
    let timeMs = 0;
    if (to === 'earliest') target = 'EARLIEST';
    else if (to === 'latest') target = 'LATEST';
    else if (typeof to === 'number') {
      target = 'SEQUENCE';
      sequence = checkSequence(to, 'to');
    } else if (to !== null && typeof to === 'object' && Number.isSafeInteger((to as { timeMs?: unknown }).timeMs)) {
      target = 'TIME';
      timeMs = to.timeMs;
    } else throw new InvalidArgumentError(`to must be 'earliest', 'latest', a sequence (an integer ≥ 0) or { timeMs }, got ${describeValue(to)}`);
    const moved = await this.connection.request(ResetCursor, { name, to: target, sequence, timeMs });
    return { previousSequence: moved.previousSequence, sequence: moved.sequence };
  }

  /**
   * Remove `key`'s records with a sequence below `before` (Kafka DeleteRecords, Redis XTRIM
   * MINID), durably and atomically; resolves with how many went. Offsets of what remains do not
   * change. Needs `append` permission on the key (ForbiddenError otherwise). A subscription whose
   * position was below `before` goes on from the first record that remains.
   *
   * @example
   * const removed = await client.trim('orders', { before: 1_000_000 });
   */
  async trim(key: Bytes, options: { readonly before: number }): Promise<number> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`trim takes options { before: SEQUENCE }, got ${describeValue(options)}`);
    const request = { key: toBytes(key, 'key'), beforeSequence: checkSequence(options.before, 'before') };
    return (await this.connection.request(Trim, request)).removed;
  }

  /**
   * Remove every record of `key` and the key from the listings (an entity's erasure, Redis DEL),
   * durably and atomically; resolves with how many records went. A later append to the key starts
   * a fresh stream (offsets from 0, sequences above everything before). Needs `append`
   * permission on the key (ForbiddenError otherwise).
   *
   * @example
   * await client.deleteKey('customer-4711');
   */
  async deleteKey(key: Bytes): Promise<number> {
    return (await this.connection.request(DeleteKey, { key: toBytes(key, 'key') })).removed;
  }

  /**
   * Take a consistent backup of the whole log into `dir` (a new or empty directory) while appends
   * go on (admin token). The broker writes a compacted copy on its own disk, which is streamed
   * into `dir/<the name the broker gives it>`, synced to disk (file and directory) and checked
   * against the size the broker reported; the broker's copy is deleted afterwards. `odlog serve
   * --data-dir DIR` serves the backup as it is. Resolves with its size and `sequence`, the
   * exclusive end of the sequences it holds (whole commits; cursors and consumer-group offsets as
   * of that point). A lost connection fails it (the broker deletes its copy then): run it again.
   * A failed backup leaves no file behind in `dir`.
   *
   * @example
   * const { bytes, sequence } = await client.backup('/backups/odlog-2026-12-02');
   * console.log(`${bytes} bytes, every record below sequence ${sequence}`);
   */
  async backup(dir: string, options: { readonly timeoutMs?: number } = {}): Promise<{ bytes: number; sequence: number }> {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError(`backup needs a directory path, got ${describeValue(dir)}`);
    checkDurationMs(options.timeoutMs, 'timeoutMs');
    if (directoryHoldsFiles(dir)) throw new InvalidArgumentError(`backup directory ${dir} is not empty; give a new or empty directory`);
    mkdirSync(dir, { recursive: true });
    const copy = await this.connection.request(BackupBegin, {}, { timeoutMs: options.timeoutMs ?? limits.clientBackupBeginTimeoutMs });
    let file: string | undefined;
    let fd: number | undefined;
    try {
      if (copy.fileName !== basename(copy.fileName) || copy.fileName === '.' || copy.fileName === '..' || copy.fileName.length === 0) {
        throw new InvalidArgumentError(`the broker named its backup file ${JSON.stringify(copy.fileName)}, which is not a plain file name`);
      }
      fd = openSync(join(dir, copy.fileName), 'wx');
      file = join(dir, copy.fileName);
      let offset = 0;
      while (offset < copy.bytes) {
        const { chunk } = await this.readBackup(copy.backupId, offset);
        if (chunk.length === 0) throw new Error(`the broker's backup copy ended at ${offset} bytes, before the ${copy.bytes} it reported`);
        for (let written = 0; written < chunk.length; ) written += writeSync(fd, chunk, written, chunk.length - written, offset + written);
        offset += chunk.length;
      }
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      syncDirectory(dir);
      const size = statSync(file).size;
      if (size !== copy.bytes) throw new Error(`the backup file ${file} has ${size} bytes, not the ${copy.bytes} the broker reported`);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      // Only the file this call created: a half-written backup must not pass for a whole one.
      if (file !== undefined) rmSync(file, { force: true });
      throw error;
    } finally {
      // Deleting the broker's copy is a courtesy: it goes anyway when it idles or this connection closes.
      await this.connection.request(BackupEnd, { backupId: copy.backupId }).catch(() => undefined);
    }
    return { bytes: copy.bytes, sequence: copy.sequence };
  }

  private async readBackup(backupId: number, offset: number): Promise<{ chunk: Buffer }> {
    try {
      return await this.connection.request(BackupRead, { backupId, offset, maxBytes: limits.backupReadBytesMax });
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(error.code, `the broker no longer has this backup's copy (the connection was lost, or it was not read for too long); run the backup again (${error.message})`);
      throw error;
    }
  }

  /** A batching, idempotent producer on this client's connection. */
  producer(options: ProducerOptions = {}): Producer {
    for (const p of this.producers) if (p.isClosed && p.pendingRecords === 0) this.producers.delete(p);
    const producer = new Producer(this, options);
    this.producers.add(producer);
    return producer;
  }

  /** Subscribe to keys or a prefix; iterate the consumer for entries. */
  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    const consumer = await Consumer.start(this.connection, options, this.closeTimeoutMs);
    for (const c of this.consumers.keys()) if (c.isClosed) this.consumers.delete(c);
    this.consumers.set(consumer, { autoCommit: options.autoCommit !== undefined });
    return consumer;
  }

  /**
   * Close the client. Consumers end at once (a pending `for await` returns) and those with
   * autoCommit commit their position once more; producers take no more sends and send what they
   * hold. Close waits for the broker's acknowledgements of those for at most `closeTimeoutMs`
   * (default 5 s), then closes the connection: whatever is still unacknowledged is rejected with
   * ClientClosedError, as is any later call. Resolves once closed; never rejects and never hangs,
   * whether or not the broker is reachable. With nothing held, the connection is closed before
   * close() returns, so callers that do not await it still work.
   *
   * @example
   * process.once('SIGTERM', () => void client.close());
   * await client.close();
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const producer of this.producers) {
      const closing = producer.close({ timeoutMs: this.closeTimeoutMs });
      if (producer.pendingRecords > 0) work.push(closing);
    }
    for (const [consumer, { autoCommit }] of this.consumers) {
      const closing = consumer.close();
      if (autoCommit) work.push(closing);
    }
    this.producers.clear();
    this.consumers.clear();
    if (work.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      // Each piece of work is bounded by closeTimeoutMs already; this bounds their sum too.
      await Promise.race([Promise.allSettled(work), new Promise((resolve) => (timer = setTimeout(resolve, this.closeTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.connection.close();
  }
}

/** Whether `dir` exists and has anything in it (a file that is not a directory counts as full). */
function directoryHoldsFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') throw new InvalidArgumentError(`backup directory ${dir} is a file; give a new or empty directory`);
    throw error;
  }
}

/** fsync a directory, so the file just created in it survives a power cut. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function checkedRange(range: ScanRange): { start: number; end: number | null } {
  if (range === null || typeof range !== 'object') throw new InvalidArgumentError(`a range must be an object { start?, end? }, got ${describeValue(range)}`);
  return { start: range.start === undefined ? 0 : checkSequence(range.start, 'start'), end: range.end === undefined || range.end === null ? null : checkSequence(range.end, 'end') };
}
