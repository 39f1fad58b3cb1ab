import { randomBytes } from 'node:crypto';
import type { LoadBatch, LoadClient, LoadClientOptions } from './LoadClient.js';
import { NatsClient, NatsClientError, parseNatsHeaders, type NatsMessage } from './NatsClient.js';

/**
 * Keys and subjects. ':' separates a key's parts in odlog's bench (`bench:17`), '.' separates a
 * subject's tokens in NATS, so the mapping swaps them: `bench:17` is published to `bench.17`, and
 * the prefix `bench:` is followed as `bench.>`. A key whose parts are empty or hold '.', '*',
 * '>' or whitespace has no such subject and is refused (the bench's keys never do).
 */
export function keyToSubject(key: Buffer | string): string {
  const text = typeof key === 'string' ? key : key.toString('utf8');
  const parts = text.split(':');
  for (const part of parts) {
    if (part === '' || /[.*>\s]/.test(part)) throw new NatsClientError('InvalidArgument', `key ${JSON.stringify(text)} has no NATS subject (parts must be non-empty and free of '.', '*', '>' and whitespace)`);
  }
  return parts.join('.');
}

/** The subject filter that covers every key under `prefix` (which must end with ':'). */
export function prefixToFilter(prefix: string): string {
  if (!prefix.endsWith(':')) throw new NatsClientError('InvalidArgument', `key prefix ${JSON.stringify(prefix)} must end with ':' to map to a subject filter`);
  return `${keyToSubject(prefix.slice(0, -1))}.>`;
}

/** The one stream that holds the bench's subjects. */
export const benchStream = {
  name: 'BENCH',
  subjects: ['bench.>'],
  /** File storage, one replica, keep everything (odlog keeps everything too). */
  config(): Record<string, unknown> {
    return { name: this.name, subjects: this.subjects, storage: 'file', retention: 'limits', discard: 'old', num_replicas: 1, max_msgs: -1, max_bytes: -1, max_age: 0, max_msgs_per_subject: -1, max_msg_size: -1 };
  },
};

/** A JetStream API or publish error (`{"error":{"code":...,"err_code":...,"description":...}}`). */
export class JetStreamError extends Error {
  override readonly name = 'JetStreamError';
  readonly codeName: string;

  constructor(readonly code: number, readonly errCode: number, readonly description: string) {
    super(`JetStream error ${code}/${errCode}: ${description}`);
    this.codeName = `jetstream:${errCode || code}`;
  }
}

/** JetStream's "stream name already in use" (with a different configuration). */
const errStreamNameInUse = 10058;

/** Call `$JS.API.<api>` with a JSON body; resolves with the JSON reply, throws JetStreamError on an error reply. */
export async function jetStreamApi(client: NatsClient, api: string, body: unknown): Promise<Record<string, unknown>> {
  const reply = await client.request(`$JS.API.${api}`, Buffer.from(body === undefined ? '' : JSON.stringify(body)));
  checkNoResponders(reply, `$JS.API.${api}`);
  const json = JSON.parse(reply.payload.toString('utf8')) as Record<string, unknown>;
  throwIfError(json);
  return json;
}

/**
 * Create the bench stream, or accept it when it already exists: creating with an identical
 * configuration succeeds in JetStream, so concurrent workers may all call this. A stream of that
 * name with another configuration is accepted only if it has file storage and the bench subjects.
 */
export async function ensureBenchStream(client: NatsClient): Promise<void> {
  if (!client.info.jetstream) throw new NatsClientError('ServerError', `nats-server ${client.info.version} at this address has JetStream disabled (start it with -js)`);
  try {
    await jetStreamApi(client, `STREAM.CREATE.${benchStream.name}`, benchStream.config());
  } catch (error) {
    if (!(error instanceof JetStreamError) || error.errCode !== errStreamNameInUse) throw error;
    const info = await jetStreamApi(client, `STREAM.INFO.${benchStream.name}`, undefined);
    const config = info.config as { storage?: string; subjects?: string[] } | undefined;
    if (config?.storage !== 'file' || !benchStream.subjects.every((s) => config.subjects?.includes(s))) {
      throw new Error(`stream ${benchStream.name} exists with storage ${String(config?.storage)} and subjects ${JSON.stringify(config?.subjects)}; expected file storage on ${benchStream.subjects.join(', ')}`);
    }
  }
}

/**
 * NATS JetStream as a system under test: each record is published to its key's subject (see
 * keyToSubject) in the file-storage stream BENCH, with its own reply inbox; an append resolves
 * when every record's PubAck has arrived (all pipelined on one connection). What a PubAck means
 * on disk depends on the server's settings; see NatsTarget.
 *
 * The tail is a JetStream ordered push consumer (not a core subscription, which would deliver
 * only what is published while connected and say nothing about the stream): an ephemeral
 * consumer with deliver policy `new`, no acks, flow control and idle heartbeats, whose consumer
 * sequence numbers are checked; on a gap it is replaced by one that starts after the last stream
 * sequence delivered, as the official clients' ordered consumers do.
 */
