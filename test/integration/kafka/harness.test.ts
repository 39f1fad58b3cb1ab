import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../../../bench/harness/BenchResult.js';
import { openLoadClient } from '../../../bench/harness/load/openLoadClient.js';
import { keyToTopic } from '../../../bench/harness/load/KafkaLoadClient.js';
import { benchKeyPrefix, benchKeys } from '../../../bench/harness/workers/BenchValues.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { startKafkaBroker, waitFor } from './KafkaTestBroker.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../src/cli/odlog.js', import.meta.url));
const tiny = ['--producers', '1', '--connections', '1', '--in-flight', '1', '--batch-records', '50', '--keys', '5', '--duration', '1', '--warmup', '0', '--rate', '2000', '--quiet'];

describe('odlog bench --target kafka (tiny settings)', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('the Kafka load client appends each key\'s records as one batch to its topic, and its tail delivers them', async () => {
    const { broker, kafka } = await startKafkaBroker(fixture);
    const native = await fixture.client(broker.address);
    const keys = benchKeys(3);
    const producer = fixture.track(await openLoadClient({ target: 'kafka', address: kafka, durability: 'sync' }), (c) => c.close());
    const consumer = fixture.track(await openLoadClient({ target: 'kafka', address: kafka, durability: 'sync' }), (c) => c.close());
    const delivered: string[] = [];
    await consumer.tail(benchKeyPrefix, keys, (values) => delivered.push(...values.map((v) => v.toString())));
    const values = Array.from({ length: 30 }, (_, i) => `value-${i}`);
    await producer.append({ keys: values.map((_, i) => keys[i % 3]), values: values.map((v) => Buffer.from(v)) });
    await waitFor(() => delivered.length >= 30, () => `${delivered.length} of 30 values delivered`);
    expect([...delivered].sort()).to.deep.equal([...values].sort());
    expect(keys.map((k) => keyToTopic(k))).to.deep.equal(['bench.0', 'bench.1', 'bench.2']);
    for (let k = 0; k < 3; k++) {
      const page = await native.scan(`bench.${k}`);
      expect(page.entries.map((e) => e.value.toString())).to.deep.equal(values.filter((_, i) => i % 3 === k));
    }
  });

  it('drives its own odlog broker through the Kafka listener, with a tailing consumer, and reports like any target', async () => {
    const json = `${fixture.dir('odlog-bench-kafka')}/result.json`;
    await run(process.execPath, [cli, 'bench', '--target', 'kafka', ...tiny, '--consumers', '1', '--out', json], { maxBuffer: 1 << 20 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.target.kind).to.equal('kafka');
    expect(result.target.startedByHarness).to.equal(true);
    expect(result.errors).to.deep.equal({});
    expect(result.throughput.records).to.be.greaterThan(0);
    expect(result.ackLatencyUs.count).to.equal(result.throughput.records);
    expect(result.deliveredRecords).to.be.greaterThan(0);
    expect(result.endToEndLatencyUs?.count).to.equal(result.deliveredRecords);
  });

  it('drives a Kafka-protocol broker given with --broker, and every acknowledged record is stored', async () => {
    const { broker, kafka } = await startKafkaBroker(fixture);
    const json = `${fixture.dir('odlog-bench-kafka')}/result.json`;
    await run(process.execPath, [cli, 'bench', '--target', 'kafka', '--broker', kafka, ...tiny, '--out', json], { maxBuffer: 1 << 20 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.target).to.deep.include({ kind: 'kafka', address: kafka, startedByHarness: false });
    expect(result.errors).to.deep.equal({});
    const native = await fixture.client(broker.address);
    let stored = 0;
    for (let k = 0; k < 5; k++) stored += await native.count(`bench.${k}`);
    expect(stored).to.be.at.least(result.throughput.records);
    expect(result.throughput.records).to.be.greaterThan(0);
  });
});
