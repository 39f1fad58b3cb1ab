import { expect } from 'chai';
import { RespClientError, RespParser, RespReplyError, encodeCommands, type RespReply } from '../../../bench/harness/load/RespClient.js';

/** Each fixture: the bytes of one reply and what it decodes to. */
const fixtures: { name: string; wire: string; reply: RespReply }[] = [
  { name: 'a simple string', wire: '+OK\r\n', reply: 'OK' },
  { name: 'an empty simple string', wire: '+\r\n', reply: '' },
  { name: 'an error', wire: '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', reply: new RespReplyError('WRONGTYPE Operation against a key holding the wrong kind of value') },
  { name: 'an integer', wire: ':1000\r\n', reply: 1000 },
  { name: 'a negative integer', wire: ':-42\r\n', reply: -42 },
  { name: 'an integer beyond 2^53', wire: ':9223372036854775807\r\n', reply: 9223372036854775807n },
  { name: 'a bulk string', wire: '$5\r\nhello\r\n', reply: Buffer.from('hello') },
  { name: 'a bulk string holding CRLF and type bytes', wire: '$8\r\n+\r\n$-1\r\n\r\n', reply: Buffer.from('+\r\n$-1\r\n') },
  { name: 'an empty bulk string', wire: '$0\r\n\r\n', reply: Buffer.alloc(0) },
  { name: 'a null bulk string', wire: '$-1\r\n', reply: null },
  { name: 'an empty array', wire: '*0\r\n', reply: [] },
  { name: 'a null array', wire: '*-1\r\n', reply: null },
  { name: 'a mixed array', wire: '*3\r\n:1\r\n$3\r\nabc\r\n+x\r\n', reply: [1, Buffer.from('abc'), 'x'] },
  { name: 'an array with an error and nulls inside', wire: '*3\r\n-ERR no\r\n$-1\r\n*-1\r\n', reply: [new RespReplyError('ERR no'), null, null] },
  {
    name: 'an XREAD-shaped nested array',
    wire: '*1\r\n*2\r\n$7\r\nbench:1\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nv\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nv\r\n$0\r\n\r\n',
    reply: [[Buffer.from('bench:1'), [[Buffer.from('1-0'), [Buffer.from('v'), Buffer.from('v1')]], [Buffer.from('1-1'), [Buffer.from('v'), Buffer.alloc(0)]]]]],
  },
  { name: 'an array ending in an empty array', wire: '*2\r\n*0\r\n*1\r\n*0\r\n', reply: [[], [[]]] },
];

function decode(chunks: Buffer[]): RespReply[] {
  const replies: RespReply[] = [];
  const parser = new RespParser((reply) => replies.push(reply));
  for (const chunk of chunks) parser.feed(chunk);
  expect(parser.inReply, 'parser still inside a reply').to.equal(false);
  return replies;
}

/** Deep equality that treats Buffers by content and errors by message. */
function same(a: RespReply, b: RespReply): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof RespReplyError || b instanceof RespReplyError) return a instanceof RespReplyError && b instanceof RespReplyError && a.message === b.message && a.prefix === b.prefix;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  return a === b;
}

function expectReplies(actual: RespReply[], expected: RespReply[], context: string): void {
  expect(actual.length, `${context}: reply count`).to.equal(expected.length);
  actual.forEach((reply, i) => expect(same(reply, expected[i]), `${context}: reply ${i}`).to.equal(true));
}

const all = Buffer.from(fixtures.map((f) => f.wire).join(''), 'latin1');
const allReplies = fixtures.map((f) => f.reply);

