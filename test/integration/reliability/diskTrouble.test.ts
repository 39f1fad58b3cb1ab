import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { open } from 'lmdb';
import type { Consumer } from '../../../clients/Consumer.js';
import { BrokerRequestError, ConnectionError } from '../../../clients/errors.js';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { BrokerFixture, type BrokerProcess } from '../../support/BrokerProcess.js';
import { within } from '../../support/ClientHelpers.js';
import { sleep } from '../../support/LogFixture.js';
import { linesOf, mountTmpfs, runOdlog, unmountTmpfs, type OdlogRunResult } from '../../support/OdlogRun.js';
import { TempDirs } from '../../support/TempDirs.js';

const MiB = 1024 * 1024;
const valueBytes = 64 * 1024;
const recordsPerAppend = 4;

interface Acked {
  readonly key: string;
  readonly startSequence: number;
  readonly values: readonly Buffer[];
}

/** Values that carry their append number, so a reader can tell each one apart. */
function batchValues(n: number): Buffer[] {
  return Array.from({ length: recordsPerAppend }, (_, i) => {
    const v = Buffer.alloc(valueBytes, (n * 7 + i) & 0xff);
    v.writeUInt32BE(n, 0);
    v.writeUInt32BE(i, 4);
    return v;
  });
}

/** Every acknowledged record is readable, at its sequence, with its value. */
async function expectAllReadable(client: OdlogClient, acked: readonly Acked[], what: string): Promise<void> {
  const byKey = new Map<string, Map<number, Buffer>>();
  for (const a of acked) {
    const m = byKey.get(a.key) ?? new Map<number, Buffer>();
    a.values.forEach((v, i) => m.set(a.startSequence + i, v));
    byKey.set(a.key, m);
  }
  for (const [key, expected] of byKey) {
    const found = new Map<number, Buffer>();
    for await (const e of client.scanAll(key, {}, 64)) found.set(e.sequence, e.value);
    for (const [sequence, value] of expected) {
      const got = found.get(sequence);
      expect(got !== undefined && got.equals(value), `${what}: ${key} at ${sequence} ${got === undefined ? 'is missing' : 'changed'}`).to.equal(true);
    }
    expect(await client.count(key), `${what}: Count of ${key}`).to.equal(found.size);
  }
}

/** The value, or the error it failed with. */
function attempt<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

/** If the broker is going away (its connection was lost), wait for its exit so that the failure says so. */
async function settleExit(broker: BrokerProcess, error: unknown): Promise<void> {
  if (error instanceof ConnectionError) await broker.waitForExit(3000).catch(() => undefined);
}

/** Follow a consumer in the background, remembering how far it got. */
function follow(consumer: Consumer): { position: () => number; received: () => number; failure: () => Error | undefined } {
  let received = 0;
  let failure: Error | undefined;
  void (async () => {
    try {
      for await (const _entry of consumer) received++;
    } catch (error) {
      failure = error as Error;
    }
  })();
  return { position: () => consumer.nextSequence, received: () => received, failure: () => failure };
}

async function waitForPosition(tail: { position: () => number; failure: () => Error | undefined }, end: number, what: string): Promise<void> {
  await within(
    (async () => {
      while (tail.position() < end && tail.failure() === undefined) await sleep(20);
    })(),
    20_000,
    () => `${what}: the subscription reached ${tail.position()} of ${end}`,
  );
  if (tail.failure() !== undefined) throw tail.failure();
}

