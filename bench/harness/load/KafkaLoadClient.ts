import { createTopicsApi } from '../../../src/protocol/kafka/apis/createTopics.js';
import { fetchApi, type FetchRequest } from '../../../src/protocol/kafka/apis/fetch.js';
import { listOffsetsApi, ListOffsetsTimestamp } from '../../../src/protocol/kafka/apis/listOffsets.js';
import { metadataApi, type MetadataResponse } from '../../../src/protocol/kafka/apis/metadata.js';
import { produceApi } from '../../../src/protocol/kafka/apis/produce.js';
import { KafkaErrorCode } from '../../../src/protocol/kafka/KafkaErrorCode.js';
import { decodeRecordBatches } from '../../../src/protocol/kafka/records/decodeRecordBatches.js';
import { encodeRecordBatch } from '../../../src/protocol/kafka/records/encodeRecordBatch.js';
import { KafkaClient, KafkaClientError, KafkaResponseError } from './KafkaClient.js';
import type { LoadBatch, LoadClient, LoadClientOptions } from './LoadClient.js';

/**
 * The most topics one tail follows: every Fetch names each partition with its offset (~30 bytes
 * each) and the broker walks them all per request, so past this the consumer measures the
 * request's size rather than delivery.
 */
export const kafkaTailTopicsMax = 10_000;

/** As the other bench clients: a batch stuck for this long is a failed run, not a slow one. */
const requestTimeoutMs = 120_000;
/** Produce's server-side timeout (acks -1). */
const produceTimeoutMs = 30_000;
/** A tail's Fetch: wait up to this long for data, and take up to these many bytes. */
const fetchWaitMs = 500;
const fetchBytesMax = 16 * 1024 * 1024;
const fetchPartitionBytesMax = 1024 * 1024;

/**
 * The topic of a bench key. Kafka topic names are `[a-zA-Z0-9._-]`, so the ':' of odlog's bench
 * keys (`bench:17`) becomes '.' (`bench.17`); against odlog's Kafka listener the records land in
 * the key `bench.17`. A key with other characters has no topic and is refused.
 */
export function keyToTopic(key: Buffer | string): string {
  const topic = (typeof key === 'string' ? key : key.toString('latin1')).replaceAll(':', '.');
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) throw new KafkaClientError('Unsupported', `key ${JSON.stringify(topic)} has no Kafka topic name`);
  return topic;
}

/**
 * Any Kafka-protocol broker (odlog's Kafka listener, Kafka, Redpanda) as a system under test.
 * Each record of a LoadBatch goes to partition 0 of its key's topic; the records of one topic in
 * a batch form one uncompressed record batch (magic 2, CreateTime), and the whole LoadBatch one
 * Produce request with acks -1 to each partition's leader. Durability is the broker's (odlog's
 * `--durability`, Kafka's flush settings): acks -1 means "every in-sync replica has it".
 *
 * Topics are created on first use (one partition, replication factor 1; TOPIC_ALREADY_EXISTS is
 * fine), since brokers such as Redpanda do not create them on produce by default.
 *
 * The tail reads partition 0 of every topic from its end at the time `tail` is called, with
 * long-polling Fetch requests (MaxWaitMs 500, MinBytes 1) to each leader.
 */
export class KafkaLoadClient implements LoadClient {
  /** Connections by broker node id (the bootstrap connection serves until metadata says otherwise). */
  private readonly nodes = new Map<number, Promise<KafkaClient>>();
  private readonly leaders = new Map<string, number>();
  private readonly addresses = new Map<number, string>();
  private controller = -1;
  private readonly tailClients: KafkaClient[] = [];
  private closing = false;

  private constructor(private readonly bootstrap: KafkaClient) {}

  static async open(options: LoadClientOptions): Promise<KafkaLoadClient> {
    return new KafkaLoadClient(await KafkaClient.connect(options.address, { clientId: 'odlog-bench', requestTimeoutMs }));
  }

