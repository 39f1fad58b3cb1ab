import { expect } from 'chai';
import { NatsClient, NatsClientError, NatsParser, parseNatsHeaders, type NatsFrame } from '../../../bench/harness/load/NatsClient.js';
import { ackSequences, keyToSubject, prefixToFilter } from '../../../bench/harness/load/NatsLoadClient.js';
import { natsDurability } from '../../../bench/harness/targets/NatsTarget.js';
import { MemoryTransport, settle } from './MemoryTransport.js';

/** A comparable form of a frame (Buffers as text). */
function plain(frame: NatsFrame): unknown {
  if (frame.kind !== 'msg') return frame;
  return { ...frame, headers: frame.headers?.toString('latin1'), payload: frame.payload.toString('latin1') };
}

const hdr = 'NATS/1.0\r\nNats-Msg-Id: 7\r\n\r\n';
const fixtures: { name: string; wire: string; frame: unknown }[] = [
  { name: 'INFO', wire: 'INFO {"server_id":"S","version":"2.9.10","max_payload":1048576,"headers":true,"jetstream":true}\r\n', frame: { kind: 'info', json: '{"server_id":"S","version":"2.9.10","max_payload":1048576,"headers":true,"jetstream":true}' } },
  { name: 'MSG without reply', wire: 'MSG bench.1 9 5\r\nhello\r\n', frame: { kind: 'msg', subject: 'bench.1', sid: 9, reply: undefined, headers: undefined, payload: 'hello' } },
  { name: 'MSG with reply and a payload holding CRLF and a MSG line', wire: 'MSG a.b 2 _INBOX.x.1 16\r\nMSG x 1 1\r\nab\r\n!\r\n', frame: { kind: 'msg', subject: 'a.b', sid: 2, reply: '_INBOX.x.1', headers: undefined, payload: 'MSG x 1 1\r\nab\r\n!' } },
  { name: 'MSG with two spaces where a reply would be (as nats-server 2.9 sends PubAcks)', wire: 'MSG _INBOX.x.1 1  26\r\n{"stream":"BENCH","seq":1}\r\n', frame: { kind: 'msg', subject: '_INBOX.x.1', sid: 1, reply: undefined, headers: undefined, payload: '{"stream":"BENCH","seq":1}' } },
  { name: 'MSG with an empty payload', wire: 'MSG a 3 0\r\n\r\n', frame: { kind: 'msg', subject: 'a', sid: 3, reply: undefined, headers: undefined, payload: '' } },
  { name: 'HMSG without reply', wire: `HMSG a 4 ${hdr.length} ${hdr.length + 3}\r\n${hdr}abc\r\n`, frame: { kind: 'msg', subject: 'a', sid: 4, reply: undefined, headers: hdr, payload: 'abc' } },
  { name: 'HMSG with reply and no payload', wire: `HMSG _INBOX.q.7 1 $JS.FC.BENCH.x.1 ${'NATS/1.0 100 FlowControl Request\r\n\r\n'.length} ${'NATS/1.0 100 FlowControl Request\r\n\r\n'.length}\r\nNATS/1.0 100 FlowControl Request\r\n\r\n\r\n`, frame: { kind: 'msg', subject: '_INBOX.q.7', sid: 1, reply: '$JS.FC.BENCH.x.1', headers: 'NATS/1.0 100 FlowControl Request\r\n\r\n', payload: '' } },
  { name: 'PING', wire: 'PING\r\n', frame: { kind: 'ping' } },
  { name: 'PONG', wire: 'PONG\r\n', frame: { kind: 'pong' } },
  { name: '+OK', wire: '+OK\r\n', frame: { kind: 'ok' } },
  { name: '-ERR', wire: "-ERR 'Maximum Payload Violation'\r\n", frame: { kind: 'err', message: 'Maximum Payload Violation' } },
  { name: 'lower-case msg', wire: 'msg a 5 1\r\nz\r\n', frame: { kind: 'msg', subject: 'a', sid: 5, reply: undefined, headers: undefined, payload: 'z' } },
];

function decode(chunks: Buffer[]): unknown[] {
  const frames: unknown[] = [];
  const parser = new NatsParser((frame) => frames.push(plain(frame)));
  for (const chunk of chunks) parser.feed(chunk);
  return frames;
}

const all = Buffer.from(fixtures.map((f) => f.wire).join(''), 'latin1');
const allFrames = fixtures.map((f) => f.frame);

