import { expect } from 'chai';
import type { Workload } from '../../../bench/harness/BenchOptions.js';
import type { LoadClient } from '../../../bench/harness/load/LoadClient.js';
import { openLoadClient } from '../../../bench/harness/load/openLoadClient.js';
import { NatsClient, type NatsClientError } from '../../../bench/harness/load/NatsClient.js';
import { benchStream, ensureBenchStream, jetStreamApi, NatsLoadClient } from '../../../bench/harness/load/NatsLoadClient.js';
import { RedisLoadClient, redisTailKeysMax } from '../../../bench/harness/load/RedisLoadClient.js';
import { RespClient } from '../../../bench/harness/load/RespClient.js';
import { natsTarget } from '../../../bench/harness/targets/NatsTarget.js';
import { redisTarget } from '../../../bench/harness/targets/RedisTarget.js';
import type { RunningTarget, TargetLauncher } from '../../../bench/harness/targets/Target.js';
import { benchKeyPrefix, benchKeys, writeValue } from '../../../bench/harness/workers/BenchValues.js';

function workload(target: Workload['target'], durability: Workload['durability']): Workload {
  return { target, producers: 1, connections: 1, inFlight: 1, consumers: 1, keys: 10, keyDistribution: 'uniform',
    batchKeys: 'mixed', valueBytes: 64, batchRecords: 100, lingerMs: 1, durability, durationSec: 1, records: undefined, warmupSec: 0, rate: undefined, prefillRounds: 0, odlogCli: undefined };
}

/** Skip visibly (the reporter lists skipped tests, and the reason is printed) when the server is absent. */
function requireServer(context: Mocha.Context, launcher: TargetLauncher): void {
  const reason = launcher.unavailable();
  if (reason === undefined) return;
  console.log(`skipped: ${reason}`);
  context.skip();
}

/** Values that are all distinct and say which record they are. */
function values(producer: number, first: number, count: number, size = 64): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const value = Buffer.alloc(size, 0x61);
    writeValue(value, Date.now(), producer, first + i);
    return value;
  });
}