describe('reliability: disk trouble (full data directory)', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  const mounts = new TempDirs();
  const mounted: string[] = [];
  afterEach(async function () {
    await fixture.cleanup(this.currentTest);
    for (const dir of mounted.splice(0)) unmountTmpfs(dir);
    mounts.cleanup();
  });

  it('on a full tmpfs: appends fail with STORAGE_ERROR while Scan, Count, Stats and subscriptions keep working; freeing space lets appends succeed again without a restart; nothing acknowledged is lost', async function () {
    const mount = mounts.make('odlog-tmpfs');
    const reason = mountTmpfs(mount, 32 * MiB);
    if (reason !== undefined) {
      console.log(`skipped: ${reason}`);
      this.skip();
    }
    mounted.push(mount);
    // Space to give back later: a filler on the same filesystem, written before the log fills it.
    const filler = join(mount, 'filler');
    writeFileSync(filler, Buffer.alloc(6 * MiB, 0x66));
    const dataDir = join(mount, 'data');
    mkdirSync(dataDir);
    const broker = await fixture.start([], { dataDir });
    const client = await fixture.client(broker.address, { reconnect: false });
    const tail = follow(await client.subscribe({ prefix: 'full/', from: 'earliest', windowRecords: 64 }));

    const acked: Acked[] = [];
    let end = 0;
    let failure: unknown;
    for (let n = 0; n < 1000 && failure === undefined; n++) {
      const key = `full/k${n % 3}`;
      const values = batchValues(n);
      try {
        const out = await client.append(values.map((value) => ({ key, value })));
        acked.push({ key, startSequence: out.startSequence, values });
        end = out.startSequence + out.count;
      } catch (error) {
        failure = error;
      }
    }
    await settleExit(broker, failure);
    expect(broker.isRunning, `the broker died when the disk filled (exit ${JSON.stringify(broker.exitStatus)}); stderr:\n${broker.stderrTail(12)}`).to.equal(true);
    expect(failure, 'the disk never filled').to.not.equal(undefined);
    expect(failure, `the append on a full disk failed with ${String(failure)}`).to.be.instanceOf(BrokerRequestError);
    expect((failure as BrokerRequestError).code, String(failure)).to.equal(ErrorCode.StorageError);
    expect((failure as BrokerRequestError).retryable).to.equal(true);
    console.log(`      ${acked.length} appends (${((acked.length * recordsPerAppend * valueBytes) / MiB).toFixed(1)} MiB) acknowledged before the disk was full; then: ${(failure as Error).message}`);

    // While full: more appends fail the same way, and everything else works.
    for (let i = 0; i < 3; i++) {
      const again = await attempt(client.append(batchValues(5000 + i).map((value) => ({ key: 'full/k0', value }))));
      if (again instanceof Error) expect((again as BrokerRequestError).code, String(again)).to.equal(ErrorCode.StorageError);
      else {
        acked.push({ key: 'full/k0', startSequence: again.startSequence, values: batchValues(5000 + i) });
        end = again.startSequence + again.count;
      }
    }
    await expectAllReadable(client, acked, 'while full');
    const stats = await client.stats();
    expect(stats.committedSequence).to.equal(end);
    await waitForPosition(tail, end, 'while full, the subscription that was live');
    const fresh = follow(await client.subscribe({ prefix: 'full/', from: 'earliest', windowRecords: 64 }));
    await waitForPosition(fresh, end, 'while full, a new subscription');
    expect(fresh.received()).to.equal(end);

    // Free space: appends succeed again, on the same broker, with the next sequence.
    rmSync(filler);
    let recovered: { startSequence: number; count: number } | undefined;
    const deadline = Date.now() + 15_000;
    const values = batchValues(9000);
    while (recovered === undefined) {
      const out = await attempt(client.append(values.map((value) => ({ key: 'full/k1', value }))));
      if (!(out instanceof Error)) recovered = out;
      else {
        expect((out as BrokerRequestError).code, String(out)).to.equal(ErrorCode.StorageError);
        expect(Date.now(), `appends still fail 15 s after space was freed: ${String(out)}`).to.be.below(deadline);
        await sleep(100);
      }
    }
    expect(recovered.startSequence, 'the first sequence after the disk was full').to.equal(end);
    acked.push({ key: 'full/k1', startSequence: recovered.startSequence, values });
    end = recovered.startSequence + recovered.count;
    await waitForPosition(tail, end, 'after space was freed, the live subscription');
    expect(broker.exitStatus, 'the broker restarted or exited').to.equal(undefined);

    // And all of it survives a restart.
    await client.close();
    expect(await broker.stop()).to.equal(0);
    await broker.restart();
    const again = await fixture.client(broker.address);
    await expectAllReadable(again, acked, 'after a restart');
    expect((await again.stats()).committedSequence).to.equal(end);
  });
});