export class NatsLoadClient implements LoadClient {
  private tailer: OrderedConsumer | undefined;

  private constructor(private readonly client: NatsClient) {}

  static async open(options: LoadClientOptions): Promise<NatsLoadClient> {
    const client = await NatsClient.connect(options.address, { name: 'odlog-bench', requestTimeoutMs: 120_000 });
    try {
      await ensureBenchStream(client);
    } catch (error) {
      await client.close();
      throw error;
    }
    return new NatsLoadClient(client);
  }

  async append(batch: LoadBatch): Promise<void> {
    const n = batch.keys.length;
    const subjects: string[] = new Array(n);
    for (let i = 0; i < n; i++) subjects[i] = subjectOf(batch.keys[i]);
    const acks = await this.client.requestAll(subjects, batch.values);
    for (const ack of acks) checkPubAck(ack);
  }

  /** Follows every key under `keyPrefix` through one subject filter; `keys` is not needed. */
  async tail(keyPrefix: string, _keys: readonly Buffer[], onValues: (values: Buffer[]) => void): Promise<void> {
    if (this.tailer !== undefined) throw new Error('tail already started');
    this.tailer = new OrderedConsumer(this.client, benchStream.name, prefixToFilter(keyPrefix), onValues);
    await this.tailer.start();
  }

  async close(): Promise<void> {
    await this.tailer?.stop();
    await this.client.close();
  }
}

/** Subjects are cached per key buffer: the generator reuses the same key buffers for every batch. */
const subjects = new WeakMap<Buffer, string>();

function subjectOf(key: Buffer): string {
  let subject = subjects.get(key);
  if (subject === undefined) {
    subject = keyToSubject(key);
    subjects.set(key, subject);
  }
  return subject;
}

function checkNoResponders(message: NatsMessage, subject: string): void {
  if (message.headers === undefined) return;
  const headers = parseNatsHeaders(message.headers);
  if (headers.status === 503) throw new NatsClientError('NoResponders', `no responders on ${subject} (no JetStream stream or API listens there)`);
}

function throwIfError(json: Record<string, unknown>): void {
  const error = json.error as { code?: number; err_code?: number; description?: string } | undefined;
  if (error !== undefined) throw new JetStreamError(error.code ?? 0, error.err_code ?? 0, error.description ?? 'unknown');
}

const seqField = Buffer.from('"seq":');
const errorField = Buffer.from('"error"');

/** A PubAck is `{"stream":"BENCH","seq":N}`; anything else (an error, a 503) fails the append. */
function checkPubAck(ack: NatsMessage): void {
  checkNoResponders(ack, 'publish');
  if (ack.payload.indexOf(errorField) >= 0) throwIfError(JSON.parse(ack.payload.toString('utf8')) as Record<string, unknown>);
  if (ack.payload.indexOf(seqField) < 0) throw new NatsClientError('Protocol', `not a PubAck: ${ack.payload.toString('utf8').slice(0, 120)}`);
}

/** The heartbeat interval the server is asked for; a status message arrives this often when idle. */
const idleHeartbeatNs = 5_000_000_000;

/**
 * An ordered push consumer. The stream and consumer sequences of each delivery are in its reply
 * subject:
 *
 * ```
 *   $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>
 *   $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>[.<token>]   (2.10+)
 * ```
 *
 * A consumer sequence that is not the next one (or a heartbeat whose Nats-Last-Consumer differs)
 * means a delivery was lost; the consumer is then recreated from the stream sequence after the
 * last one delivered. Flow-control requests are answered at once (the consumer keeps up or the
 * server slows down), and a stall notice from a heartbeat is answered too.
 */
class OrderedConsumer {
  private sid: number | undefined;
  private consumerName: string | undefined;
  private lastStreamSeq = 0;
  private lastConsumerSeq = 0;
  private generation = 0;
  private resetting: Promise<void> | undefined;
  private stopped = false;
  private values: Buffer[] = [];
  private deliverScheduled = false;

  constructor(
    private readonly client: NatsClient,
    private readonly stream: string,
    private readonly filter: string,
    private readonly onValues: (values: Buffer[]) => void,
  ) {}

