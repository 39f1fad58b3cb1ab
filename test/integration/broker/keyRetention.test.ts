import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { runOdlog } from '../../support/OdlogRun.js';

describe('broker: per-key retention from the JSON config', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('keeps at most maxRecords entries of keys under a prefix, and leaves other keys alone', async () => {
    const config = join(fixture.dir(), 'odlog.json');
    writeFileSync(config, JSON.stringify({ keyRetention: [{ prefix: 'session:', maxRecords: 100 }] }));
    const broker = await fixture.start(['--config', config]);
    const client = await fixture.client(broker.address);
    for (let i = 0; i < 50; i++) await client.append(Array.from({ length: 10 }, (_, j) => ({ key: j % 2 === 0 ? 'session:1' : 'orders', value: `${i}.${j}` })));
    const deadline = Date.now() + 10_000;
    while ((await client.count('session:1')) > 164) {
      expect(Date.now(), 'session:1 was never trimmed back to its bound').to.be.below(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await client.count('session:1')).to.be.at.least(100);
    expect(await client.count('orders')).to.equal(250);
  });

  it('refuses a rule without a bound, in one line naming the file', async () => {
    const config = join(fixture.dir(), 'odlog.json');
    writeFileSync(config, JSON.stringify({ keyRetention: [{ prefix: 'x' }] }));
    const run = await runOdlog(['serve', '--port', '0', '--data-dir', fixture.dir(), '--config', config]);
    expect(run.code).to.not.equal(0);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.match(/keyRetention\[0\] needs "maxRecords" or "maxAge"/);
  });
});