describe('reliability: data directories the broker must refuse at start', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  /** Refused: a non-zero exit code, exactly one line on stderr saying why, and never listening. */
  function expectRefused(run: OdlogRunResult, reason: RegExp): void {
    const lines = linesOf(run.stderr);
    expect(run.timedOut, `the broker did not exit; stdout: ${run.stdout}`).to.equal(false);
    expect(run.signal, `the broker was ended by ${run.signal} instead of refusing to start; stderr: ${JSON.stringify(run.stderr)}`).to.equal(null);
    expect(run.code, `exit code; stderr: ${run.stderr}`).to.not.equal(0);
    expect(run.stdout).to.not.match(/listening/);
    expect(lines, `stderr should be exactly one line:\n${run.stderr}`).to.have.length(1);
    expect(lines[0]).to.match(reason);
  }

  const serve = (dataDir: string): string[] => ['serve', '--port', '0', '--data-dir', dataDir];

  it('refuses a data directory held by another live broker, which keeps serving', async () => {
    const holder = await fixture.start();
    expectRefused(await runOdlog(serve(holder.dataDir)), /in use by process \d+/);
    const client = await fixture.client(holder.address);
    await client.append([{ key: 'k', value: 'still served' }]);
  });

  it('refuses a data directory path that runs through a regular file', async () => {
    const file = join(fixture.dir(), 'a-file');
    writeFileSync(file, 'not a directory');
    expectRefused(await runOdlog(serve(join(file, 'data'))), /data directory/);
  });

  it('refuses a data directory it may not read or write (chmod 000; as root, checked as user nobody)', async function () {
    const parent = fixture.dir();
    chmodSync(parent, 0o755);
    const dir = join(parent, 'locked-out');
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    try {
      const asRoot = process.getuid?.() === 0;
      if (process.getuid === undefined) {
        console.log('skipped: no POSIX permissions on this platform');
        this.skip();
      }
      // Root ignores permissions: run the broker as nobody (65534) instead.
      const run = await runOdlog(serve(dir), asRoot ? { uid: 65534, gid: 65534 } : {});
      if (asRoot && /spawn failed/.test(run.stderr)) {
        console.log(`skipped: cannot run the broker as user nobody (${run.stderr.trim()})`);
        this.skip();
      }
      expectRefused(run, /permission denied|EACCES/i);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('refuses a directory whose log.mdb is an LMDB file of something else', async () => {
    const dir = fixture.dir();
    const env = open<Buffer, Buffer>({ path: join(dir, 'log.mdb'), noSubdir: true, keyEncoding: 'binary', encoding: 'binary' });
    for (let i = 0; i < 10; i++) await env.put(randomBytes(12), randomBytes(30));
    await env.close();
    expectRefused(await runOdlog(serve(dir)), /not an odlog/);
  });

  it('refuses an odlog directory of another format version (99)', async () => {
    const broker = await fixture.start();
    const client = await fixture.client(broker.address);
    await client.append([{ key: 'k', value: 'v' }]);
    await client.close();
    expect(await broker.stop()).to.equal(0);
    const env = open({ path: join(broker.dataDir, 'log.mdb'), noSubdir: true, maxDbs: 16 });
    const meta = env.openDB<Buffer, Buffer>({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' });
    await meta.put(Buffer.from('format'), Buffer.from(JSON.stringify({ magic: 'odlog', version: 99 })));
    await env.close();
    expectRefused(await runOdlog(serve(broker.dataDir)), /format 99/);
  });

  it('refuses a directory whose log.mdb is not an LMDB file at all (damaged or foreign bytes)', async () => {
    const dir = fixture.dir();
    writeFileSync(join(dir, 'log.mdb'), randomBytes(64 * 1024));
    expectRefused(await runOdlog(serve(dir)), /log\.mdb|not an odlog|LMDB/i);
  });
});