describe('NatsParser', () => {
  for (const fixture of fixtures) {
    it(`decodes ${fixture.name} fed whole, byte by byte, and split at every boundary`, () => {
      const wire = Buffer.from(fixture.wire, 'latin1');
      expect(decode([wire])).to.deep.equal([fixture.frame]);
      expect(decode([...wire].map((b) => Buffer.from([b])))).to.deep.equal([fixture.frame]);
      for (let i = 1; i < wire.length; i++) expect(decode([wire.subarray(0, i), wire.subarray(i)]), `split at ${i}`).to.deep.equal([fixture.frame]);
    });
  }

  it('decodes every fixture back to back, in order, whole, byte by byte, and split at every boundary', () => {
    expect(decode([all])).to.deep.equal(allFrames);
    expect(decode([...all].map((b) => Buffer.from([b])))).to.deep.equal(allFrames);
    for (let i = 1; i < all.length; i++) expect(decode([all.subarray(0, i), all.subarray(i)]), `split at ${i}`).to.deep.equal(allFrames);
  });

  it('refuses a message larger than messageBytesMax from its control line, before the payload arrives', () => {
    const parser = new NatsParser(() => undefined, { controlLineBytesMax: 1024, messageBytesMax: 10 });
    expect(() => parser.feed(Buffer.from('MSG a 1 11\r\n'))).to.throw(NatsClientError, /exceeds 10/);
  });

  it('refuses an unterminated control line longer than controlLineBytesMax', () => {
    const parser = new NatsParser(() => undefined, { controlLineBytesMax: 16, messageBytesMax: 10 });
    parser.feed(Buffer.from('INFO {"aaaaaaa'));
    expect(() => parser.feed(Buffer.from('aaaaaaaaaa'))).to.throw(NatsClientError, /longer than 16/);
  });

  it('refuses unknown operations, bad sizes, wrong argument counts, header sizes beyond the total, and payloads without CRLF', () => {
    const bad = ['FOO\r\n', 'MSG a 1 x\r\n', 'MSG a\r\n', 'HMSG a 1 10 5\r\n', 'MSG a 1 2\r\nabcd', 'PING\n'];
    for (const wire of bad) expect(() => new NatsParser(() => undefined).feed(Buffer.from(wire)), wire).to.throw(NatsClientError);
  });
});

describe('parseNatsHeaders', () => {
  it('reads a status line with a description and repeated headers', () => {
    const h = parseNatsHeaders(Buffer.from('NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 42\r\nNats-Last-Stream: 99\r\nX: 1\r\nX: 2\r\n\r\n'));
    expect(h.status).to.equal(100);
    expect(h.description).to.equal('Idle Heartbeat');
    expect(h.values.get('Nats-Last-Consumer')).to.deep.equal(['42']);
    expect(h.values.get('X')).to.deep.equal(['1', '2']);
  });

  it('reads a bare status (no responders) and a plain header block', () => {
    expect(parseNatsHeaders(Buffer.from('NATS/1.0 503\r\n\r\n')).status).to.equal(503);
    expect(parseNatsHeaders(Buffer.from('NATS/1.0\r\nA: b\r\n\r\n')).status).to.equal(undefined);
    expect(() => parseNatsHeaders(Buffer.from('HTTP/1.1 200\r\n\r\n'))).to.throw(NatsClientError);
  });
});

describe('NATS key and subject mapping', () => {
  it("maps a bench key's ':' to the subject token separator '.'", () => {
    expect(keyToSubject(Buffer.from('bench:17'))).to.equal('bench.17');
    expect(prefixToFilter('bench:')).to.equal('bench.>');
  });

  it("refuses keys that have no subject: empty parts, '.', '*', '>' or whitespace", () => {
    for (const key of ['bench:', 'bench:1.2', 'bench:*', 'bench:>', 'bench:a b', ':x']) expect(() => keyToSubject(key), key).to.throw(NatsClientError);
    expect(() => prefixToFilter('bench')).to.throw(NatsClientError);
  });

  it('reads stream and consumer sequences from both forms of JetStream ack subject', () => {
    expect(ackSequences('$JS.ACK.BENCH.c1.1.120.7.1700000000000000000.3')).to.deep.equal({ stream: 120, consumer: 7 });
    expect(ackSequences('$JS.ACK.dom.ACCHASH.BENCH.c1.1.120.7.1700000000000000000.3.tok')).to.deep.equal({ stream: 120, consumer: 7 });
    expect(ackSequences('_INBOX.x')).to.equal(undefined);
    expect(ackSequences(undefined)).to.equal(undefined);
  });
});

describe('NATS durability per server version', () => {
  it('has no fsync before the PubAck on 2.9, even for sync, and says so', () => {
    const d = natsDurability('2.9.10', 'sync');
    expect(d.fsyncBeforeAck).to.equal(false);
    expect(d.syncAlways).to.equal(false);
    expect(d.summary).to.match(/NOT fsync per ack/);
  });

  it('uses sync_interval always on 2.10 and later for sync only', () => {
    expect(natsDurability('2.10.0', 'sync')).to.include({ fsyncBeforeAck: true, syncAlways: true });
    expect(natsDurability('2.11.4', 'sync')).to.include({ fsyncBeforeAck: true, syncAlways: true });
    expect(natsDurability('2.10.0', 'async')).to.include({ fsyncBeforeAck: false, syncAlways: false });
  });
});

