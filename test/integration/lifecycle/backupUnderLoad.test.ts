import { join } from 'node:path';
import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { runCli } from '../../support/Cli.js';

/** One acknowledged append: its records, in order, and where they went. */
interface AckedBatch {
  readonly startSequence: number;
  readonly records: readonly { readonly key: string; readonly value: string }[];
}

const keys = ['load/a', 'load/b', 'load/c', 'load/d'];

/** Append batches of 1..16 records over several keys until `stop()` says so, `lanes` appends in flight at a time. */
function appendUntil(client: OdlogClient, stop: () => boolean, lanes: number): { readonly acked: AckedBatch[]; readonly done: Promise<void> } {
  const acked: AckedBatch[] = [];
  let batchNo = 0;
  const lane = async (): Promise<void> => {
    while (!stop()) {
      const n = batchNo++;
      const records = Array.from({ length: 1 + (n % 16) }, (_, i) => ({ key: keys[(n + i) % keys.length], value: `batch ${n} record ${i}` }));
      const { startSequence } = await client.append(records);
      acked.push({ startSequence, records });
    }
  };
  return { acked, done: Promise.all(Array.from({ length: lanes }, lane)).then(() => undefined) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('lifecycle: odlog backup while a producer appends, restored with serve --data-dir', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  let broker: BrokerProcess;
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('the copy holds exactly the records below the reported sequence, whole batches only, and the cursors as they were', async () => {
    broker = await fixture.start();
    const client = await fixture.client(broker.address);
    let stopping = false;
    const load = appendUntil(client, () => stopping, 3);
    await until(() => load.acked.length >= 100, '100 batches appended');
    const cursorAt = load.acked[50].startSequence;
    await client.commitCursor('bk-cursor', cursorAt, { prefix: 'load/' });

    const dir = join(fixture.dir('odlog-backup'), 'copy');
    const ackedBefore = load.acked.length;
    const run = await runCli(['backup', dir, '--format', 'json', '--broker', broker.address], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout) as { dir: string; bytes: number; endSequence: number; lastSequence: number | null };
    expect(printed.lastSequence).to.equal(printed.endSequence - 1);
    const reported = { sequence: printed.endSequence };
    // Appends went on during the backup and after it.
    const ackedDuring = load.acked.length - ackedBefore;
    await until(() => load.acked.some((b) => b.startSequence >= reported.sequence), 'an append after the backup');
    await client.commitCursor('bk-cursor', reported.sequence + 1000, { prefix: 'load/' });
    await client.commitCursor('bk-later', 1, { keys: ['load/a'] });
    stopping = true;
    await load.done;
    expect(ackedDuring, 'batches acknowledged while the backup ran').to.be.greaterThan(0);

    // Every batch below the reported sequence is whole in the copy; none above it is in it.
    const expected: [number, string, string][] = [];
    for (const batch of load.acked) {
      if (batch.startSequence >= reported.sequence) continue;
      expect(batch.startSequence + batch.records.length, `batch at ${batch.startSequence} straddles the backup's end ${reported.sequence}`).to.be.at.most(reported.sequence);
      batch.records.forEach((r, i) => expected.push([batch.startSequence + i, r.key, r.value]));
    }
    expected.sort((a, b) => a[0] - b[0]);
    expect(expected.length).to.be.greaterThan(0);

    const restored = await fixture.start([], { dataDir: dir });
    const copy = await fixture.client(restored.address);
    const found: [number, string, string][] = [];
    for (const key of keys) for await (const e of copy.scanAll(key)) found.push([e.sequence, key, e.value.toString()]);
    found.sort((a, b) => a[0] - b[0]);
    expect(found.length, 'records in the restored copy').to.equal(expected.length);
    expect(found).to.deep.equal(expected);
    expect(found[found.length - 1][0]).to.equal(reported.sequence - 1);

    expect((await copy.getCursor('bk-cursor'))?.sequence).to.equal(cursorAt);
    expect(await copy.getCursor('bk-later')).to.equal(null);
  });
});
