import { expect } from 'chai';
import type { BenchResult, TimelinePoint } from '../../../bench/harness/BenchResult.js';
import { rateAt } from '../../../bench/harness/ScaleSuite.js';

const point = (elapsedMs: number, cumulativeRecords: number): TimelinePoint => ({
  second: Math.round(elapsedMs / 1000),
  elapsedMs,
  cumulativeRecords,
  recordsPerSec: 0,
  mbPerSec: 0,
  ackP50Us: null,
  ackP99Us: null,
  deliveredPerSec: 0,
  consumerLagRecords: 0,
});
const run = (timeline: TimelinePoint[]): BenchResult => ({ timeline }) as unknown as BenchResult;

describe('scale suite: ingest rate at a log size', () => {
  it('measures from the start of the run when the first second already reached the size', () => {
    // 2,000 records/s and a first tick a little late: 2,100 records at 1.05 s.
    expect(rateAt(run([point(1050, 2100), point(2050, 4100)]), 2000)).to.equal(2000);
  });

  it('reads the window ending where the log reached the size, at least a tenth of it wide', () => {
    expect(rateAt(run([point(1000, 1000), point(2000, 3000), point(3000, 6000)]), 5000)).to.equal(3000);
    expect(rateAt(run([point(1000, 1000)]), 5000)).to.equal(undefined);
  });
});
