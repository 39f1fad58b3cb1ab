import { expect } from 'chai';
import { FlushPacer } from '../../../src/storage/flush/FlushPacer.js';

const MiB = 1024 * 1024;

describe('FlushPacer', () => {
  const pacer = new FlushPacer(256 * MiB, 0.75);
  const flush = { elapsedMs: 1000, expectedMs: 3000 };

  it('does not pace without a running flush, or below three quarters of the bound', () => {
    expect(pacer.delayMs(MiB, 250 * MiB, undefined)).to.equal(0);
    expect(pacer.delayMs(MiB, 191 * MiB, flush)).to.equal(0);
  });

  it('spreads the room left over the time the flush still needs', () => {
    // 32 MiB of room, 2 s to go: a 1 MiB commit is followed by 62.5 ms.
    expect(pacer.delayMs(MiB, 224 * MiB, flush)).to.equal(62.5);
    // Less room, same time: longer pauses; the same room later in the flush: shorter ones.
    expect(pacer.delayMs(MiB, 240 * MiB, flush)).to.equal(125);
    expect(pacer.delayMs(MiB, 224 * MiB, { elapsedMs: 2500, expectedMs: 3000 })).to.equal(15.625);
  });

  it('keeps pacing a flush that runs late, over a tenth of its expected time, and never pauses longer than that time', () => {
    expect(pacer.delayMs(MiB, 224 * MiB, { elapsedMs: 5000, expectedMs: 3000 })).to.equal(9.375);
    expect(pacer.delayMs(64 * MiB, 255 * MiB, flush)).to.equal(2000);
  });

  it('leaves a memtable at its bound to the writer, which waits for room anyway', () => {
    expect(pacer.delayMs(MiB, 256 * MiB, flush)).to.equal(0);
  });
});
