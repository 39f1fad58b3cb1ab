import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, odlogCli, type BrokerProcess } from '../../support/BrokerProcess.js';
import { connected } from '../../support/ClientHelpers.js';
import { sleep, waitFor } from '../../support/LogFixture.js';
import { environmentWithoutOdlog, linesOf } from '../../support/OdlogRun.js';

/** How long the broker stays down in the restart scenario (issue 10's reproduction). */
const downMs = 1500;

/** `odlog tail ARGS` as a running process whose output is read as it comes. */
class TailProcess {
  stdout = '';
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exitedAt = 0;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [odlogCli, 'tail', ...args], { env: environmentWithoutOdlog() });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this.exitedAt = Date.now();
    });
  }

  /** The JSON records printed so far. */
  get records(): { key: string; sequence: number; value: string }[] {
    return linesOf(this.stdout).map((line) => JSON.parse(line) as { key: string; sequence: number; value: string });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await waitFor(() => this.exit !== undefined, `odlog tail to exit; stderr:\n${this.stderr}`, timeoutMs);
    return this.exit as { code: number | null; signal: NodeJS.Signals | null };
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }
}

describe('cli: odlog tail across a broker restart (--reconnect-timeout)', function () {
  this.timeout(90_000);
  const fixture = new BrokerFixture();
  const tails: TailProcess[] = [];
  let broker: BrokerProcess;
  let appender: OdlogClient;

  beforeEach(async () => {
    broker = await fixture.start();
    appender = await fixture.client(broker.address);
  });
  afterEach(async function () {
    for (const tail of tails.splice(0)) tail.kill();
    await fixture.cleanup(this.currentTest);
  });

  function tail(args: readonly string[]): TailProcess {
    const t = new TailProcess([...args, '--broker', broker.address, '--format', 'json']);
    tails.push(t);
    return t;
  }

  async function appendValues(key: string, from: number, n: number): Promise<number[]> {
    const sequences: number[] = [];
    for (let i = from; i < from + n; i++) sequences.push((await appender.append([{ key, value: `v${i}` }])).startSequence);
    return sequences;
  }

  it(`keeps following when the broker is killed (-9) and restarted ${downMs} ms later, printing every record before and after exactly once`, async () => {
    const key = 'tail/restart';
    const acked = await appendValues(key, 0, 10);
    const t = tail([key, '--from', 'earliest']);
    await waitFor(() => t.records.length >= 10, `the first 10 records; stderr:\n${t.stderr}`, 20_000);
    await broker.kill();
    // The outage of the scenario (not an assertion): the tail must outlive it.
    await sleep(downMs);
    expect(t.exit, `the tail exited while the broker was down; stderr:\n${t.stderr}`).to.equal(undefined);
    await broker.restart();
    await connected(appender.connection);
    acked.push(...(await appendValues(key, 10, 10)));
    await waitFor(() => t.records.length >= 20, `the 10 records appended after the restart; stderr:\n${t.stderr}`, 30_000);
    // Anything printed twice would be here by now: the later records come after it in the log.
    expect(t.records.map((r) => r.sequence)).to.deep.equal(acked);
    expect(t.records.map((r) => r.value)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
    expect(t.exit).to.equal(undefined);
    t.signal('SIGINT');
    expect(await t.waitForExit(15_000)).to.deep.equal({ code: 0, signal: null });
    expect(t.stderr).to.equal('');
  });

  it('keeps following through an outage longer than the few seconds other commands wait', async () => {
    const key = 'tail/long-outage';
    const acked = await appendValues(key, 0, 3);
    const t = tail([key, '--from', 'earliest']);
    await waitFor(() => t.records.length >= 3, `the first 3 records; stderr:\n${t.stderr}`, 20_000);
    await broker.kill();
    // Longer than the five reconnect attempts (about 3 s) a one-shot command makes.
    await sleep(4000);
    expect(t.exit, `the tail exited while the broker was down; stderr:\n${t.stderr}`).to.equal(undefined);
    await broker.restart();
    await connected(appender.connection);
    acked.push(...(await appendValues(key, 3, 3)));
    await waitFor(() => t.records.length >= 6, `the records appended after the restart; stderr:\n${t.stderr}`, 30_000);
    expect(t.records.map((r) => r.sequence)).to.deep.equal(acked);
    t.signal('SIGINT');
    expect(await t.waitForExit(15_000)).to.deep.equal({ code: 0, signal: null });
  });

  it('exits with status 2 and one line saying why once the broker has been gone longer than --reconnect-timeout', async () => {
    const key = 'tail/gone';
    await appendValues(key, 0, 2);
    const t = tail([key, '--from', 'earliest', '--reconnect-timeout', '1']);
    await waitFor(() => t.records.length >= 2, `the first 2 records; stderr:\n${t.stderr}`, 20_000);
    const killedAt = Date.now();
    await broker.kill();
    const exit = await t.waitForExit(30_000);
    expect(exit).to.deep.equal({ code: 2, signal: null });
    expect(t.exitedAt - killedAt).to.be.at.least(1000);
    const lines = linesOf(t.stderr);
    expect(lines, t.stderr).to.have.length(1);
    expect(lines[0]).to.match(new RegExp(`^odlog: lost the broker at ${broker.address.replace(/[.[\]]/g, '\\$&')} and it was not back within --reconnect-timeout 1 s \\(.*ECONNREFUSED.*\\); start it again`));
    expect(t.records.map((r) => r.value)).to.deep.equal(['v0', 'v1']);
  });

  it('refuses a --reconnect-timeout that is not a number of seconds', async () => {
    const t = tail(['tail/x', '--reconnect-timeout', 'soon']);
    expect(await t.waitForExit(15_000)).to.deep.equal({ code: 64, signal: null });
    expect(t.stderr).to.match(/^odlog: --reconnect-timeout must be a number of seconds/);
  });
});
