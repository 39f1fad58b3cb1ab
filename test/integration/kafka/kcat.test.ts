import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { KcatProcess, requireKcat, restartKafkaBroker, runKcat, startKafkaBroker, waitFor } from './KafkaTestBroker.js';

/** `-f '%o %k %s %T\n'` lines as [offset, key, value, timestamp]. */
function parse(lines: string): [number, string, string, number][] {
  return lines
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [o, k, s, t] = l.split(' ');
      return [Number(o), k, s, Number(t)];
    });
}

describe('Kafka listener with kcat (librdkafka)', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  let kcat: string;
  let broker: BrokerProcess;
  let kafka: string;
  let native: OdlogClient;

  before(async function () {
    kcat = requireKcat(this);
    ({ broker, kafka } = await startKafkaBroker(fixture));
    native = await fixture.client(broker.address, {}, 'file');
  });
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  const consume = (topic: string, ...args: string[]) => runKcat(kcat, ['-b', kafka, '-C', '-t', topic, '-e', '-f', '%o %k %s %T\\n', ...args]);

  it('-P -K: appends keyed records while native appends go to other keys; -C -o beginning -e shows offsets 0, 1, 2..., keys, values and append times, then exits', async () => {
    const topic = 'kcat-keyed';
    let stop = false;
    const nativeAppends = (async () => {
      let i = 0;
      while (!stop) await native.append([{ key: `other-${i % 3}`, value: `n${i++}` }]);
      return i;
    })();
    const lines = Array.from({ length: 200 }, (_, i) => `key${i}:value${i}`).join('\n') + '\n';
    const startedAt = Date.now();
    const produced = await runKcat(kcat, ['-b', kafka, '-P', '-K:', '-t', topic], { input: lines });
    stop = true;
    expect(await nativeAppends).to.be.greaterThan(0);
    expect(produced.code, produced.stderr).to.equal(0);
    const read = await consume(topic, '-o', 'beginning');
    expect(read.code, read.stderr).to.equal(0);
    const records = parse(read.stdout);
    expect(records.map(([o, k, s]) => [o, k, s])).to.deep.equal(Array.from({ length: 200 }, (_, i) => [i, `key${i}`, `value${i}`]));
    for (const [, , , t] of records) expect(t).to.be.within(startedAt - 1000, Date.now());
    for (let i = 1; i < records.length; i++) expect(records[i][3]).to.be.at.least(records[i - 1][3]);
    expect(read.stderr).to.include('Reached end of topic kcat-keyed [0] at offset 200');
    // The same records through the native protocol: the topic is the key, the value unchanged.
    const page = await native.scan(topic, {}, { limit: 1000 });
    expect(page.entries.map((e) => e.value.toString())).to.deep.equal(Array.from({ length: 200 }, (_, i) => `value${i}`));
  });

  it('-L -J lists the broker and the written topics with legal names, and no other key', async () => {
    await native.append([{ key: 'not:a-topic', value: 'x' }]);
    await runKcat(kcat, ['-b', kafka, '-P', '-t', 'kcat-listed'], { input: 'one\n' });
    const listed = await runKcat(kcat, ['-b', kafka, '-L', '-J']);
    expect(listed.code, listed.stderr).to.equal(0);
    const meta = JSON.parse(listed.stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { partition: number; leader: number }[] }[] };
    expect(meta.brokers).to.deep.equal([{ id: 0, name: kafka }]);
    const names = meta.topics.map((t) => t.topic);
    expect(names).to.include('kcat-listed');
    expect(names).to.not.include('not:a-topic');
    expect(meta.topics.find((t) => t.topic === 'kcat-listed')?.partitions).to.deep.equal([{ partition: 0, leader: 0, replicas: [{ id: 0 }], isrs: [{ id: 0 }] }]);
  });

  it('-o end, -o -2 and -o s@<timestamp> start where Kafka would', async () => {
    const topic = 'kcat-offsets';
    await runKcat(kcat, ['-b', kafka, '-P', '-K:', '-t', topic], { input: 'a:1\nb:2\nc:3\n' });
    const early = parse((await consume(topic, '-o', 'beginning')).stdout);
    await waitFor(() => Date.now() > early[early.length - 1][3] + 5, () => 'the clock did not move');
    const boundary = Date.now();
    await waitFor(() => Date.now() > boundary, () => 'the clock did not move');
    await runKcat(kcat, ['-b', kafka, '-P', '-K:', '-t', topic], { input: 'd:4\ne:5\n' });

    const end = await consume(topic, '-o', 'end');
    expect(end.code, end.stderr).to.equal(0);
    expect(end.stdout).to.equal('');
    expect(end.stderr).to.include('at offset 5');
    expect(parse((await consume(topic, '-o', '-2')).stdout).map(([o, k]) => [o, k])).to.deep.equal([[3, 'd'], [4, 'e']]);
    const byTime = parse((await consume(topic, '-o', `s@${boundary}`)).stdout);
    expect(byTime.map(([o, k]) => [o, k])).to.deep.equal([[3, 'd'], [4, 'e']]);
    expect(byTime[0][3]).to.be.at.least(boundary);
  });

  it('-z gzip, -z snappy and -z lz4 batches are decoded; -z zstd is refused (UNSUPPORTED_COMPRESSION_TYPE) and logged with the client id', async () => {
    const topic = 'kcat-compressed';
    // Values long and repetitive enough that librdkafka does compress them (it sends a batch
    // uncompressed when compressing would not make it smaller).
    const value = (codec: string): string => `${codec}-`.repeat(200);
    for (const codec of ['gzip', 'snappy', 'lz4']) {
      const produced = await runKcat(kcat, ['-b', kafka, '-P', '-K:', '-t', topic, '-z', codec], { input: `${codec}:${value(codec)}\n` });
      expect(produced.code, `${codec}: ${produced.stderr}`).to.equal(0);
    }
    const zstd = await runKcat(kcat, ['-b', kafka, '-P', '-K:', '-t', topic, '-z', 'zstd', '-X', 'client.id=kcat-zstd-test'], { input: `zstd:${value('zstd')}\n` });
    expect(zstd.code).to.not.equal(0);
    expect(zstd.stderr).to.include('Unsupported compression type');
    const read = parse((await consume(topic, '-o', 'beginning')).stdout);
    expect(read.map(([o, k, s]) => [o, k, s])).to.deep.equal(['gzip', 'snappy', 'lz4'].map((codec, i) => [i, codec, value(codec)]));
    await waitFor(() => /kafka_refused kind=batch:UNSUPPORTED_COMPRESSION .*client=kcat-zstd-test .*zstd compression is not supported/.test(broker.stderr), () => `no refusal line in the broker log:\n${broker.stderrTail()}`);
  });

  it('-G consumes as a group member, is stopped, and resumes after a broker restart without duplicates', async () => {
    const fixtureBroker = await startKafkaBroker(fixture);
    const topic = 'kcat-group';
    const group = (address: string): KcatProcess =>
      fixture.track(new KcatProcess(kcat, ['-b', address, '-u', '-G', 'kcat-g', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500', '-f', '%o %k %s\\n', topic]), (p) => p.kill());
    await runKcat(kcat, ['-b', fixtureBroker.kafka, '-P', '-K:', '-t', topic], { input: 'a:1\nb:2\nc:3\n' });
    const first = group(fixtureBroker.kafka);
    await waitFor(() => first.lines.length >= 3, () => `first run: ${first.lines.length} of 3 lines; stderr:\n${first.stderr}`, 60_000);
    expect(await first.stop()).to.equal(0); // commits its position and leaves the group
    expect(first.lines).to.deep.equal(['0 a 1', '1 b 2', '2 c 3']);

    const address = await restartKafkaBroker(fixtureBroker.broker);
    await runKcat(kcat, ['-b', address, '-P', '-K:', '-t', topic], { input: 'd:4\ne:5\n' });
    const second = group(address);
    await waitFor(() => second.lines.length >= 2, () => `second run: ${second.lines.length} of 2 lines; stderr:\n${second.stderr}`, 60_000);
    await waitFor(() => /Reached end of topic kcat-group \[0\] at offset 5/.test(second.stderr), () => `second run did not reach the end; stderr:\n${second.stderr}`);
    await second.stop();
    expect(second.lines).to.deep.equal(['3 d 4', '4 e 5']);
  });

  it('SASL/PLAIN with a token: its name and token are the username and password, its prefixes apply, and without it the connection is refused', async () => {
    const dir = fixture.dir('odlog-kafka-sasl');
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ tokens: [{ name: 'tenant-a', token: 'secret-token-a', append: ['tenant-a.'], read: ['tenant-a.'] }] }));
    const secured = await startKafkaBroker(fixture, ['--config', config]);
    const sasl = (user: string, password: string): string[] => ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`];
    const ok = sasl('tenant-a', 'secret-token-a');

    const produced = await runKcat(kcat, ['-b', secured.kafka, '-P', '-t', 'tenant-a.events', ...ok], { input: 'hello\n' });
    expect(produced.code, produced.stderr).to.equal(0);
    const read = await runKcat(kcat, ['-b', secured.kafka, '-C', '-t', 'tenant-a.events', '-o', 'beginning', '-e', '-f', '%o %s\\n', ...ok]);
    expect(read.stdout).to.equal('0 hello\n');

    const outside = await runKcat(kcat, ['-b', secured.kafka, '-P', '-t', 'tenant-b.events', ...ok], { input: 'nope\n' });
    expect(outside.code).to.not.equal(0);
    expect(outside.stderr).to.match(/Topic authorization failed/i);

    const wrong = await runKcat(kcat, ['-b', secured.kafka, '-L', '-m', '3', ...sasl('tenant-a', 'not-the-token'), '-X', 'client.id=kcat-wrong-password']);
    expect(wrong.code).to.not.equal(0);
    expect(wrong.stderr).to.match(/Authentication failed/i);
    const anonymous = await runKcat(kcat, ['-b', secured.kafka, '-L', '-m', '3', '-X', 'client.id=kcat-no-sasl']);
    expect(anonymous.code).to.not.equal(0);
    await waitFor(() => /kafka_refused kind=auth_failed .*client=kcat-wrong-password .*unknown token/.test(secured.broker.stderr), () => `no auth_failed line:\n${secured.broker.stderrTail()}`);
    await waitFor(() => /kafka_refused kind=unauthenticated .*client=kcat-no-sasl .*api=Metadata/.test(secured.broker.stderr), () => `no unauthenticated line:\n${secured.broker.stderrTail()}`);
    expect(secured.broker.stderr).to.not.include('secret-token-a');
    expect(await native.count('tenant-b.events')).to.equal(0);
  });
});