function hexSorted(list: readonly Buffer[]): string[] {
  return list.map((v) => v.toString('hex')).sort();
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The LoadClient contract, for any peer: a tail started before appends delivers exactly the
 * values appended after it started (none from before, none twice, none missing).
 */
async function tailDeliversExactlyTheAppended(target: RunningTarget, kind: Workload['target']): Promise<void> {
  const keys = benchKeys(10);
  const producer = await openLoadClient({ target: kind, address: target.address, durability: 'sync' });
  const consumer = await openLoadClient({ target: kind, address: target.address, durability: 'sync' });
  const clients: LoadClient[] = [producer, consumer];
  try {
    const before = values(0, 0, 50);
    await producer.append({ keys: before.map((_, i) => keys[i % keys.length]), values: before });
    const delivered: Buffer[] = [];
    await consumer.tail(benchKeyPrefix, keys, (batch) => delivered.push(...batch.map((v) => Buffer.from(v))));
    const appended: Buffer[] = [];
    for (let b = 0; b < 20; b++) {
      const batch = values(1, b * 100, 100);
      // Skewed on purpose: most records on two keys, some keys quiet for whole batches.
      await producer.append({ keys: batch.map((_, i) => keys[i % 7 === 0 ? (b + i) % keys.length : i % 2]), values: batch });
      appended.push(...batch);
    }
    await until(() => delivered.length >= appended.length, 10_000, `${appended.length} deliveries (have ${delivered.length})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(delivered.length, 'deliveries').to.equal(appended.length);
    expect(hexSorted(delivered)).to.deep.equal(hexSorted(appended));
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
  }
}

describe('bench peers: Redis', function () {
  this.timeout(60_000);
  let target: RunningTarget | undefined;

  before(async () => {
    if (redisTarget.unavailable() === undefined) target = await redisTarget.start(workload('redis', 'sync'));
  });

  after(async () => {
    await target?.stop();
  });

  function running(context: Mocha.Context): RunningTarget {
    requireServer(context, redisTarget);
    return target as RunningTarget;
  }

  it('starts redis-server with appendfsync always for sync durability, and it answers PING', async function () {
    const t = running(this);
    expect(t.label).to.match(/^redis-server \d+\.\d+\.\d+ .*appendfsync always/);
    expect(t.pid).to.be.a('number');
    const client = await RespClient.connect(t.address);
    try {
      expect(await client.command(['PING'])).to.equal('PONG');
      const config = (await client.command(['CONFIG', 'GET', 'append*'])) as Buffer[];
      const settings = new Map<string, string>();
      for (let i = 0; i + 1 < config.length; i += 2) settings.set(config[i].toString(), config[i + 1].toString());
      expect(settings.get('appendonly')).to.equal('yes');
      expect(settings.get('appendfsync')).to.equal('always');
    } finally {
      await client.close();
    }
  });

  it('round-trips binary values through XADD and XRANGE', async function () {
    const t = running(this);
    const client = await RespClient.connect(t.address);
    try {
      const value = Buffer.from([0, 13, 10, 255, 36, 42]);
      const id = await client.command(['XADD', 'roundtrip', '*', 'v', value]);
      expect(Buffer.isBuffer(id)).to.equal(true);
      const range = (await client.command(['XRANGE', 'roundtrip', '-', '+'])) as [Buffer, Buffer[]][];
      expect(range.length).to.equal(1);
      expect(range[0][0].equals(id as Buffer)).to.equal(true);
      expect(range[0][1][1].equals(value)).to.equal(true);
    } finally {
      await client.close();
    }
  });

  it('delivers to a RedisLoadClient tail exactly the values appended after it started', async function () {
    await tailDeliversExactlyTheAppended(running(this), 'redis');
  });

  it(`refuses a tail of more than ${redisTailKeysMax} keys with a clear error`, async function () {
    const t = running(this);
    const client = await RedisLoadClient.open({ target: 'redis', address: t.address, durability: 'sync' });
    try {
      const error = await client.tail(benchKeyPrefix, benchKeys(redisTailKeysMax + 1), () => undefined).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).to.match(/at most 10000 keys/);
    } finally {
      await client.close();
    }
  });

  it('starts with appendfsync everysec for async durability and cleans up its directory on stop', async function () {
    requireServer(this, redisTarget);
    const t = await redisTarget.start(workload('redis', 'async'));
    try {
      expect(t.label).to.match(/appendfsync everysec/);
      const client = await RespClient.connect(t.address);
      expect(await client.command(['CONFIG', 'GET', 'appendfsync'])).to.deep.equal([Buffer.from('appendfsync'), Buffer.from('everysec')]);
      await client.close();
    } finally {
      await t.stop();
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(t.dataDir as string)).to.equal(false);
  });
});

describe('bench peers: NATS JetStream', function () {
  this.timeout(60_000);
  let target: RunningTarget | undefined;

  before(async () => {
    if (natsTarget.unavailable() === undefined) target = await natsTarget.start(workload('nats', 'sync'));
  });

  after(async () => {
    await target?.stop();
  });

  function running(context: Mocha.Context): RunningTarget {
    requireServer(context, natsTarget);
    return target as RunningTarget;
  }

  it('starts nats-server with JetStream and states in its label whether a PubAck follows an fsync', async function () {
    const t = running(this);
    expect(t.label).to.match(/^nats-server \d+\.\d+\.\d+ \(JetStream file; /);
    const client = await NatsClient.connect(t.address);
    try {
      expect(client.info.jetstream).to.equal(true);
      const [major, minor] = client.info.version.split('.').map(Number);
      if (major === 2 && minor < 10) expect(t.label).to.match(/NOT fsync per ack/);
      else expect(t.label).to.match(/sync_interval always/);
    } finally {
      await client.close();
    }
  });

  it('creates the file-storage bench stream, and creating it again is accepted', async function () {
    const t = running(this);
    const client = await NatsClient.connect(t.address);
    try {
      await ensureBenchStream(client);
      await ensureBenchStream(client);
      const info = await jetStreamApi(client, `STREAM.INFO.${benchStream.name}`, undefined);
      expect(info.config).to.deep.include({ storage: 'file', subjects: ['bench.>'] });
    } finally {
      await client.close();
    }
  });

  it('acknowledges a publish with a PubAck and serves the message back from the stream', async function () {
    const t = running(this);
    const client = await NatsLoadClient.open({ target: 'nats', address: t.address, durability: 'sync' });
    const raw = await NatsClient.connect(t.address);
    try {
      const value = Buffer.from([0, 13, 10, 255, 36, 42]);
      await client.append({ keys: [Buffer.from('bench:roundtrip')], values: [value] });
      const got = await jetStreamApi(raw, `STREAM.MSG.GET.${benchStream.name}`, { last_by_subj: 'bench.roundtrip' });
      const message = got.message as { subject: string; data: string };
      expect(message.subject).to.equal('bench.roundtrip');
      expect(Buffer.from(message.data, 'base64').equals(value)).to.equal(true);
    } finally {
      await client.close();
      await raw.close();
    }
  });

  it('delivers to a NatsLoadClient tail (ordered push consumer) exactly the values appended after it started', async function () {
    await tailDeliversExactlyTheAppended(running(this), 'nats');
  });

  it('fails an append to a subject no stream covers with NoResponders instead of waiting', async function () {
    const t = running(this);
    const client = await NatsLoadClient.open({ target: 'nats', address: t.address, durability: 'sync' });
    try {
      const started = Date.now();
      const error = await client.append({ keys: [Buffer.from('nobody:1')], values: [Buffer.from('x')] }).then(() => undefined, (e: unknown) => e);
      expect((error as NatsClientError).code).to.equal('NoResponders');
      expect(Date.now() - started).to.be.below(5000);
    } finally {
      await client.close();
    }
  });
});