describe('NatsClient over an in-memory transport', () => {
  async function connected(): Promise<{ transport: MemoryTransport; client: NatsClient }> {
    const transport = new MemoryTransport();
    const connecting = NatsClient.handshake(transport, { requestTimeoutMs: 40 });
    transport.serve('INFO {"server_id":"S","version":"2.9.10","max_payload":64,"headers":true,"jetstream":true}\r\n');
    await settle();
    transport.serve('PONG\r\n');
    return { transport, client: await connecting };
  }

  it('sends CONNECT with verbose off and headers and no_responders on, then PING, and is ready at the PONG', async () => {
    const { transport, client } = await connected();
    const connect = /^CONNECT (\{.*\})\r\nPING\r\n/.exec(transport.text());
    expect(connect).to.not.equal(null);
    expect(JSON.parse((connect as RegExpExecArray)[1])).to.include({ verbose: false, headers: true, no_responders: true });
    expect(client.info.max_payload).to.equal(64);
    await client.close();
  });

  it('refuses the connection when the server answers CONNECT with -ERR', async () => {
    const transport = new MemoryTransport();
    const connecting = NatsClient.handshake(transport).then(() => undefined, (e: unknown) => e);
    transport.serve('INFO {"max_payload":64}\r\n');
    await settle();
    transport.serve("-ERR 'Authorization Violation'\r\n");
    const error = (await connecting) as NatsClientError;
    expect(error.code).to.equal('ServerError');
    expect(error.message).to.match(/Authorization Violation/);
  });

  it('pipelines requests and matches replies by inbox token, whatever their order', async () => {
    const { transport, client } = await connected();
    const replies = client.requestAll(['bench.1', 'bench.2'], [Buffer.from('a'), Buffer.from('b')]);
    await settle();
    const pubs = [...transport.text().matchAll(/PUB (\S+) (\S+) (\d+)\r\n/g)];
    expect(pubs.map((m) => m[1])).to.deep.equal(['bench.1', 'bench.2']);
    const inboxes = pubs.map((m) => m[2]);
    transport.serve(`MSG ${inboxes[1]} 1 4\r\nack2\r\nMSG ${inboxes[0]} 1 4\r\nack1\r\n`);
    expect((await replies).map((m) => m.payload.toString())).to.deep.equal(['ack1', 'ack2']);
    await client.close();
  });

  it('resolves an empty requestAll at once', async () => {
    const { client } = await connected();
    expect(await client.requestAll([], [])).to.deep.equal([]);
    await client.close();
  });

  it('fails a request with Timeout when no reply comes, and the connection stays usable', async () => {
    const { transport, client } = await connected();
    const error = (await client.request('x', Buffer.alloc(0)).then(() => undefined, (e: unknown) => e)) as NatsClientError;
    expect(error.code).to.equal('Timeout');
    const flushed = client.flush();
    transport.serve('PONG\r\n');
    await flushed;
    await client.close();
  });

  it('answers a server PING with PONG', async () => {
    const { transport, client } = await connected();
    const before = transport.text().length;
    transport.serve('PING\r\n');
    await settle();
    await settle();
    expect(transport.text().slice(before)).to.equal('PONG\r\n');
    await client.close();
  });

  it('refuses a payload over the server max_payload and a subject with whitespace, sending nothing', async () => {
    const { transport, client } = await connected();
    const before = transport.text().length;
    expect(() => client.publish('a', Buffer.alloc(65))).to.throw(NatsClientError, /max_payload/);
    expect(() => client.publish('a b', Buffer.alloc(1))).to.throw(NatsClientError, /subject/);
    await settle();
    expect(transport.text().length).to.equal(before);
    await client.close();
  });

  it('treats -ERR after connecting as fatal: pending requests fail with ServerError', async () => {
    const { transport, client } = await connected();
    const pending = client.request('x', Buffer.alloc(0)).then(() => undefined, (e: unknown) => e);
    transport.serve("-ERR 'Unknown Protocol Operation'\r\n");
    expect(((await pending) as NatsClientError).code).to.equal('ServerError');
  });

  it('delivers MSG to its subscription and nothing after unsubscribe', async () => {
    const { transport, client } = await connected();
    const got: string[] = [];
    const sid = client.subscribe('bench.>', (m) => got.push(m.payload.toString()));
    transport.serve(`MSG bench.1 ${sid} 1\r\na\r\n`);
    await settle();
    client.unsubscribe(sid);
    transport.serve(`MSG bench.1 ${sid} 1\r\nb\r\n`);
    await settle();
    expect(got).to.deep.equal(['a']);
    expect(transport.text()).to.contain(`SUB bench.> ${sid}\r\n`).and.to.contain(`UNSUB ${sid}\r\n`);
    await client.close();
  });
});