  async append(batch: LoadBatch): Promise<void> {
    const byTopic = new Map<string, Buffer[]>();
    for (let i = 0; i < batch.keys.length; i++) {
      const topic = keyToTopic(batch.keys[i]);
      let values = byTopic.get(topic);
      if (values === undefined) byTopic.set(topic, (values = []));
      values.push(batch.values[i]);
    }
    await this.ensureTopics([...byTopic.keys()]);
    const byLeader = new Map<number, { name: string; values: Buffer[] }[]>();
    for (const [name, values] of byTopic) {
      const leader = this.leaders.get(name) as number;
      let topics = byLeader.get(leader);
      if (topics === undefined) byLeader.set(leader, (topics = []));
      topics.push({ name, values });
    }
    const now = Date.now();
    await Promise.all(
      [...byLeader].map(async ([leader, topics]) => {
        const client = await this.node(leader);
        const answer = await client.request(produceApi, {
          transactionalId: null,
          acks: -1,
          timeoutMs: produceTimeoutMs,
          topics: topics.map((t) => ({
            name: t.name,
            partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ baseOffset: 0, timestampType: 'CreateTime', records: t.values.map((value) => ({ timestamp: now, key: null, value })) }) }],
          })),
        });
        for (const t of answer.responses) {
          for (const p of t.partitions) {
            if (p.errorCode === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) this.leaders.delete(t.name);
            if (p.errorCode !== KafkaErrorCode.NONE) throw new KafkaResponseError(p.errorCode, `Produce to ${t.name}-${p.partitionIndex}`);
          }
        }
      }),
    );
  }

  async tail(keyPrefix: string, keys: readonly Buffer[], onValues: (values: Buffer[]) => void): Promise<void> {
    if (keys.length === 0) throw new Error('tail needs at least one key');
    if (keys.length > kafkaTailTopicsMax) throw new Error(`the Kafka tail follows at most ${kafkaTailTopicsMax} topics (each Fetch names every partition); got ${keys.length}`);
    for (const key of keys) if (!key.toString('latin1').startsWith(keyPrefix)) throw new Error(`key ${key.toString()} is not under ${keyPrefix}`);
    const topics = keys.map((k) => keyToTopic(k));
    await this.ensureTopics(topics);
    const byLeader = new Map<number, string[]>();
    for (const t of topics) {
      const leader = this.leaders.get(t) as number;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), t]);
    }
    for (const [leader, names] of byLeader) {
      const client = await KafkaClient.connect(this.addressOf(leader), { clientId: 'odlog-bench-tail', requestTimeoutMs });
      this.tailClients.push(client);
      const ends = await client.request(listOffsetsApi, { replicaId: -1, isolationLevel: 0, topics: names.map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: ListOffsetsTimestamp.latest }] })) });
      const offsets = new Map<string, number>();
      for (const t of ends.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== KafkaErrorCode.NONE) throw new KafkaResponseError(p.errorCode, `ListOffsets of ${t.name}`);
          offsets.set(t.name, p.offset);
        }
      }
      void this.tailLoop(client, offsets, onValues).catch((error: unknown) => {
        if (this.closing) return;
        setImmediate(() => {
          throw new Error(`Kafka tail stopped: ${(error as Error).message}`, { cause: error });
        });
      });
    }
  }

  private async tailLoop(client: KafkaClient, offsets: Map<string, number>, onValues: (values: Buffer[]) => void): Promise<void> {
    while (!this.closing) {
      const request: FetchRequest = {
        replicaId: -1,
        maxWaitMs: fetchWaitMs,
        minBytes: 1,
        maxBytes: fetchBytesMax,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...offsets].map(([topic, fetchOffset]) => ({ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: fetchPartitionBytesMax }] })),
        forgottenTopicsData: [],
        rackId: '',
      };
      const answer = await client.request(fetchApi, request, { extraTimeoutMs: fetchWaitMs });
      if (answer.errorCode !== KafkaErrorCode.NONE) throw new KafkaResponseError(answer.errorCode, 'Fetch');
      const values: Buffer[] = [];
      for (const t of answer.responses) {
        for (const p of t.partitions) {
          if (p.errorCode !== KafkaErrorCode.NONE) throw new KafkaResponseError(p.errorCode, `Fetch of ${t.topic}-${p.partitionIndex}`);
          if (p.records === null || p.records.length === 0) continue;
          let next = offsets.get(t.topic) as number;
          for (const batch of decodeRecordBatches(p.records, { allowPartialTail: true, recordsMax: Number.MAX_SAFE_INTEGER })) {
            for (const r of batch.records) {
              const offset = batch.baseOffset + r.offsetDelta;
              if (offset < next) continue; // a batch may start before the offset asked for
              // A copy: the value is a view into the response, which it would otherwise keep alive.
              if (r.value !== null) values.push(Buffer.from(r.value));
              next = offset + 1;
            }
          }
          offsets.set(t.topic, next);
        }
      }
      if (values.length > 0) onValues(values);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.tailClients) c.close();
    for (const node of this.nodes.values()) (await node.catch(() => undefined))?.close();
    this.bootstrap.close();
  }

  /** Learn the leaders of `topics`, creating those that do not exist. */
  private async ensureTopics(topics: readonly string[]): Promise<void> {
    const unknown = topics.filter((t) => !this.leaders.has(t));
    if (unknown.length === 0) return;
    let meta = await this.metadata(unknown);
    const missing = meta.topics.filter((t) => t.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION || t.partitions.length === 0).map((t) => t.name);
    if (missing.length > 0) {
      const controller = this.controller >= 0 && this.addresses.has(this.controller) ? await this.node(this.controller) : this.bootstrap;
      const created = await controller.request(createTopicsApi, { topics: missing.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 30_000, validateOnly: false });
      for (const t of created.topics) {
        if (t.errorCode !== KafkaErrorCode.NONE && t.errorCode !== KafkaErrorCode.TOPIC_ALREADY_EXISTS) throw new KafkaResponseError(t.errorCode, `CreateTopics ${t.name}`);
      }
      meta = await this.metadata(unknown);
    }
    for (const t of meta.topics) {
      const p0 = t.partitions.find((p) => p.partitionIndex === 0);
      if (t.errorCode !== KafkaErrorCode.NONE || p0 === undefined || p0.leaderId < 0) throw new KafkaResponseError(t.errorCode !== KafkaErrorCode.NONE ? t.errorCode : KafkaErrorCode.LEADER_NOT_AVAILABLE, `Metadata of ${t.name}`);
      this.leaders.set(t.name, p0.leaderId);
    }
  }

  private async metadata(topics: readonly string[]): Promise<MetadataResponse> {
    const meta = await this.bootstrap.request(metadataApi, { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    for (const b of meta.brokers) this.addresses.set(b.nodeId, b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`);
    this.controller = meta.controllerId;
    return meta;
  }

  private addressOf(node: number): string {
    const address = this.addresses.get(node);
    if (address === undefined) throw new KafkaClientError('Protocol', `broker ${node} leads a partition but is not in the metadata`);
    return address;
  }

  /** The connection to a broker, opened on first use. */
  private node(id: number): Promise<KafkaClient> {
    let client = this.nodes.get(id);
    if (client === undefined) {
      client = KafkaClient.connect(this.addressOf(id), { clientId: 'odlog-bench', requestTimeoutMs });
      this.nodes.set(id, client);
    }
    return client;
  }
}
