import { expect } from 'chai';
import { InvalidRequestError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { statsToPrometheus } from '../../../src/broker/metrics/StatsMetrics.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { rejectionOf } from '../../support/ClientHelpers.js';

interface ParsedSample {
  readonly name: string;
  readonly labels: { [name: string]: string };
  readonly value: number;
}

interface ParsedFamily {
  readonly help: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

/**
 * Parse Prometheus text (format 0.0.4) strictly: every sample must follow its family's HELP and
 * TYPE lines, names and label sets are checked, and no family is declared twice.
 */
function parsePrometheus(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  let current: string | undefined;
  let pendingHelp: { name: string; help: string } | undefined;
  expect(text.endsWith('\n'), 'the text ends with a line feed').to.equal(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line)) !== null) {
      expect(families.has(m[1]), `${m[1]} declared twice`).to.equal(false);
      pendingHelp = { name: m[1], help: m[2] };
      continue;
    }
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)) !== null) {
      expect(pendingHelp?.name, `TYPE ${m[1]} without a HELP line just before it`).to.equal(m[1]);
      families.set(m[1], { help: pendingHelp?.help ?? '', type: m[2], samples: [] });
      current = m[1];
      pendingHelp = undefined;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${JSON.stringify(line)}`).to.not.equal(null);
    const [, name, labelText, valueText] = m as RegExpExecArray;
    expect(current, `sample ${name} before any TYPE line`).to.not.equal(undefined);
    const family = families.get(current as string) as ParsedFamily;
    const allowed = family.type === 'histogram' ? [`${current}_bucket`, `${current}_sum`, `${current}_count`] : [current];
    expect(allowed, `sample ${name} under the HELP/TYPE of ${current}`).to.include(name);
    const labels: { [name: string]: string } = {};
    if (labelText !== undefined) {
      for (const pair of labelText.match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
        const eq = pair.indexOf('=');
        labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    const value = valueText === '+Inf' ? Infinity : Number(valueText);
    expect(Number.isNaN(value), `value of ${line}`).to.equal(false);
    family.samples.push({ name, labels, value });
  }
  for (const [name, family] of families) {
    expect(family.samples.length, `${name} has HELP and TYPE but no sample`).to.be.greaterThan(0);
    if (family.type === 'counter') expect(name, 'counters end in _total').to.match(/_total$/);
    else expect(name, `${family.type} ${name} ends in _total`).to.not.match(/_total$/);
  }
  return families;
}

/** The value of one sample (with exactly these labels). */
function sample(families: Map<string, ParsedFamily>, name: string, labels: { [name: string]: string } = {}): number {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort())) return s.value;
    }
  }
  return 0;
}

describe('broker: Prometheus metrics on --metrics-port (GET /metrics)', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  const shared = fixture.sharedBroker(['--metrics-port', '0']);
  let broker: BrokerProcess;
  let client: OdlogClient;
  let url: string;
  before(() => {
    broker = shared.broker;
    client = shared.client;
    const m = /, metrics (http:\/\/\S+\/metrics)\)$/m.exec(broker.stdout);
    expect(m, broker.stdout).to.not.equal(null);
    url = (m as RegExpExecArray)[1];
  });

  async function scrape(): Promise<Map<string, ParsedFamily>> {
    const response = await fetch(url);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheus(await response.text());
  }

  it('serves well-formed exposition text: every sample under its HELP and TYPE, counters in _total, the conventional process metrics', async () => {
    const startedBefore = Date.now() / 1000;
    const families = await scrape();
    for (const name of ['process_resident_memory_bytes', 'process_start_time_seconds', 'odlog_build_info', 'odlog_connections', 'odlog_subscriptions', 'odlog_write_queue_bytes', 'odlog_committed_sequence', 'odlog_durable_sequence', 'odlog_appended_records_total', 'odlog_append_ack_seconds']) {
      expect(families.has(name), `${name} missing`).to.equal(true);
    }
    expect(families.get('odlog_build_info')?.samples).to.deep.equal([{ name: 'odlog_build_info', labels: { version: client.connection.hello.brokerVersion, protocol: '2' }, value: 1 }]);
    expect(families.get('odlog_append_ack_seconds')?.type).to.equal('histogram');
    const rss = sample(families, 'process_resident_memory_bytes');
    const vmRss = broker.procStatusBytes('VmRSS');
    expect(rss).to.be.within(vmRss / 2, vmRss * 2);
    expect(sample(families, 'process_start_time_seconds')).to.be.within(startedBefore - 600, startedBefore + 1);
  });

  it('moves the counters by what clients did: records and bytes appended, requests by type, errors by type and code, the append latency histogram', async () => {
    const before = await scrape();
    const values = ['x'.repeat(10), 'y'.repeat(20)];
    for (let i = 0; i < 3; i++) await client.append(values.map((value) => ({ key: 'metrics/k', value })));
    expect(await rejectionOf(client.append([{ key: '', value: 'empty key' }]))).to.be.instanceOf(InvalidRequestError);
    const after = await scrape();
    const delta = (name: string, labels: { [name: string]: string } = {}): number => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('odlog_appended_records_total')).to.equal(6);
    expect(delta('odlog_appended_bytes_total')).to.equal(3 * (2 * 'metrics/k'.length + 30));
    expect(delta('odlog_requests_total', { type: 'Append' })).to.equal(4);
    expect(delta('odlog_request_errors_total', { type: 'Append', code: 'INVALID_REQUEST' })).to.equal(1);
    expect(delta('odlog_append_ack_seconds_count')).to.equal(3);
    expect(delta('odlog_append_ack_seconds_sum')).to.be.greaterThan(0);
    expect(delta('odlog_received_bytes_total')).to.be.greaterThan(0);
    expect(delta('odlog_sent_bytes_total')).to.be.greaterThan(0);
    // Buckets are cumulative and end with +Inf, which holds every observation.
    const buckets = after.get('odlog_append_ack_seconds')?.samples.filter((s) => s.name === 'odlog_append_ack_seconds_bucket') ?? [];
    expect(buckets.at(-1)?.labels.le).to.equal('+Inf');
    expect(buckets.at(-1)?.value).to.equal(sample(after, 'odlog_append_ack_seconds_count'));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).to.be.at.least(buckets[i - 1].value);
    const stats = await client.stats();
    expect(sample(after, 'odlog_committed_sequence')).to.equal(stats.committedSequence);
    expect(sample(after, 'odlog_durable_sequence')).to.equal(stats.durableSequence);
  });

  it('reports current state in gauges: connections, subscriptions, long-polls waiting, cursor lag', async () => {
    const other = await fixture.client(broker.address);
    const consumer = fixture.track(await other.subscribe({ keys: ['metrics/g'], from: 'latest' }), (c) => c.close());
    const polled = other.scan('metrics/poll', { start: (await other.stats()).committedSequence }, { maxWaitMs: 20_000 });
    await other.ping(); // served after the Scan: the long-poll is waiting
    await client.append([{ key: 'metrics/lag', value: 'a' }, { key: 'metrics/lag', value: 'b' }]);
    await client.commitCursor('metrics-cursor', 0, { keys: ['metrics/lag'] });
    const families = await scrape();
    expect(sample(families, 'odlog_connections')).to.equal(2);
    expect(sample(families, 'odlog_subscriptions')).to.equal(1);
    expect(sample(families, 'odlog_long_polls_waiting')).to.equal(1);
    expect(sample(families, 'odlog_requests_in_flight')).to.equal(1);
    expect(sample(families, 'odlog_cursor_lag_records', { cursor: 'metrics-cursor' })).to.equal(2);
    await client.append([{ key: 'metrics/poll', value: 'wake' }]);
    expect((await polled).entries.map((e) => e.value.toString())).to.deep.equal(['wake']);
    await consumer.close();
    const later = await scrape();
    expect(sample(later, 'odlog_subscriptions')).to.equal(0);
    expect(sample(later, 'odlog_long_polls_waiting')).to.equal(0);
  });

  it('`stats --format prometheus` text (statsToPrometheus) uses the same names, HELP and TYPE as the endpoint for every figure it has', async () => {
    await client.commitCursor('metrics-cursor-2', 0, { prefix: 'metrics/' });
    const fromStats = parsePrometheus(statsToPrometheus(await client.stats()));
    const fromEndpoint = await scrape();
    expect(fromStats.size).to.be.greaterThan(15);
    for (const [name, family] of fromStats) {
      const live = fromEndpoint.get(name);
      expect(live, `${name} is not served by GET /metrics`).to.not.equal(undefined);
      expect({ help: family.help, type: family.type }, name).to.deep.equal({ help: live?.help, type: live?.type });
    }
  });

  it('answers 404 for another path and 405 for another method', async () => {
    expect((await fetch(url.replace('/metrics', '/'))).status).to.equal(404);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).to.equal(405);
  });
});
