import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseBenchOptions } from '../../../bench/harness/BenchOptions.js';

const script = (path: string): string => fileURLToPath(new URL(`../../../bench/${path}`, import.meta.url));

describe('unit: benchmark command lines', () => {
  for (const path of ['storage/appendThroughput.js', 'storage/readTargets.js', 'storage/lifecycleTimes.js', 'micro/run.js']) {
    it(`${path} --help prints its usage and flags and exits 0 (it refused --help while telling users to run it)`, () => {
      const run = spawnSync(process.execPath, [script(path), '--help'], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^usage: node dist\/bench\/|^usage: npm run bench:micro/);
      expect(run.stdout).to.include('--help');
    });
  }

  it('odlog bench --batch-keys one puts every record of a batch on one key; mixed (the default) draws a key per record', () => {
    expect(parseBenchOptions(['--batch-keys', 'one']).workload.batchKeys).to.equal('one');
    expect(parseBenchOptions([]).workload.batchKeys).to.equal('mixed');
    expect(() => parseBenchOptions(['--batch-keys', 'some'])).to.throw(/batch-keys/);
  });
});
