import { expect } from 'chai';
import { UsageError } from '../../../src/args/UsageError.js';
import { readStartPosition } from '../../../src/cli/read/StartPosition.js';

describe('unit: --from start positions', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const read = (text: string, allowLatest = true) => readStartPosition(text, '--from', allowLatest, now);

  it('reads earliest, latest, a sequence and -N as before', () => {
    expect(read('earliest')).to.deep.equal({ kind: 'earliest' });
    expect(read('latest')).to.deep.equal({ kind: 'latest' });
    expect(read('42')).to.deep.equal({ kind: 'sequence', sequence: 42 });
    expect(read('-5')).to.deep.equal({ kind: 'lastN', count: 5 });
  });

  it('reads @TIME as ISO 8601 or as milliseconds since the epoch', () => {
    expect(read('@2026-12-02T09:00:00Z')).to.deep.equal({ kind: 'time', timeMs: now - 3_600_000 });
    expect(read('@2026-12-02T10:00:00.250+01:00')).to.deep.equal({ kind: 'time', timeMs: now - 3_600_000 + 250 });
    expect(read('@1796205600000')).to.deep.equal({ kind: 'time', timeMs: now });
  });

  it('reads -DURATION as that long before now: seconds, minutes, hours, days', () => {
    expect(read('-90s')).to.deep.equal({ kind: 'time', timeMs: now - 90_000 });
    expect(read('-5m')).to.deep.equal({ kind: 'time', timeMs: now - 300_000 });
    expect(read('-2h')).to.deep.equal({ kind: 'time', timeMs: now - 7_200_000 });
    expect(read('-1d')).to.deep.equal({ kind: 'time', timeMs: now - 86_400_000 });
  });

  it('refuses what it cannot read, and latest where it does not apply, with UsageError', () => {
    for (const text of ['@', '@soon', '@2026-13-45T99:00:00Z', '-5w', '5m', 'latest-ish']) expect(() => read(text), text).to.throw(UsageError);
    expect(() => read('latest', false)).to.throw(UsageError, /got "latest"/);
  });
});
