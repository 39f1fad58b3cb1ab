import { expect } from 'chai';
import { InvalidArgumentError, LogDb, type AppendExpectation, type LogDbOptions, type Record } from '../../../src/index.js';
import { collect, expectLogError, LogFixture } from '../../support/LogFixture.js';

/**
 * Bad input is refused with InvalidArgumentError (INVALID_ARGUMENT) and writes nothing. Values
 * the types forbid are passed through `unknown` on purpose: callers in plain JavaScript (and the
 * network layer) can send them.
 */
const bad = <T>(value: unknown): T => value as T;

describe('LogDb invalid arguments', () => {
  const fixture = new LogFixture();
  let log: LogDb;
  beforeEach(async () => {
    log = await fixture.open({ keyBytesMax: 8, valueBytesMax: 16, batchRecordsMax: 4, batchBytesMax: 64 });
    await log.append([{ key: 'k', value: 'existing' }]);
  });
  afterEach(() => fixture.cleanup());

  async function expectRefusedAppend(records: unknown, options?: unknown): Promise<void> {
    await expectLogError(() => log.append(bad<Record[]>(records), bad(options)), InvalidArgumentError, 'INVALID_ARGUMENT');
    expect(log.committedSequence).to.equal(1);
    expect(log.stats().queuedBatches).to.equal(0);
  }

  describe('append', () => {
    const cases: [string, unknown][] = [
      ['an empty key', [{ key: '', value: 'v' }]],
      ['a key over keyBytesMax', [{ key: '123456789', value: 'v' }]],
      ['a value over valueBytesMax', [{ key: 'k', value: Buffer.alloc(17) }]],
      ['an empty batch', []],
      ['records that are a string, not an array', 'k=v'],
      ['records that are an object, not an array', { key: 'k', value: 'v' }],
      ['records that are null', null],
      ['a record that is null', [null]],
      ['a record whose key is a number', [{ key: 42, value: 'v' }]],
      ['a record without a value', [{ key: 'k' }]],
      ['more records than batchRecordsMax', Array.from({ length: 5 }, () => ({ key: 'k', value: 'v' }))],
      ['more key + value bytes than batchBytesMax', Array.from({ length: 4 }, () => ({ key: 'k', value: Buffer.alloc(16) }))],
    ];
    for (const [what, records] of cases) {
      it(`rejects ${what} with InvalidArgumentError and writes nothing`, () => expectRefusedAppend(records));
    }

    it('accepts a key of exactly keyBytesMax bytes and a value of exactly valueBytesMax bytes', async () => {
      expect(await log.append([{ key: '12345678', value: Buffer.alloc(16) }])).to.deep.include({ startSequence: 1, count: 1, offset: 0 });
    });

    it('rejects a negative timeoutMs with InvalidArgumentError', () => expectRefusedAppend([{ key: 'k', value: 'v' }], { timeoutMs: -1 }));
    it('rejects a NaN timeoutMs with InvalidArgumentError', () => expectRefusedAppend([{ key: 'k', value: 'v' }], { timeoutMs: Number.NaN }));
  });

  describe('append expect', () => {
    const cases: [string, unknown][] = [
      ['expect that is not an array', { key: 'k', lastSequence: 0 }],
      ['an expect entry that is null', [null]],
      ['an expect entry with an empty key', [{ key: '', lastSequence: 0 }]],
      ['an expect entry with a key over keyBytesMax', [{ key: '123456789', lastSequence: 0 }]],
      ['an expect entry without lastSequence', [{ key: 'k' }]],
      ['an expect entry with a negative lastSequence', [{ key: 'k', lastSequence: -1 }]],
      ['an expect entry with a fractional lastSequence', [{ key: 'k', lastSequence: 0.5 }]],
      ['an expect entry with a string lastSequence', [{ key: 'k', lastSequence: '0' }]],
    ];
    for (const [what, expectation] of cases) {
      it(`rejects ${what} with InvalidArgumentError and writes nothing`, () =>
        expectRefusedAppend([{ key: 'k', value: 'v' }], { expect: bad<AppendExpectation[]>(expectation) }));
    }
  });

  describe('ranges and read options', () => {
    const ranges: [string, unknown][] = [
      ['a fractional start', { start: 1.5 }],
      ['a fractional end', { end: 2.5 }],
      ['a NaN start', { start: Number.NaN }],
      ['a negative start', { start: -1 }],
      ['a negative end', { end: -1 }],
      ['a start after the end', { start: 5, end: 4 }],
      ['a string bound', { start: '1' }],
      ['an infinite end', { end: Number.POSITIVE_INFINITY }],
    ];
    for (const [what, range] of ranges) {
      it(`rejects ${what} in scan, scanGlobal, count and listSegments`, async () => {
        await expectLogError(() => log.scan('k', bad(range)), InvalidArgumentError, 'INVALID_ARGUMENT');
        await expectLogError(() => log.scanGlobal({ keys: ['k'] }, bad(range)), InvalidArgumentError, 'INVALID_ARGUMENT');
        await expectLogError(() => log.count('k', bad(range)), InvalidArgumentError, 'INVALID_ARGUMENT');
        await expectLogError(() => log.listSegments(bad(range)), InvalidArgumentError, 'INVALID_ARGUMENT');
      });
    }

    const segmentRanges: [string, unknown][] = [
      ['a fractional segment id', { start: 0.5 }],
      ['a negative segment id', { end: -1 }],
      ['a segment range start after its end', { start: 3, end: 2 }],
      ['a segment id above u32', { end: 2 ** 33 }],
    ];
    for (const [what, range] of segmentRanges) {
      it(`rejects ${what} in listKeys`, () => expectLogError(() => log.listKeys(bad(range)), InvalidArgumentError, 'INVALID_ARGUMENT'));
    }

    for (const [what, options] of [
      ['a zero limit', { limit: 0 }],
      ['a negative limit', { limit: -3 }],
      ['a fractional limit', { limit: 1.5 }],
      ['a zero maxBytes', { maxBytes: 0 }],
    ] as [string, unknown][]) {
      it(`rejects ${what} in scan and scanGlobal`, async () => {
        await expectLogError(() => log.scan('k', {}, bad(options)), InvalidArgumentError, 'INVALID_ARGUMENT');
        await expectLogError(() => log.scanGlobal({ prefix: 'k' }, {}, bad(options)), InvalidArgumentError, 'INVALID_ARGUMENT');
      });
    }

    it('rejects a zero limit in listKeys', () => expectLogError(() => log.listKeys({}, { limit: 0 }), InvalidArgumentError, 'INVALID_ARGUMENT'));
    it('rejects an empty key in scan and count', async () => {
      await expectLogError(() => log.scan(''), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectLogError(() => log.count(''), InvalidArgumentError, 'INVALID_ARGUMENT');
    });
    it('rejects a key over keyBytesMax in scan and count', async () => {
      await expectLogError(() => log.scan('123456789'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectLogError(() => log.count('123456789'), InvalidArgumentError, 'INVALID_ARGUMENT');
    });
    it('rejects a global selector with no keys, or neither keys nor prefix', async () => {
      await expectLogError(() => log.scanGlobal({ keys: [] }), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectLogError(() => log.scanGlobal(bad({})), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectLogError(() => log.scanGlobal(bad(null)), InvalidArgumentError, 'INVALID_ARGUMENT');
    });
    it('takes an empty prefix as every key, in scanGlobal and listKeys', async () => {
      await log.append([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
      const everyKey = (await collect(log.listKeys())).map((k) => k.toString());
      expect(everyKey).to.include.members(['a', 'b']);
      const entries = await collect(log.scanGlobal({ prefix: '' }));
      expect([...new Set(entries.map((e) => e.key.toString()))].sort()).to.deep.equal(everyKey);
      expect((await collect(log.listKeys({}, { prefix: '' }))).map((k) => k.toString())).to.deep.equal(everyKey);
    });
    it('rejects a prefix longer than keyBytesMax', () => expectLogError(() => log.listKeys({}, { prefix: Buffer.alloc(5000) }), InvalidArgumentError, 'INVALID_ARGUMENT'));
  });
});

describe('LogDb.open invalid options', () => {
  const fixture = new LogFixture();
  afterEach(() => fixture.cleanup());

  const cases: [string, unknown][] = [
    ["durability 'x'", { durability: 'x' }],
    ["readVisibility 'x'", { readVisibility: 'x' }],
    ['keyBytesMax 0', { keyBytesMax: 0 }],
    ['a fractional valueBytesMax', { valueBytesMax: 1.5 }],
    ['a negative segmentation.sealBytes', { segmentation: { sealBytes: -1 } }],
    ['a zero segmentation.sealIntervalMs', { segmentation: { sealIntervalMs: 0 } }],
    ['a zero retention.retentionBytes', { retention: { retentionBytes: 0 } }],
    ['writeQueueBytesMax below batchBytesMax', { writeQueueBytesMax: 10, batchBytesMax: 100 }],
    ['a string writeQueueBatchesMax', { writeQueueBatchesMax: '5' }],
  ];
  for (const [what, options] of cases) {
    it(`rejects ${what} with InvalidArgumentError`, async () => {
      const path = fixture.dir();
      await expectLogError(() => LogDb.open({ ...bad<Partial<LogDbOptions>>(options), path }), InvalidArgumentError, 'INVALID_ARGUMENT');
    });
  }

  it('rejects a missing or empty path with InvalidArgumentError', async () => {
    await expectLogError(() => LogDb.open(bad({})), InvalidArgumentError, 'INVALID_ARGUMENT');
    await expectLogError(() => LogDb.open({ path: '' }), InvalidArgumentError, 'INVALID_ARGUMENT');
  });

  it('leaves the directory free after refusing options, so a valid open succeeds', async () => {
    const path = fixture.dir();
    await expectLogError(() => LogDb.open(bad({ path, durability: 'x' })), InvalidArgumentError, 'INVALID_ARGUMENT');
    const log = await fixture.open({ path });
    expect(log.committedSequence).to.equal(0);
  });
});
