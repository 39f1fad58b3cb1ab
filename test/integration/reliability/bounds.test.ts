import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { expect } from 'chai';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { readEntryBatch } from '../../../src/protocol/batch/EntryBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { FrameDecoder } from '../../../src/protocol/frame/FrameDecoder.js';
import { encodeFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags, type Frame } from '../../../src/protocol/frame/FrameHeader.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Credit } from '../../../src/protocol/messages/credit.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { Scan } from '../../../src/protocol/messages/scan.js';
import { Subscribe } from '../../../src/protocol/messages/subscribe.js';
import { SubscriptionBatchPush } from '../../../src/protocol/messages/subscriptionBatch.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { take, within } from '../../support/ClientHelpers.js';
import { sleep, waitFor } from '../../support/LogFixture.js';
import { decodeResponse, errorOf, RawConnection } from '../../support/RawConnection.js';
import { makeSelfSigned, opensslUnavailable, type SelfSignedCert } from '../../support/TlsCerts.js';

const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(1);

/** A well-behaved producer: N appends, one after the other; every one must succeed. */
async function appendsSucceed(client: OdlogClient, key: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    await client.append([{ key, value: `${key} ${i}` }]);
    ok++;
  }
  return ok;
}

/** Write `frame` a byte at a time, `pauseMs` apart, until it is all written or the broker closed the connection. */
async function trickle(conn: RawConnection, frame: Buffer, pauseMs: number): Promise<number> {
  let written = 0;
  for (; written < frame.length && !conn.isClosed; written++) {
    conn.socket.write(frame.subarray(written, written + 1));
    await sleep(pauseMs);
  }
  return written;
}