describe('RespParser', () => {
  for (const fixture of fixtures) {
    it(`decodes ${fixture.name} fed whole, byte by byte, and split at every boundary`, () => {
      const wire = Buffer.from(fixture.wire, 'latin1');
      expectReplies(decode([wire]), [fixture.reply], 'whole');
      expectReplies(decode([...wire].map((b) => Buffer.from([b]))), [fixture.reply], 'byte by byte');
      for (let i = 1; i < wire.length; i++) expectReplies(decode([wire.subarray(0, i), wire.subarray(i)]), [fixture.reply], `split at ${i}`);
    });
  }

  it('decodes every fixture back to back, in order, whole, byte by byte, and split at every boundary', () => {
    expectReplies(decode([all]), allReplies, 'whole');
    expectReplies(decode([...all].map((b) => Buffer.from([b]))), allReplies, 'byte by byte');
    for (let i = 1; i < all.length; i++) expectReplies(decode([all.subarray(0, i), all.subarray(i)]), allReplies, `split at ${i}`);
  });

  it('decodes a stream cut into three pieces at every pair of boundaries', () => {
    const xread = fixtures.find((f) => f.name === 'an XREAD-shaped nested array') as (typeof fixtures)[number];
    const wire = Buffer.from(xread.wire, 'latin1');
    for (let i = 1; i < wire.length; i++) {
      for (let j = i + 1; j < wire.length; j++) {
        expectReplies(decode([wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)]), [xread.reply], `split at ${i} and ${j}`);
      }
    }
  });

  it('gives an error reply its first word as prefix and a codeName', () => {
    const [reply] = decode([Buffer.from('-NOSCRIPT No matching script\r\n')]);
    expect(reply).to.be.instanceOf(RespReplyError);
    expect((reply as RespReplyError).prefix).to.equal('NOSCRIPT');
    expect((reply as RespReplyError).codeName).to.equal('redis:NOSCRIPT');
  });

  it('refuses a bulk string longer than bulkBytesMax from its header, before the body arrives', () => {
    const parser = new RespParser(() => undefined, { lineBytesMax: 64, bulkBytesMax: 10, arrayItemsMax: 10, arrayDepthMax: 4 });
    expect(() => parser.feed(Buffer.from('$11\r\n'))).to.throw(RespClientError, /exceeds 10/);
  });

  it('refuses an unterminated header line longer than lineBytesMax', () => {
    const parser = new RespParser(() => undefined, { lineBytesMax: 16, bulkBytesMax: 10, arrayItemsMax: 10, arrayDepthMax: 4 });
    parser.feed(Buffer.from('+0123456789'));
    expect(() => parser.feed(Buffer.from('0123456789'))).to.throw(RespClientError, /longer than 16/);
  });

  it('refuses arrays nested deeper than arrayDepthMax and arrays longer than arrayItemsMax', () => {
    const limits = { lineBytesMax: 64, bulkBytesMax: 10, arrayItemsMax: 10, arrayDepthMax: 2 };
    expect(() => new RespParser(() => undefined, limits).feed(Buffer.from('*1\r\n*1\r\n*1\r\n'))).to.throw(RespClientError, /nested deeper/);
    expect(() => new RespParser(() => undefined, limits).feed(Buffer.from('*11\r\n'))).to.throw(RespClientError, /exceeds 10/);
  });

  it('refuses an unknown type byte, a bad integer, a bulk string without CRLF, and a line ended by LF alone', () => {
    const bad = ['%1\r\n', ':12a\r\n', '$2\r\nabc\r\n', '+OK\n', '$-2\r\n'];
    for (const wire of bad) {
      expect(() => new RespParser(() => undefined).feed(Buffer.from(wire)), wire).to.throw(RespClientError);
    }
  });

  it('stays failed after a protocol error', () => {
    const parser = new RespParser(() => undefined);
    expect(() => parser.feed(Buffer.from('?\r\n'))).to.throw(RespClientError);
    expect(() => parser.feed(Buffer.from('+OK\r\n'))).to.throw(RespClientError, /already failed/);
  });
});

describe('encodeCommands', () => {
  it('writes each command as an array of bulk strings (golden bytes)', () => {
    const wire = encodeCommands([['XADD', Buffer.from('bench:1'), '*', 'v', Buffer.from([0, 13, 10])], ['PING'], ['SET', 'k', 42]]);
    expect(wire.toString('latin1')).to.equal('*5\r\n$4\r\nXADD\r\n$7\r\nbench:1\r\n$1\r\n*\r\n$1\r\nv\r\n$3\r\n\x00\r\n\r\n*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n');
  });

  it('counts bytes, not characters, of non-ASCII strings', () => {
    expect(encodeCommands([['é']]).toString('utf8')).to.equal('*1\r\n$2\r\né\r\n');
  });
});
