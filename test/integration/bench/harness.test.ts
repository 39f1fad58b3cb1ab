import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../../../bench/harness/BenchResult.js';
import { TempDirs } from '../../support/TempDirs.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../src/cli/odlog.js', import.meta.url));

describe('odlog bench (end to end, tiny settings)', function () {
  this.timeout(120_000);
  const dirs = new TempDirs();
  after(() => dirs.cleanup());

  it('runs producers and a tailing consumer against its own broker and writes JSON and HTML carrying the printed numbers', async () => {
    const dir = dirs.make('odlog-bench-test');
    const json = `${dir}/result.json`;
    const html = `${dir}/report.html`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--producers', '1', '--connections', '2', '--in-flight', '2', '--batch-records', '50', '--keys', '10',
      '--consumers', '1', '--duration', '2', '--warmup', '1', '--rate', '5000', '--out', json, '--html', html, '--quiet',
    ], { maxBuffer: 1 << 20 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.schema).to.equal('odlog-bench/1');
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
    expect(result.broker?.peakRssBytes ?? 0).to.be.greaterThan(0);
    expect(result.disk?.bytesPerRecord ?? 0).to.be.greaterThan(0);
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
    expect(page).not.to.match(/<script|src="http|href="http/);
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

  it('runs the scale suite on tiny sizes and writes every curve to JSON and HTML', async () => {
    const dir = dirs.make('odlog-bench-scale');
    const json = `${dir}/scale.json`;
    const html = `${dir}/scale.html`;
    const { stdout } = await run(process.execPath, [
      cli, 'bench', '--suite', 'scale', '--producers', '1', '--connections', '1', '--batch-records', '50', '--duration', '1', '--warmup', '0',
      '--rate', '2000', '--scale-log-sizes', '2000,6000', '--scale-key-counts', '10,1000', '--scale-count-sizes', '100,1000',
      '--scale-idle-subscriptions', '20', '--scale-stalled-bytes', String(2 * 1024 * 1024), '--out', json, '--html', html, '--quiet',
    ], { maxBuffer: 1 << 22 });
    const output = JSON.parse(readFileSync(json, 'utf8')) as { curves: { title: string; points: { x: string; y: number }[] }[]; runs: BenchResult[] };
    expect(output.curves.map((c) => c.title)).to.deep.equal([
      'Ingest throughput as the log grows',
      'Tail latency p99 (end to end) as the key count grows',
      'Scan throughput of one key as the key count grows',
      'Count latency (median, over the network) as a key grows',
      'Broker memory (RSS)',
    ]);
    for (const curve of output.curves) {
      expect(curve.points.length, curve.title).to.be.greaterThan(1);
      for (const point of curve.points) expect(point.y, `${curve.title} at ${point.x}`).to.be.greaterThan(0);
    }
    expect(output.runs.length).to.equal(3); // the ingest run and one per key count
    const ingest = output.curves[0].points.map((p) => p.y);
    expect(stdout).to.include(Math.round(ingest[0]).toLocaleString('en-US'));
    const page = readFileSync(html, 'utf8');
    expect(page).to.include('Count latency');
    expect(page.match(/<svg/g)?.length ?? 0).to.be.greaterThanOrEqual(output.curves.length);
  });
});