  async start(): Promise<void> {
    await this.create(undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.resetting?.catch(() => undefined);
    if (this.sid !== undefined) this.client.unsubscribe(this.sid);
    if (this.consumerName !== undefined) {
      await jetStreamApi(this.client, `CONSUMER.DELETE.${this.stream}.${this.consumerName}`, undefined).catch(() => undefined);
    }
  }

  /** Subscribe a fresh deliver subject, then create the consumer that pushes to it. */
  private async create(startSeq: number | undefined): Promise<void> {
    const generation = ++this.generation;
    const deliverSubject = `_INBOX.${randomBytes(8).toString('hex')}.tail`;
    this.sid = this.client.subscribe(deliverSubject, (message) => {
      if (generation === this.generation) this.onMessage(message);
    });
    this.lastConsumerSeq = 0;
    const config: Record<string, unknown> = {
      deliver_subject: deliverSubject,
      ack_policy: 'none',
      replay_policy: 'instant',
      filter_subject: this.filter,
      flow_control: true,
      idle_heartbeat: idleHeartbeatNs,
      mem_storage: true,
      num_replicas: 1,
      ...(startSeq === undefined ? { deliver_policy: 'new' } : { deliver_policy: 'by_start_sequence', opt_start_seq: startSeq }),
    };
    const reply = await jetStreamApi(this.client, `CONSUMER.CREATE.${this.stream}`, { stream_name: this.stream, config });
    this.consumerName = String(reply.name);
    // With deliver policy `new`, the consumer starts after the stream's last sequence at creation;
    // a reset before any delivery must start from there, not from 1.
    const delivered = reply.delivered as { stream_seq?: number } | undefined;
    // Deliveries can overtake this reply, and then they know better.
    if (startSeq === undefined && this.lastConsumerSeq === 0 && typeof delivered?.stream_seq === 'number') this.lastStreamSeq = delivered.stream_seq;
  }

  private onMessage(message: NatsMessage): void {
    if (message.headers !== undefined) {
      const headers = parseNatsHeaders(message.headers);
      if (headers.status === 100) {
        this.onStatus(message, headers.values);
        return;
      }
    }
    const seqs = ackSequences(message.reply);
    if (seqs === undefined) throw new NatsClientError('Protocol', `push delivery without a JetStream reply subject: ${String(message.reply)}`);
    if (seqs.consumer !== this.lastConsumerSeq + 1) {
      this.reset(`consumer sequence ${seqs.consumer} after ${this.lastConsumerSeq}`);
      return;
    }
    this.lastConsumerSeq = seqs.consumer;
    this.lastStreamSeq = seqs.stream;
    this.values.push(message.payload);
    if (this.values.length >= 256) this.deliver();
    else if (!this.deliverScheduled) {
      this.deliverScheduled = true;
      queueMicrotask(() => this.deliver());
    }
  }

  private onStatus(message: NatsMessage, values: ReadonlyMap<string, readonly string[]>): void {
    if (message.reply !== undefined) {
      this.client.publish(message.reply, Buffer.alloc(0)); // flow-control request
      return;
    }
    const stalled = values.get('Nats-Consumer-Stalled')?.[0];
    if (stalled !== undefined) this.client.publish(stalled, Buffer.alloc(0));
    const lastConsumer = values.get('Nats-Last-Consumer')?.[0];
    if (lastConsumer !== undefined && Number(lastConsumer) !== this.lastConsumerSeq) this.reset(`heartbeat reports consumer sequence ${lastConsumer}, last seen ${this.lastConsumerSeq}`);
  }

  private deliver(): void {
    this.deliverScheduled = false;
    if (this.values.length === 0) return;
    const values = this.values;
    this.values = [];
    this.onValues(values);
  }

  /** Replace the consumer; deliveries to the old one are ignored from now on (by generation). */
  private reset(reason: string): void {
    if (this.resetting !== undefined || this.stopped) return;
    this.deliver();
    this.generation++;
    const oldSid = this.sid;
    const oldName = this.consumerName;
    if (oldSid !== undefined) this.client.unsubscribe(oldSid);
    this.resetting = (async () => {
      if (oldName !== undefined) await jetStreamApi(this.client, `CONSUMER.DELETE.${this.stream}.${oldName}`, undefined).catch(() => undefined);
      await this.create(this.lastStreamSeq + 1);
    })()
      .catch((error: unknown) => {
        if (this.stopped) return;
        setImmediate(() => {
          throw new Error(`NATS ordered consumer could not recover (${reason}): ${(error as Error).message}`, { cause: error });
        });
      })
      .finally(() => {
        this.resetting = undefined;
      });
  }
}

/** Stream and consumer sequence from a JetStream ack subject, or undefined if it is not one. */
export function ackSequences(reply: string | undefined): { stream: number; consumer: number } | undefined {
  if (reply === undefined || !reply.startsWith('$JS.ACK.')) return undefined;
  const t = reply.split('.');
  // 9 tokens: the pre-2.10 form; 11 or 12: with domain and account hash (and a trailing token).
  const at = t.length === 9 ? 5 : t.length >= 11 ? 7 : -1;
  if (at < 0) return undefined;
  const stream = Number(t[at]);
  const consumer = Number(t[at + 1]);
  if (!Number.isSafeInteger(stream) || !Number.isSafeInteger(consumer)) return undefined;
  return { stream, consumer };
}
