import { createServer } from 'node:net';
import { expect } from 'chai';
import { statsToPrometheus } from '../../../src/broker/metrics/StatsMetrics.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { lines, recordLines, runCli, type CliRun } from '../../support/Cli.js';
import { waitFor } from '../../support/LogFixture.js';

/** A port nothing listens on (bound once by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function ok(run: CliRun): CliRun {
  expect(run.code, `exit code; stderr: ${run.stderr}`).to.equal(0);
  return run;
}

describe('broker: the odlog command line against a real broker', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker();

  const odlog = (args: string[], input?: string | Buffer): Promise<CliRun> => runCli([...args, '--broker', shared.broker.address], { input });

  it('produce --value appends one record and says where it went', async () => {
    const run = ok(await odlog(['produce', 'cli/one', '--value', 'hello world']));
    const [entry] = (await shared.client.scan('cli/one')).entries;
    expect(entry.value.toString()).to.equal('hello world');
    expect(run.stdout).to.equal(`appended 1 record to cli/one (sequence ${entry.sequence})\n`);
  });

  it('produce without --value appends one record per stdin line, in order', async () => {
    const run = ok(await odlog(['produce', 'cli/lines', '--format', 'json'], 'first\nsecond line\n\nfourth\n'));
    const report = JSON.parse(run.stdout) as { key: string; count: number; firstSequence: number; lastSequence: number };
    const entries = (await shared.client.scan('cli/lines')).entries;
    expect(entries.map((e) => e.value.toString())).to.deep.equal(['first', 'second line', '', 'fourth']);
    expect(report).to.deep.equal({ key: 'cli/lines', count: 4, firstSequence: entries[0].sequence, lastSequence: entries[3].sequence });
  });

  it('produce reads many stdin lines and appends them all', async () => {
    const input = Array.from({ length: 2500 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const run = ok(await odlog(['produce', 'cli/many'], input));
    const last = (await shared.client.scan('cli/many', { start: 0 }, { limit: 10_000 })).entries[2499].sequence;
    expect(run.stdout).to.equal(`appended 2500 records to cli/many (last sequence ${last})\n`);
    expect(await shared.client.count('cli/many')).to.equal(2500);
  });

  it('scan prints sequence, key and value per line as text (a tab in a value escaped), and one JSON object per line with --format json', async () => {
    const r = await shared.client.append([{ key: 'cli/scan', value: 'a' }, { key: 'cli/scan', value: 'b\tc' }, { key: 'cli/scan', value: 'd' }]);
    const text = ok(await odlog(['scan', 'cli/scan']));
    expect(recordLines(text.stdout)).to.deep.equal([`${r.startSequence}\tcli/scan\ta`, `${r.startSequence + 1}\tcli/scan\tb\\tc`, `${r.startSequence + 2}\tcli/scan\td`]);
    const json = ok(await odlog(['scan', 'cli/scan', '--format', 'json', '--from', String(r.startSequence + 1)]));
    expect(lines(json.stdout).map((l) => JSON.parse(l) as { timestamp?: number }).map(({ timestamp, ...rest }) => [typeof timestamp, rest])).to.deep.equal([
      ['number', { key: 'cli/scan', sequence: r.startSequence + 1, offset: 1, value: 'b\tc' }],
      ['number', { key: 'cli/scan', sequence: r.startSequence + 2, offset: 2, value: 'd' }],
    ]);
    const limited = ok(await odlog(['scan', 'cli/scan', '--limit', '2', '--to', String(r.startSequence + 3)]));
    expect(lines(limited.stdout)).to.have.length(2);
  });

  it('tail --count N prints N records and exits', async () => {
    await shared.client.append(Array.from({ length: 8 }, (_, i) => ({ key: i % 2 ? 'cli/tail/a' : 'cli/tail/b', value: `t${i}` })));
    const byKeys = ok(await odlog(['tail', 'cli/tail/a', '--from', 'earliest', '--count', '3']));
    expect(recordLines(byKeys.stdout).map((l) => l.split('\t').slice(1))).to.deep.equal([
      ['cli/tail/a', 't1'],
      ['cli/tail/a', 't3'],
      ['cli/tail/a', 't5'],
    ]);
    const byPrefix = ok(await odlog(['tail', '--prefix', 'cli/tail/', '--from', 'earliest', '--count', '5', '--format', 'json']));
    expect(lines(byPrefix.stdout).map((l) => (JSON.parse(l) as { value: string }).value)).to.deep.equal(['t0', 't1', 't2', 't3', 't4']);
  });

  it('tail --count N from latest prints records appended after it subscribed', async () => {
    await shared.client.append([{ key: 'cli/tail/live', value: 'before the tail' }]);
    const subscriptions = (await shared.client.stats()).subscriptions;
    const tail = odlog(['tail', 'cli/tail/live', '--count', '2']);
    await waitFor(async () => (await shared.client.stats()).subscriptions > subscriptions, 'the tail to subscribe', 15_000);
    const a = await shared.client.append([{ key: 'cli/tail/live', value: 'live 1' }]);
    const b = await shared.client.append([{ key: 'cli/tail/other', value: 'not followed' }, { key: 'cli/tail/live', value: 'live 2' }]);
    const run = ok(await tail);
    expect(recordLines(run.stdout)).to.deep.equal([`${a.startSequence}\tcli/tail/live\tlive 1`, `${b.startSequence + 1}\tcli/tail/live\tlive 2`]);
  });

  it('count prints the number of a key\'s records', async () => {
    const r = await shared.client.append(Array.from({ length: 6 }, () => ({ key: 'cli/count', value: 'x' })));
    expect(ok(await odlog(['count', 'cli/count'])).stdout).to.equal('6\n');
    expect(ok(await odlog(['count', 'cli/count', '--from', String(r.startSequence + 4)])).stdout).to.equal('2\n');
    expect(ok(await odlog(['count', 'cli/nothing'])).stdout).to.equal('0\n');
  });

  it('keys --prefix lists the keys under the prefix in byte order', async () => {
    await shared.client.append([{ key: 'cli/keys/b', value: '' }, { key: 'cli/keys/a', value: '' }, { key: 'cli/keys/c/d', value: '' }, { key: 'cli/keysx', value: '' }]);
    expect(lines(ok(await odlog(['keys', '--prefix', 'cli/keys/'])).stdout)).to.deep.equal(['cli/keys/a', 'cli/keys/b', 'cli/keys/c/d']);
    expect(lines(ok(await odlog(['keys', '--prefix', 'cli/keys/', '--limit', '2'])).stdout)).to.deep.equal(['cli/keys/a', 'cli/keys/b']);
  });

  it('seal seals the active segment and names it; sealing again says there was nothing to seal; the next append opens a new one', async () => {
    await shared.client.append([{ key: 'cli/seg', value: 'x' }]);
    const before = await shared.client.listSegments();
    expect(ok(await odlog(['seal'])).stdout).to.equal(`sealed segment ${before[before.length - 1].id}\n`);
    expect((await shared.client.listSegments()).map((s) => s.sealed)).to.deep.equal(before.map(() => true));
    expect(ok(await odlog(['seal'])).stdout).to.equal('nothing to seal: the active segment is empty or already sealed\n');
    const next = await shared.client.append([{ key: 'cli/seg', value: 'y' }]);
    const after = await shared.client.listSegments();
    expect(after).to.have.length(before.length + 1);
    expect(after[after.length - 1].startSeq).to.equal(next.startSequence);
  });

  it('segments lists the segments as a tab-separated table, or one JSON object per line', async () => {
    await shared.client.append([{ key: 'cli/seg', value: 'z' }]);
    const segments = await shared.client.listSegments();
    const table = lines(ok(await odlog(['segments'])).stdout);
    expect(table[0].split('\t')).to.deep.equal(['id', 'start_seq', 'end_seq', 'records', 'bytes', 'sealed', 'started']);
    const rows = table.slice(1).map((l) => l.split('\t'));
    expect(rows.map((r) => r.slice(0, 6))).to.deep.equal(segments.map((s) => [String(s.id), String(s.startSeq), String(s.endSeq), String(s.records), String(s.bytes), s.sealed ? 'yes' : 'no']));
    expect(rows.map((r) => r[6])).to.deep.equal(segments.map((s) => new Date(s.startTimeMs).toISOString()));
    const json = lines(ok(await odlog(['segments', '--format', 'json'])).stdout).map((l) => JSON.parse(l) as unknown);
    expect(json).to.deep.equal(segments.map((s) => ({ ...s })));
  });

  it('stats --format prometheus prints the broker\'s /metrics names, HELP and TYPE lines for the Stats figures', async () => {
    await shared.client.append([{ key: 'cli/prom', value: 'x' }]);
    await shared.client.commitCursor('cli-prom', 0, { keys: ['cli/prom'] });
    const before = Date.now();
    const text = ok(await odlog(['stats', '--format', 'prometheus'])).stdout;
    const stats = await shared.client.stats();
    const samples = new Map<string, number>();
    const families = new Set<string>();
    for (const line of lines(text)) {
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) ((?:odlog|process)_[a-z_]+) .+$/.exec(line);
        expect(m, `comment line ${JSON.stringify(line)}`).to.not.equal(null);
        families.add((m as RegExpExecArray)[2]);
        continue;
      }
      const m = /^((?:odlog|process)_[a-z_]+(?:\{[^}]*\})?) (-?[\d.e+]+)$/.exec(line);
      expect(m, `sample line ${JSON.stringify(line)}`).to.not.equal(null);
      samples.set((m as RegExpExecArray)[1], Number((m as RegExpExecArray)[2]));
    }
    // The same families the broker's renderer gives for a Stats response (statsToPrometheus).
    const expected = new Set([...statsToPrometheus(stats).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect([...families].sort()).to.deep.equal([...expected].sort());
    for (const name of ['odlog_connections', 'odlog_appended_records_total', 'odlog_request_errors_total', 'odlog_stored_records', 'odlog_committed_sequence', 'process_resident_memory_bytes', 'process_start_time_seconds']) {
      expect(samples.has(name), name).to.equal(true);
      expect(text).to.contain(`# TYPE ${name} `);
    }
    for (const old of ['odlog_resident_memory_bytes', 'odlog_uptime_seconds', 'odlog_errors_total']) expect(text).to.not.contain(old);
    expect(samples.get('odlog_stored_records')).to.equal(stats.storedRecords);
    expect(samples.get('odlog_committed_sequence')).to.equal(stats.committedSequence);
    expect(samples.get('odlog_connections')).to.be.at.least(2);
    expect(samples.get('process_resident_memory_bytes')).to.be.greaterThan(0);
    // Started before this test began, and no earlier than its uptime says (1 s of rounding).
    expect(samples.get('process_start_time_seconds')).to.be.within((before - stats.uptimeMs) / 1000 - 2, before / 1000);
    expect(samples.get('odlog_cursor_lag_records{cursor="cli-prom"}')).to.equal(1);
    expect(samples.get(`odlog_build_info{version="${stats.brokerVersion}"}`)).to.equal(1);
    const json = JSON.parse(ok(await odlog(['stats', '--format', 'json'])).stdout) as { storedRecords: number };
    expect(json.storedRecords).to.equal(stats.storedRecords);
    expect(ok(await odlog(['stats'])).stdout).to.match(new RegExp(`^stored {2,}${stats.storedRecords.toLocaleString('en-US')} records?, `, 'm'));
  });

  it('--encoding base64 carries binary keys and values in and out unchanged', async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const other = Buffer.from([0, 0xff, 0x0a, 0x0d, 0x80]);
    const key = Buffer.from('cli/bin').toString('base64'); // with --encoding base64 the key is base64 too
    ok(await odlog(['produce', key, '--value', binary.toString('base64'), '--encoding', 'base64']));
    ok(await odlog(['produce', key, '--encoding', 'base64'], `${other.toString('base64')}\n`));
    expect((await shared.client.scan('cli/bin')).entries.map((e) => e.value.toString('hex'))).to.deep.equal([binary.toString('hex'), other.toString('hex')]);
    const out = lines(ok(await odlog(['scan', key, '--encoding', 'base64', '--format', 'json'])).stdout).map((l) => JSON.parse(l) as { key: string; value: string });
    expect(out.map((o) => Buffer.from(o.value, 'base64').toString('hex'))).to.deep.equal([binary.toString('hex'), other.toString('hex')]);
    expect(out.map((o) => Buffer.from(o.key, 'base64').toString())).to.deep.equal(['cli/bin', 'cli/bin']);
  });

  it('fails to connect with one line naming the address and how to start a broker, and exit code 2', async () => {
    const port = await freePort();
    const run = await runCli(['count', 'k', '--broker', `127.0.0.1:${port}`]);
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    const errorLines = lines(run.stderr);
    expect(errorLines, run.stderr).to.have.length(1);
    expect(errorLines[0]).to.contain(`127.0.0.1:${port}`);
    expect(errorLines[0]).to.contain('odlog serve');
  });

  it('rejects a usage mistake with exit code 64', async () => {
    const run = await odlog(['produce']);
    expect(run.code).to.equal(64);
    expect(lines(run.stderr)).to.have.length(1);
    expect((await runCli(['no-such-command'])).code).to.equal(64);
  });
});
