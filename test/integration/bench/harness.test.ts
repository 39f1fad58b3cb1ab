import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../../../bench/harness/BenchResult.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { TempDirs } from '../../support/TempDirs.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../src/cli/odlog.js', import.meta.url));

describe('odlog bench (end to end, tiny settings)', function () {
  this.timeout(120_000);
  const dirs = new TempDirs();
  const fixture = new BrokerFixture();
  after(() => dirs.cleanup());
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('runs producers and a tailing consumer against its own broker and writes JSON and HTML carrying the printed numbers', async () => {
    const dir = dirs.make('odlog-bench-test');
    const json = `${dir}/result.json`;
    const html = `${dir}/report.html`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--producers', '1', '--connections', '2', '--in-flight', '2', '--batch-records', '50', '--keys', '10',
      '--consumers', '1', '--duration', '2', '--warmup', '1', '--rate', '5000', '--out', json, '--html', html, '--quiet',
    ], { maxBuffer: 1 << 20 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.schema).to.equal('odlog-bench/2');
    expect(result.target.kind).to.equal('odlog');
    expect(result.throughput.records).to.be.greaterThan(0);
    expect(result.ackLatencyUs.count).to.be.greaterThan(0);
    expect(result.endToEndLatencyUs?.count ?? 0).to.be.greaterThan(0);
    expect(result.deliveredRecords).to.be.greaterThan(0);
    // One sample per record: end-to-end samples are the records delivered while measuring, ack
    // samples the records acknowledged while measuring, and nothing is delivered that was not produced.
    expect(result.endToEndLatencyUs?.count).to.equal(result.deliveredRecords);
    expect(result.ackLatencyUs.count).to.equal(result.throughput.records);
    expect(result.deliveredRecords).to.be.at.most(result.timeline[result.timeline.length - 1].cumulativeRecords * result.workload.consumers);
    for (const point of result.timeline) if (point.ackP50Us !== null) expect(point.ackP50Us).to.be.greaterThan(0);
    expect(result.errors).to.deep.equal({});
    expect(result.setup.cores).to.be.greaterThan(0);
    expect(result.workload.rate).to.equal(5000);
    // Memory: anonymous apart from file-mapped (LMDB's map); each kind's peak sample is within the kernel's peak of both.
    const broker = result.broker as NonNullable<BenchResult['broker']>;
    expect(broker.anonymousPeakBytes).to.be.greaterThan(0);
    expect(broker.fileMappedPeakBytes).to.be.greaterThan(0);
    expect(broker.anonymousPeakBytes).to.be.below(broker.peakRssBytes);
    expect(broker.fileMappedPeakBytes).to.be.below(broker.peakRssBytes);
    expect(stdout).to.contain(`anonymous ${Math.round(broker.anonymousPeakBytes / 2 ** 20)} MiB (RssAnon`);
    expect(stdout).to.contain(`file-mapped ${Math.round(broker.fileMappedPeakBytes / 2 ** 20)} MiB (RssFile+RssShmem: LMDB's mapped data file`);
    // Disk: the data directory (LMDB file plus wal/) at the end, and its growth over the measured phase per record.
    const disk = result.disk as NonNullable<BenchResult['disk']>;
    expect(disk.bytesPerRecord).to.be.greaterThan(0);
    expect(disk.walBytes).to.be.greaterThan(0).and.below(disk.bytes);
    expect(disk.records).to.equal(result.timeline[result.timeline.length - 1].cumulativeRecords);
    expect(disk.measuredRecords).to.be.greaterThan(0).and.at.most(disk.records);
    expect(disk.measuredGrowthBytes).to.be.greaterThan(0);
    expect(disk.measuredBytesPerRecord).to.equal(disk.measuredGrowthBytes / disk.measuredRecords);
    expect(stdout).to.match(new RegExp(`disk growth while measuring: ${disk.measuredGrowthBytes.toLocaleString('en-US')} bytes for ${disk.measuredRecords.toLocaleString('en-US')} records, ${(disk.measuredBytesPerRecord as number).toFixed(1)} bytes/record \\(growth of the data directory: LMDB file plus wal/`));
    expect(result.timeline.length).to.be.greaterThan(1);
    // The printed table carries the same figures as the JSON.
    const printedRate = Number(/throughput: ([\d,]+) records\/s/.exec(stdout)?.[1].replace(/,/g, ''));
    expect(printedRate).to.equal(Math.round(result.throughput.recordsPerSec));
    const printedP99 = Number(/ack latency\s+p50 \S+\s+p90 \S+\s+p99 (\S+)/.exec(stdout)?.[1]);
    // printed with 2 decimals below 10 ms, 1 above
    expect(printedP99).to.be.closeTo(result.ackLatencyUs.p99 / 1000, 0.051);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).to.equal(true);
    expect(page).to.include('</html>');
    expect(page).to.include('<svg');
    expect(page).to.include(Math.round(result.throughput.recordsPerSec).toLocaleString('en-US'));
    expect(page).to.include('<table class="workload">');
    expect(page).to.include(`<td>${result.deliveredRecords.toLocaleString('en-US')}</td>`);
    expect(page).to.include('delivery after ack');
    expect(page).not.to.match(/<script|src="http|href="http/);
  });

  it('prefills every key 10 times before measuring, reporting the first round as key creation', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address);
    const dir = dirs.make('odlog-bench-prefill');
    const json = `${dir}/result.json`;
    const keys = 37;
    // Two producers and batches of 5: key shares and batches do not divide evenly.
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--broker', broker.address, '--producers', '2', '--connections', '2', '--in-flight', '2', '--batch-records', '5', '--keys', String(keys),
      '--prefill-rounds', '10', '--duration', '1', '--warmup', '0', '--out', json, '--quiet',
    ], { maxBuffer: 1 << 20 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    const prefill = result.prefill as NonNullable<BenchResult['prefill']>;
    expect(prefill.rounds).to.equal(10);
    expect(prefill.keyCreation.keys).to.equal(keys);
    expect(prefill.keyCreation.keysPerSec).to.be.closeTo(keys / prefill.keyCreation.seconds, 1e-6);
    // The harness does not own a broker it was pointed at: no bytes per key then.
    expect(prefill.keyCreation.bytesPerKey).to.equal(undefined);
    expect(prefill.fillRecords).to.equal(keys * 9);
    expect(result.errors).to.deep.equal({});
    expect(stdout).to.contain(`key creation: ${keys} keys written for the first time in `);
    expect(stdout).to.contain('The measured phase below is the steady state: every key holds 10 records or more.');
    // Every key holds at least 10 records, and the log holds the prefill and then at least what the measured phase acknowledged
    // (appends in flight when it ended complete after it, and are stored too).
    const counts = await Promise.all(Array.from({ length: keys }, (_, i) => client.count(`bench:${i}`)));
    for (const [i, n] of counts.entries()) expect(n, `bench:${i}`).to.be.at.least(10);
    const stored = counts.reduce((a, b) => a + b, 0);
    expect(stored).to.be.at.least(result.timeline[result.timeline.length - 1].cumulativeRecords);
    expect(stored - keys * 10).to.be.at.least(result.throughput.records);
  });

  it('with --peers, runs the discard server for the same workload and prints each system\'s share of its rate', async () => {
    const dir = dirs.make('odlog-bench-peers');
    const json = `${dir}/peers.json`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--peers', '--producers', '1', '--connections', '1', '--in-flight', '2', '--batch-records', '20', '--keys', '10', '--duration', '1', '--warmup', '0', '--out', json, '--quiet',
    ], { maxBuffer: 1 << 22 });
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResult[];
    expect(results[0].target.kind).to.equal('discard');
    expect(results.map((r) => r.target.kind)).to.include('odlog');
    const ceiling = results[0].throughput.recordsPerSec;
    expect(stdout).to.contain("== against the generator's ceiling: the discard server (stores nothing), same workload, this run ==");
    for (const r of results) {
      const line = stdout.split('\n').find((l) => l.endsWith(`  ${r.target.label}`) && l.includes(' records/s '));
      expect(line, r.target.label).to.not.equal(undefined);
      expect(line).to.contain(`${Math.round(r.throughput.recordsPerSec).toLocaleString('en-US')} records/s`);
      expect(line).to.contain(`${(r.throughput.recordsPerSec / ceiling).toFixed(2)}x`);
    }
  });

  it('with --repeat, runs every round and ends with the medians of the rounds', async () => {
    const dir = dirs.make('odlog-bench-repeat');
    const json = `${dir}/rounds.json`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--repeat', '2', '--producers', '1', '--connections', '1', '--in-flight', '2', '--batch-records', '20', '--keys', '5', '--duration', '1', '--warmup', '0', '--out', json, '--quiet',
    ], { maxBuffer: 1 << 22 });
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResult[];
    expect(results.map((r) => r.target.kind)).to.deep.equal(['odlog', 'odlog']);
    expect(stdout).to.contain('=== round 1 of 2 ===');
    expect(stdout).to.contain('=== round 2 of 2 ===');
    expect(stdout).to.contain('== medians over 2 rounds');
    const rates = results.map((r) => r.throughput.recordsPerSec);
    const row = stdout.split('\n').find((l) => l.startsWith('odlog ') && l.includes('-'));
    expect(row).to.contain(Math.round((rates[0] + rates[1]) / 2).toLocaleString('en-US'));
    expect(row).to.contain(`(${Math.round(Math.min(...rates)).toLocaleString('en-US')}-${Math.round(Math.max(...rates)).toLocaleString('en-US')})`);
  });

  it('compares two results with --compare and prints their ratio', async () => {
    const dir = dirs.make('odlog-bench-compare');
    const a = `${dir}/a.json`;
    const b = `${dir}/b.json`;
    const base = ['bench', '--producers', '1', '--connections', '1', '--in-flight', '1', '--batch-records', '20', '--keys', '5', '--duration', '1', '--warmup', '0', '--quiet'];
    await run(process.execPath, [cli, ...base, '--out', a]);
    await run(process.execPath, [cli, ...base, '--target', 'discard', '--out', b]);
    const { stdout } = await run(process.execPath, [cli, 'bench', '--compare', a, b]);
    const ra = JSON.parse(readFileSync(a, 'utf8')) as BenchResult;
    const rb = JSON.parse(readFileSync(b, 'utf8')) as BenchResult;
    const ratio = (rb.throughput.recordsPerSec / ra.throughput.recordsPerSec).toFixed(2);
    expect(stdout).to.match(new RegExp(`records/s\\s+\\S+\\s+\\S+\\s+${ratio.replace('.', '\\.')}x`));
  });

  it('runs the scale suite on tiny sizes: key creation apart from the steady state, and every curve in JSON and HTML', async () => {
    const dir = dirs.make('odlog-bench-scale');
    const json = `${dir}/scale.json`;
    const html = `${dir}/scale.html`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--suite', 'scale', '--producers', '1', '--connections', '1', '--batch-records', '50', '--duration', '1', '--warmup', '0',
      '--rate', '2000', '--scale-log-sizes', '2000,6000', '--scale-key-counts', '10,300', '--scale-tail-key-counts', '10,1000', '--scale-count-sizes', '100,1000',
      '--scale-idle-subscriptions', '20', '--scale-stalled-bytes', String(2 * 1024 * 1024), '--out', json, '--html', html, '--quiet',
    ], { maxBuffer: 1 << 22 });
    const output = JSON.parse(readFileSync(json, 'utf8')) as { curves: { title: string; points: { x: string; y: number }[] }[]; runs: BenchResult[]; steadyRatio: number };
    expect(output.curves.map((c) => c.title)).to.deep.equal([
      'Ingest throughput as the log grows',
      'Key creation rate as the key count grows (closed loop, every record a new key)',
      'Key creation: bytes on disk per key (data directory growth: LMDB file plus wal/)',
      'Steady-state throughput as the key count grows (closed loop, every key holding 10+ records)',
      'Steady state: bytes on disk per record (data directory growth over the measured phase: LMDB file plus wal/)',
      'Scan throughput of one key as the key count grows',
      'Tail latency p99 (end to end) as the key count grows',
      'Count latency (median, over the network) as a key grows',
      "Broker anonymous memory (RssAnon: what it holds itself; LMDB's mapped file left out)",
    ]);
    for (const curve of output.curves) {
      expect(curve.points.length, curve.title).to.be.greaterThan(1);
      for (const point of curve.points) expect(point.y, `${curve.title} at ${point.x}`).to.be.greaterThan(0);
    }
    // The ingest run, one closed-loop run per key count, one open-loop tail run per tail key count.
    expect(output.runs.length).to.equal(5);
    const keyRuns = output.runs.slice(1, 3);
    expect(keyRuns.map((r) => [r.workload.keys, r.workload.rate, r.workload.prefillRounds])).to.deep.equal([[10, undefined, 10], [300, undefined, 10]]);
    const curve = (title: string): number[] => (output.curves.find((c) => c.title.startsWith(title)) as { points: { y: number }[] }).points.map((p) => p.y);
    for (const [i, r] of keyRuns.entries()) {
      const creation = (r.prefill as NonNullable<BenchResult['prefill']>).keyCreation;
      expect(creation.keys).to.equal(r.workload.keys);
      expect((r.prefill as NonNullable<BenchResult['prefill']>).fillRecords).to.equal(r.workload.keys * 9);
      // Key creation: keys/s and the data directory's growth per key while the keys were first written.
      expect(curve('Key creation rate')[i]).to.equal(creation.keysPerSec);
      expect(curve('Key creation: bytes')[i]).to.equal(creation.bytesPerKey);
      expect(creation.bytesPerKey).to.equal((creation.diskGrowthBytes as number) / creation.keys);
      // Steady state: records/s of the measured phase, and the directory's growth over it per record.
      expect(curve('Steady-state throughput')[i]).to.equal(r.throughput.recordsPerSec);
      expect(curve('Steady state: bytes')[i]).to.equal(r.disk?.measuredBytesPerRecord);
      expect(r.disk?.measuredRecords).to.be.greaterThan(0);
      expect(r.disk?.records).to.be.at.least(r.workload.keys * 10 + (r.disk?.measuredRecords ?? 0));
    }
    expect(output.steadyRatio).to.equal(keyRuns[1].throughput.recordsPerSec / keyRuns[0].throughput.recordsPerSec);
    expect(stdout).to.contain(`steady-state records/s at 300 keys over 10 keys: ${output.steadyRatio.toFixed(2)}x`);
    const ingest = output.curves[0].points.map((p) => p.y);
    expect(stdout).to.include(Math.round(ingest[0]).toLocaleString('en-US'));
    const page = readFileSync(html, 'utf8');
    expect(page).to.include('Count latency');
    expect(page).to.include('Key creation rate');
    expect(page.match(/<svg/g)?.length ?? 0).to.be.greaterThanOrEqual(output.curves.length);
  });
});
