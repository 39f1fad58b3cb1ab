import { expect } from 'chai';
import { join } from 'node:path';
import { appendRow, openTables, type StorageTables } from '../../../src/storage/env/StorageTables.js';
import { KeyStateWriter } from '../../../src/storage/flush/KeyStateWriter.js';
import { clearKeyStateGroup, keyStateGroupBytes, keyStateGroupKey, lookupKeyName, readKeyState, writeKeyState, type KeyRecord } from '../../../src/storage/layout/KeyRecord.js';
import { keyIdKey } from '../../../src/storage/layout/StorageKeys.js';
import { TempDirs } from '../../support/TempDirs.js';

function record(keyId: number): KeyRecord {
  return { keyId, count: keyId + 1, lastSeq: 1000 + keyId, trimSeq: keyId % 3, latestGen: 7, listedIn: 2 };
}

describe('key states: sixteen to an LMDB value (KeyRecord, KeyStateWriter)', () => {
  const dirs = new TempDirs();
  let tables: StorageTables;
  beforeEach(() => {
    tables = openTables(join(dirs.make('odlog-key-states'), 'log.mdb'));
  });
  afterEach(async () => {
    await tables.root.close();
    dirs.cleanup();
  });

  const storedGroups = (): number[] => [...tables.keyStates.getKeys({})].map((k) => (k as Buffer).readUInt32BE(4));

  it('keeps each key in its own slot of its group: writing one leaves the other fifteen as they were', () => {
    const group = Buffer.alloc(keyStateGroupBytes);
    clearKeyStateGroup(group);
    for (let id = 32; id < 48; id++) expect(readKeyState(group, id)).to.equal(undefined);
    writeKeyState(group, record(33));
    writeKeyState(group, { ...record(47), lastSeq: 2 ** 53 - 1, latestGen: 0xffff_fffe });
    expect(readKeyState(group, 33)).to.deep.equal(record(33));
    expect(readKeyState(group, 47)).to.deep.equal({ ...record(47), lastSeq: 2 ** 53 - 1, latestGen: 0xffff_fffe });
    for (let id = 32; id < 48; id++) if (id !== 33 && id !== 47) expect(readKeyState(group, id), `slot ${id}`).to.equal(undefined);
  });

  it("stores a flush's key states by group; a later flush changes one key of a stored group in place and appends a new group", () => {
    tables.root.transactionSync(() => {
      const states = new KeyStateWriter(tables);
      for (let id = 0; id < 40; id++) {
        expect(states.get(id)).to.equal(undefined);
        states.set(record(id));
      }
      states.finish();
    });
    expect(storedGroups()).to.deep.equal([0, 1, 2]);
    tables.root.transactionSync(() => {
      const states = new KeyStateWriter(tables);
      expect(states.get(5)).to.deep.equal(record(5));
      states.set({ ...record(5), count: 99 });
      states.set(record(100)); // group 6: above every stored group
      expect(states.get(5), 'a held group is read with its changes').to.deep.equal({ ...record(5), count: 99 });
      states.finish();
    });
    expect(storedGroups()).to.deep.equal([0, 1, 2, 6]);
    const group0 = tables.keyStates.getBinary(keyStateGroupKey(0)) as Buffer;
    expect(readKeyState(group0, 5)).to.deep.equal({ ...record(5), count: 99 });
    for (let id = 0; id < 16; id++) if (id !== 5) expect(readKeyState(group0, id)).to.deep.equal(record(id));
    expect(readKeyState(tables.keyStates.getBinary(keyStateGroupKey(6)) as Buffer, 100)).to.deep.equal(record(100));
  });

  it('stores the name of a key whose id is below the highest named one (a key given its id by an expect or a trim, written later)', () => {
    tables.root.transactionSync(() => {
      const states = new KeyStateWriter(tables);
      states.addName(10, Buffer.from('ten'));
      states.addName(11, Buffer.from('eleven'));
    });
    tables.root.transactionSync(() => {
      const states = new KeyStateWriter(tables);
      states.addName(3, Buffer.from('three'));
      states.addName(12, Buffer.from('twelve'));
    });
    expect([3, 10, 11, 12].map((id) => lookupKeyName(tables, id)?.toString())).to.deep.equal(['three', 'ten', 'eleven', 'twelve']);
  });

  it('refuses to append a row below the last key of its table, instead of dropping it', () => {
    tables.root.transactionSync(() => appendRow(tables.keyNames, keyIdKey(8), Buffer.from('eight')));
    expect(() => tables.root.transactionSync(() => appendRow(tables.keyNames, keyIdKey(2), Buffer.from('two')))).to.throw(/above every key/);
    expect(lookupKeyName(tables, 2)).to.equal(undefined);
    expect(lookupKeyName(tables, 8)?.toString()).to.equal('eight');
  });
});