/** A TLS connection that collects the frames it receives (and can send a Ping). */
async function tlsFrames(port: number, cert: SelfSignedCert): Promise<{ frames: Frame[]; closed: Promise<void>; ping: (timeMs: number) => void; destroy: () => void }> {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder(1 << 20);
  const socket = connectTls({ host: '127.0.0.1', port, ca: cert.certPem, servername: 'localhost' });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) =>
    decoder.push(chunk, {
      frame: (f) => frames.push({ ...f, body: Buffer.from(f.body) }),
      oversized: () => undefined,
      malformed: () => undefined,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  let id = 1;
  return {
    frames,
    closed,
    ping: (timeMs) => void socket.write(encodeFrame({ messageType: Ping.type, version: protocolVersion, flags: 0, correlationId: id++ }, Ping.request.at(protocolVersion), { timeMs })),
    destroy: () => socket.destroy(),
  };
}

describe('reliability: bounds under abuse', function () {
  this.timeout(120_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('cuts off connections trickling a frame slower than --partial-frame-timeout-ms, but not ones sending whole frames slowly or frames in pieces that each complete in time', async () => {
    const timeoutMs = 1000;
    const broker = await fixture.start(['--partial-frame-timeout-ms', String(timeoutMs)]);
    const producer = await fixture.client(broker.address);

    const slowloris = async (): Promise<{ written: number; length: number; answered: boolean; closed: boolean }> => {
      const conn = await fixture.raw(broker);
      const frame = conn.encode(Ping, { timeMs: 1 }, { correlationId: 9 });
      const written = await trickle(conn, frame, 300);
      await within(conn.whenClosed, 10_000, () => 'not closed').catch(() => undefined);
      return { written, length: frame.length, answered: conn.frames.length > 0, closed: conn.isClosed };
    };
    const steady = async (): Promise<{ answered: number; closed: boolean }> => {
      const conn = await fixture.raw(broker);
      let answered = 0;
      for (let i = 0; i < 4; i++) {
        expect((await conn.request(Ping, { timeMs: i })).timeMs).to.equal(i);
        answered++;
        await sleep(timeoutMs + 300); // idle between frames for longer than the deadline
      }
      return { answered, closed: conn.isClosed };
    };
    const inPieces = async (): Promise<{ answered: number; closed: boolean }> => {
      const conn = await fixture.raw(broker);
      let answered = 0;
      for (let i = 0; i < 6; i++) {
        const id = conn.allocateCorrelationId();
        const frame = conn.encode(Ping, { timeMs: i }, { correlationId: id });
        await conn.writeInPieces(frame, [Math.floor(frame.length / 2)], timeoutMs * 0.4);
        expect(decodeResponse(Ping, await conn.response(id)).timeMs).to.equal(i);
        answered++;
      }
      return { answered, closed: conn.isClosed };
    };

    const [lorises, steadyOut, piecesOut, appended] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => slowloris())),
      steady(),
      inPieces(),
      appendsSucceed(producer, 'bounds/slowloris', 200),
    ]);
    for (const [i, l] of lorises.entries()) {
      expect(l.closed, `slowloris ${i} was not cut off`).to.equal(true);
      expect(l.written, `slowloris ${i} got to write its whole frame`).to.be.below(l.length);
      expect(l.answered, `slowloris ${i} was answered`).to.equal(false);
    }
    expect(steadyOut).to.deep.equal({ answered: 4, closed: false });
    expect(piecesOut).to.deep.equal({ answered: 6, closed: false });
    expect(appended).to.equal(200);
    console.log(`      20 slowloris connections cut off after ${lorises.map((l) => l.written).join('/')} of ${lorises[0].length} bytes; steady and split connections kept; 200 appends alongside`);
  });

  it('refuses a flood of connections beyond --connections-max with LIMIT_EXCEEDED and closes them, while the connections it has keep working', async () => {
    const connectionsMax = 16;
    const broker = await fixture.start(['--connections-max', String(connectionsMax)]);
    const producer = await fixture.client(broker.address);
    const observer = await fixture.client(broker.address);
    const held: RawConnection[] = [];
    for (let i = 0; i < connectionsMax - 2; i++) {
      const conn = await fixture.raw(broker);
      await conn.request(Ping, { timeMs: i });
      held.push(conn);
    }

    const flood = async (): Promise<'refused' | string> => {
      const conn = await fixture.raw(broker);
      await within(conn.whenClosed, 10_000, () => 'the broker did not close the refused connection');
      const first = conn.frames[0];
      if (first === undefined) return 'closed without an error frame';
      const error = errorOf(first);
      if (first.messageType !== 0 || first.correlationId !== 0 || error.code !== ErrorCode.LimitExceeded) return `got ${first.messageType}/${first.correlationId} code ${error.code}`;
      return 'refused';
    };
    const [outcomes, appended] = await Promise.all([Promise.all(Array.from({ length: 100 }, () => flood())), appendsSucceed(producer, 'bounds/flood', 300)]);
    const refused = outcomes.filter((o) => o === 'refused').length;
    expect(outcomes.filter((o) => o !== 'refused'), 'flood connections not refused as documented').to.deep.equal([]);
    expect(appended).to.equal(300);
    for (const [i, conn] of held.entries()) expect((await conn.request(Ping, { timeMs: 100 + i })).timeMs, `held connection ${i}`).to.equal(100 + i);
    const stats = await observer.stats();
    expect(stats.connections).to.be.at.most(connectionsMax);

    // Room again once some close.
    for (const conn of held.splice(0, 4)) conn.destroy();
    let accepted: RawConnection | undefined;
    const deadline = Date.now() + 10_000;
    while (accepted === undefined) {
      const conn = await fixture.raw(broker);
      const pong = await conn.request(Ping, { timeMs: 7 }, 2000).catch(() => undefined);
      if (pong !== undefined) accepted = conn;
      else {
        conn.destroy();
        expect(Date.now(), 'no connection accepted after four closed').to.be.below(deadline);
        await sleep(50);
      }
    }
    console.log(`      ${refused} of 100 flood connections refused with LIMIT_EXCEEDED; 300 appends and ${connectionsMax - 2} held connections served meanwhile`);
  });

  it('counts TLS handshakes under way against --connections-max: TCP connections beyond it that never start TLS are closed at once, and a TLS client is served once they go', async function () {
    const missing = opensslUnavailable();
    if (missing !== undefined) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const cert = makeSelfSigned(fixture.dir('odlog-tls'), 'broker');
    const connectionsMax = 8;
    // A handshake timeout far longer than the wait below: what closes the excess is the bound.
    const broker = await fixture.start(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--connections-max', String(connectionsMax), '--hello-timeout-ms', '120000']);
    const sockets: Socket[] = [];
    let closedByBroker = 0;
    for (let i = 0; i < 5 * connectionsMax; i++) {
      const socket = connect({ host: broker.host, port: broker.port });
      socket.on('error', () => undefined);
      socket.on('close', () => closedByBroker++);
      sockets.push(fixture.track(socket, (s) => s.destroy()));
    }
    await waitFor(() => closedByBroker >= sockets.length - connectionsMax, `the ${sockets.length - connectionsMax} connections beyond connectionsMax to be closed`, 20_000);
    expect(closedByBroker, 'connections within the bound were closed too').to.equal(sockets.length - connectionsMax);
    console.log(`      ${sockets.length} TCP connections that never start TLS, connectionsMax ${connectionsMax}: ${closedByBroker} closed at once, ${connectionsMax} held in their handshake`);
    for (const socket of sockets) socket.destroy();
    await waitFor(async () => {
      const tls = await tlsFrames(broker.port, cert).catch(() => undefined);
      if (tls === undefined) return false;
      tls.ping(9);
      await Promise.race([tls.closed, waitFor(() => tls.frames.length > 0, 'an answer', 5000).catch(() => undefined)]);
      tls.destroy();
      return tls.frames.some((f) => f.correlationId === 1 && (f.flags & FrameFlags.Error) === 0);
    }, 'a TLS client to be served once the idle handshakes are gone', 20_000);
  });

  it('answers a TLS connection beyond --connections-max with the LIMIT_EXCEEDED frame (sent through TLS) and closes it', async function () {
    const missing = opensslUnavailable();
    if (missing !== undefined) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const cert = makeSelfSigned(fixture.dir('odlog-tls'), 'broker');
    const broker = await fixture.start(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--connections-max', '3']);
    const held = await Promise.all([0, 1, 2].map(() => tlsFrames(broker.port, cert)));
    for (const [i, c] of held.entries()) {
      fixture.track(c, (x) => x.destroy());
      c.ping(i);
      await waitFor(() => c.frames.length === 1, `held connection ${i} to be answered`);
    }
    const refused = await tlsFrames(broker.port, cert);
    fixture.track(refused, (x) => x.destroy());
    await within(refused.closed, 10_000, () => 'the broker did not close the connection beyond the bound');
    expect(refused.frames).to.have.length(1);
    const [frame] = refused.frames;
    expect({ messageType: frame.messageType, correlationId: frame.correlationId, flags: frame.flags }).to.deep.equal({ messageType: 0, correlationId: 0, flags: FrameFlags.Response | FrameFlags.Error });
    const error = errorOf(frame);
    expect(error.code).to.equal(ErrorCode.LimitExceeded);
    expect(error.retryable).to.equal(true);
    expect(error.message).to.contain('connectionsMax');
    held[0].ping(10);
    await waitFor(() => held[0].frames.length === 2, 'a held connection to be served still');
  });

  it('stops reading a client that pipelines requests and never reads: its responses stay within the output bound, others keep being served, and it is cut off after --output-stall-timeout-ms', async () => {
    const outputBufferBytesMax = MiB;
    const stallMs = 5000;
    const broker = await fixture.start(['--output-buffer-bytes-max', String(outputBufferBytesMax), '--output-stall-timeout-ms', String(stallMs), '--log-level', 'info']);
    const producer = await fixture.client(broker.address);
    for (let i = 0; i < 8; i++) await producer.append([{ key: 'bounds/big', value: Buffer.alloc(MiB, i) }]);
    // Fault the values' pages in once, so that reading them later does not count as growth.
    for await (const _e of producer.scanAll('bounds/big', {}, 1)) void _e;
    await producer.ping();
    const anonBefore = broker.procStatusBytes('RssAnon');
    const vmBefore = broker.procStatusBytes('VmRSS');

    const reader = await fixture.raw(broker);
    reader.pause();
    const scans = (n: number): Buffer =>
      Buffer.concat(Array.from({ length: n }, (_, i) => reader.encode(Scan, { key: Buffer.from('bounds/big'), start: i % 8, end: null, limit: 1, maxBytes: MiB, maxWaitMs: 0, startTimeMs: null })));
    const startedAt = Date.now();
    // 256 requests, each answered by 1 MiB: 256 MiB if the broker kept serving a client that does not read.
    reader.socket.write(scans(256));
    let anonPeak = 0;
    let vmPeak = 0;
    const sample = (): void => {
      if (!broker.isRunning) return;
      anonPeak = Math.max(anonPeak, broker.procStatusBytes('RssAnon'));
      vmPeak = Math.max(vmPeak, broker.procStatusBytes('VmRSS'));
    };
    // Keep pipelining until our own socket holds what the broker no longer reads.
    while (reader.socket.writableLength < MiB && !reader.isClosed && Date.now() - startedAt < 20_000) {
      reader.socket.write(scans(4096));
      sample();
      await sleep(20);
    }
    const stoppedReading = reader.socket.writableLength >= MiB;
    const appended = await appendsSucceed(producer, 'bounds/others', 200);
    for (let i = 0; i < 10; i++) {
      sample();
      await sleep(200);
    }
    expect(stoppedReading, 'the broker kept reading requests from a client that reads nothing').to.equal(true);
    expect(appended).to.equal(200);
    const closed = await within(reader.whenClosed.then(() => true), 60_000, () => 'x').catch(() => false);
    const cutAfterMs = Date.now() - startedAt;
    const others = await producer.append([{ key: 'bounds/others', value: 'after the cut' }]);
    console.log(`      RssAnon ${mib(anonBefore)} -> peak ${mib(anonPeak)} MiB, VmRSS ${mib(vmBefore)} -> peak ${mib(vmPeak)} MiB while a client pipelined Scans of 1 MiB answers and read nothing (output bound ${mib(outputBufferBytesMax)} MiB); ${closed ? `cut off after ${(cutAfterMs / 1000).toFixed(1)} s` : 'not cut off within 60 s'}`);
    expect(anonPeak - anonBefore, `the broker's anonymous memory grew by ${mib(anonPeak - anonBefore)} MiB for one client that does not read`).to.be.at.most(outputBufferBytesMax + 64 * MiB);
    expect(closed, 'the client that never reads was not cut off').to.equal(true);
    expect(cutAfterMs, 'cut off before the stall timeout').to.be.at.least(stallMs);
    expect(broker.stderr).to.match(/ info connection_closed .*reason="the client read nothing for 5000 ms while \d+ bytes waited \(outputStallTimeoutMs\)"/);
    // The others were served throughout and still are.
    expect(others.count).to.equal(1);
    expect((await producer.stats()).connections).to.equal(1);
  });

  it('pushes nothing to a subscription that never grants credit while others on the same keys receive everything', async () => {
    const broker = await fixture.start();
    const producer = await fixture.client(broker.address);
    const starved = await fixture.raw(broker);
    const subscribed = decodeResponse(
      Subscribe,
      await starved.response(await starved.send(Subscribe, { subscriptionId: 7, keys: [], prefix: Buffer.from('credit/'), from: 'EARLIEST', sequence: 0, cursor: null, creditRecords: 0, creditBytes: 0, timeMs: 0 })),
    );
    expect(subscribed.subscriptionId).to.equal(7);
    const fed = await (await fixture.client(broker.address)).subscribe({ prefix: 'credit/', from: 'earliest', windowRecords: 50 });
    const n = 500;
    const [appended, received] = await Promise.all([appendsSucceed(producer, 'credit/k', n), take(fed, n, 30_000)]);
    expect(appended).to.equal(n);
    expect(received.map((e) => e.value.toString())).to.deep.equal(Array.from({ length: n }, (_, i) => `credit/k ${i}`));
    // Every commit was announced before the appends were answered; a Ping answered on the starved
    // connection after that shows no push was on its way to it.
    await starved.request(Ping, { timeMs: 1 });
    expect(starved.pushes(7), 'pushes to a subscription with no credit').to.have.length(0);

    // Three records of credit: exactly the first three, then nothing more.
    await starved.request(Credit, { subscriptionId: 7, records: 3, bytes: 1 << 20 });
    await starved.waitUntil(() => starved.pushes(7).reduce((sum, f) => sum + readEntryBatch(SubscriptionBatchPush.body.at(protocolVersion).decode(f.body).entries).length, 0) >= 3, 'three entries', 5000);
    await starved.request(Ping, { timeMs: 2 });
    const entries = starved.pushes(7).flatMap((f) => readEntryBatch(SubscriptionBatchPush.body.at(protocolVersion).decode(f.body).entries));
    expect(entries.map((e) => e.value.toString())).to.deep.equal(['credit/k 0', 'credit/k 1', 'credit/k 2']);
    expect(starved.frames.filter((f) => (f.flags & FrameFlags.Push) !== 0 && f.correlationId !== 7)).to.have.length(0);
  });

  it('keeps serving other connections while Stats computes the lag of many cursors over many segments: a frame sent in two pieces 100 ms apart is not cut off', async () => {
    const timeoutMs = 500;
    const broker = await fixture.start(['--partial-frame-timeout-ms', String(timeoutMs), '--durability', 'async']);
    const admin = await fixture.client(broker.address);
    // 250 segments and 1000 named cursors (Stats computes the lag of up to 1000): what a fuzzer builds in minutes.
    for (let s = 0; s < 250; s++) {
      await admin.append(Array.from({ length: 20 }, (_, i) => ({ key: `bounds/stats/${i % 4}`, value: 'v' })));
      await admin.seal();
    }
    for (let c = 0; c < 1000; c += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => admin.commitCursor(`stats-cursor-${c + i}`, (c + i) * 3, (c + i) % 2 === 0 ? { prefix: 'bounds/stats/' } : { keys: ['bounds/stats/0', 'bounds/stats/1'] })));
    }
    const innocent = await fixture.raw(broker);
    const statsTimes: number[] = [];
    let answered = 0;
    for (let i = 0; i < 3 && !innocent.isClosed; i++) {
      // The first piece of a frame, then a Stats request from another client, then the rest of the frame 100 ms later.
      const id = innocent.allocateCorrelationId();
      const frame = innocent.encode(Ping, { timeMs: i }, { correlationId: id });
      await innocent.write(frame.subarray(0, 6));
      await sleep(20);
      const t = Date.now();
      const stats = admin.stats().then(() => statsTimes.push(Date.now() - t));
      await sleep(100);
      await innocent.write(frame.subarray(6)).catch(() => undefined);
      const response = await Promise.race([innocent.response(id, 30_000).catch(() => undefined), innocent.whenClosed.then(() => undefined)]);
      await stats;
      if (response !== undefined) answered++;
    }
    console.log(`      Stats over 250 segments and 1000 cursors took ${statsTimes.join(', ')} ms; a connection sending each frame in two pieces 100 ms apart got ${answered} answers and was ${innocent.isClosed ? 'cut off' : 'kept'}`);
    expect(innocent.isClosed, 'a connection whose frames each arrived within 100 ms was cut off by the partial-frame deadline while Stats ran').to.equal(false);
    expect(answered).to.be.greaterThan(0);
  });

  it('releases the long-polls of a connection that closed: 200 connections each leaving 1000 long-polls behind do not grow memory', async () => {
    // A small heap makes the garbage collector eager, so what stays in memory is what is still
    // referenced: a leak shows as growth, or as the broker running out of heap.
    const broker = await fixture.start([], { env: { NODE_OPTIONS: '--max-old-space-size=64' } });
    const client = await fixture.client(broker.address);
    await client.ping();
    const samples: number[] = [];
    for (let round = 1; round <= 200 && broker.isRunning; round++) {
      const conn = await RawConnection.open(broker.port, broker.host);
      conn.socket.on('error', () => undefined);
      const frames = Array.from({ length: 1000 }, (_, i) => conn.encode(Scan, { key: Buffer.from(`bounds/lp/${round}/${i % 50}`), start: 0, end: null, limit: 1, maxBytes: 100, maxWaitMs: 60_000, startTimeMs: null }));
      await conn.write(Buffer.concat(frames)).catch(() => undefined);
      await sleep(10);
      conn.destroy();
      await conn.whenClosed;
      if (round % 25 === 0 && broker.isRunning) samples.push(broker.procStatusBytes('RssAnon'));
    }
    console.log(`      RssAnon every 25 connections (each left 1000 long-polls of 60 s and closed): ${samples.map(mib).join(' ')} MiB`);
    expect(broker.isRunning, `the broker died (exit ${JSON.stringify(broker.exitStatus)}); stderr:\n${broker.stderrTail(6)}`).to.equal(true);
    await client.ping();
    const warm = samples[3];
    const last = Math.max(...samples.slice(-2));
    expect(last - warm, `RssAnon grew from ${mib(warm)} to ${mib(last)} MiB after warm-up: long-polls of closed connections are kept`).to.be.at.most(32 * MiB);
  });
});
