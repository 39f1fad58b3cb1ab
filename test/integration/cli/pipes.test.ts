import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, recordLines, runCli } from '../../support/Cli.js';
import { waitFor } from '../../support/LogFixture.js';
import { exitOf, rssOf, startOdlog } from '../../support/OdlogRun.js';

/** Resolve once `child` has printed `n` lines (read from its stdout). */
function firstLines(child: ChildProcessWithoutNullStreams, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const got = text.split('\n');
      if (got.length > n) {
        child.stdout.off('data', onData);
        resolve(got.slice(0, n));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`odlog exited (${code}) before printing ${n} lines`)));
  });
}

function stderrOf(child: ChildProcessWithoutNullStreams): () => string {
  let text = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return () => text;
}

describe('cli: in pipes', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();

  before(async () => {
    // Enough output that the pipe to a reader that stops is full long before the end.
    for (let b = 0; b < 4; b++) await shared.client.append(Array.from({ length: 5000 }, (_, i) => ({ key: 'pipes/epipe', value: `record ${b * 5000 + i}` })));
  });

  for (const command of [['scan', 'pipes/epipe'], ['tail', 'pipes/epipe', '--from', 'earliest']]) {
    it(`${command[0]} | head -2: exits quietly with status 0 when the reader goes away`, async () => {
      const child = startOdlog([...command, '--broker', shared.broker.address]);
      const stderr = stderrOf(child);
      expect(recordLines((await firstLines(child, 2)).join('\n'))).to.deep.equal(['0\tpipes/epipe\trecord 0', '1\tpipes/epipe\trecord 1']);
      child.stdout.destroy(); // what head does after its second line
      const exit = await exitOf(child);
      expect(stderr()).to.equal('');
      expect(exit).to.deep.equal({ code: 0, signal: null });
    });
  }

  it('scan waits for a paused reader: its memory stays flat over a key much larger than that, and every line arrives once reading resumes', async function () {
    if (process.platform !== 'linux') {
      console.log('    skipped: reads RSS from /proc (Linux only)');
      this.skip();
    }
    const records = 150_000;
    const value = 'v'.repeat(400);
    for (let at = 0; at < records; at += 5000) await shared.client.append(Array.from({ length: 5000 }, (_, i) => ({ key: 'pipes/large', value: `${at + i} ${value}` })));
    const outputBytes = records * (value.length + 20);

    // The same program doing nothing (a tail waiting for records): the memory of the code alone.
    const subscriptions = (await shared.client.stats()).subscriptions;
    const idle = startOdlog(['tail', 'pipes/idle', '--broker', shared.broker.address]);
    await waitFor(async () => (await shared.client.stats()).subscriptions > subscriptions, 'the idle tail to subscribe', 15_000);
    const baseline = rssOf(idle.pid as number);
    idle.kill('SIGINT');
    await exitOf(idle);

    const scan = startOdlog(['scan', 'pipes/large', '--broker', shared.broker.address]);
    const stderr = stderrOf(scan);
    // Nothing reads its output: the pipe fills and stays full.
    await new Promise<void>((resolve) => scan.stdout.once('readable', () => resolve()));
    let peak = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      peak = Math.max(peak, rssOf(scan.pid as number));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Without backpressure the whole output (~60 MB) would be queued in memory within this window.
    expect(peak - baseline, `RSS ${(peak / 2 ** 20).toFixed(0)} MiB against an idle ${(baseline / 2 ** 20).toFixed(0)} MiB, for ${(outputBytes / 2 ** 20).toFixed(0)} MiB of output`).to.be.below(outputBytes / 4);

    let count = 0;
    let tail = '';
    scan.stdout.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      const parts = text.split('\n');
      tail = parts.pop() as string;
      count += parts.length;
    });
    const exit = await exitOf(scan, 60_000);
    expect(stderr()).to.equal('');
    expect(exit.code).to.equal(0);
    expect(count).to.equal(records);
  });

  it('tail --count 0 prints nothing and exits', async () => {
    const run = await runCli(['tail', 'pipes/epipe', '--from', 'earliest', '--count', '0', '--broker', shared.broker.address]);
    expect(run.code, run.stderr).to.equal(0);
    expect(lines(run.stdout)).to.deep.equal([]);
  });
});
