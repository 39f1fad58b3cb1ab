import { expect } from 'chai';
import { RespClient, RespClientError, RespReplyError } from '../../../bench/harness/load/RespClient.js';
import { MemoryTransport, settle } from './MemoryTransport.js';

describe('RespClient', () => {
  it('writes pipelined commands together and matches replies first in, first out', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport);
    const a = client.command(['PING']);
    const b = client.pipeline([['GET', 'k'], ['INCR', 'n']]);
    const c = client.command(['ECHO', 'x']);
    await settle();
    expect(transport.written.length, 'coalesced into one write').to.equal(1);
    expect(transport.text()).to.equal('*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n');
    expect(client.pending).to.equal(4);
    transport.serve('+PONG\r\n$-1\r\n:');
    transport.serve('7\r\n$1\r\nx\r\n');
    expect(await a).to.equal('PONG');
    expect(await b).to.deep.equal([null, 7]);
    expect(await c).to.deep.equal(Buffer.from('x'));
    expect(client.pending).to.equal(0);
    await client.close();
  });

  it('rejects a command with RespReplyError on an error reply, but keeps errors as values in a pipeline', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport);
    const single = client.command(['XADD']);
    const piped = client.pipeline([['XADD'], ['PING']]);
    transport.serve("-ERR wrong number of arguments for 'xadd' command\r\n-ERR wrong number\r\n+PONG\r\n");
    const error = await single.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(RespReplyError);
    expect((error as RespReplyError).prefix).to.equal('ERR');
    const replies = await piped;
    expect(replies[0]).to.be.instanceOf(RespReplyError);
    expect(replies[1]).to.equal('PONG');
    await client.close();
  });

  it('refuses commands beyond pendingCommandsMax with QueueFull, sending nothing', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport, { pendingCommandsMax: 3 });
    const first = client.pipeline([['PING'], ['PING']]);
    const refused = await client.pipeline([['PING'], ['PING']]).then(() => undefined, (e: unknown) => e);
    expect(refused).to.be.instanceOf(RespClientError);
    expect((refused as RespClientError).code).to.equal('QueueFull');
    await settle();
    expect(transport.text().match(/PING/g)?.length).to.equal(2);
    transport.serve('+PONG\r\n+PONG\r\n');
    expect(await first).to.deep.equal(['PONG', 'PONG']);
    await client.close();
  });

  it('fails every pending command with Timeout and closes when a reply is overdue', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport, { commandTimeoutMs: 30 });
    const a = client.command(['PING']).then(() => undefined, (e: unknown) => e);
    const b = client.command(['PING'], { timeoutMs: 0 }).then(() => undefined, (e: unknown) => e);
    const [ea, eb] = await Promise.all([a, b]);
    expect((ea as RespClientError).code).to.equal('Timeout');
    expect((eb as RespClientError).code).to.equal('Timeout');
    expect(transport.destroyed).to.equal(true);
    const after = await client.command(['PING']).then(() => undefined, (e: unknown) => e);
    expect((after as RespClientError).code).to.equal('Timeout');
  });

  it('waits forever for a command given timeoutMs 0 when nothing else is pending', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport, { commandTimeoutMs: 20 });
    const blocking = client.command(['XREAD', 'BLOCK', 0], { timeoutMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    transport.serve('*-1\r\n');
    expect(await blocking).to.equal(null);
    await client.close();
  });

  it('fails pending commands with Closed on close() and when the connection drops', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport);
    const pending = client.command(['PING']).then(() => undefined, (e: unknown) => e);
    await client.close();
    expect((await pending as RespClientError).code).to.equal('Closed');

    const transport2 = new MemoryTransport();
    const client2 = new RespClient(transport2);
    const pending2 = client2.command(['PING']).then(() => undefined, (e: unknown) => e);
    transport2.destroy();
    expect((await pending2 as RespClientError).code).to.equal('Closed');
  });

  it('fails with Protocol on a reply nobody asked for or on malformed bytes', async () => {
    const transport = new MemoryTransport();
    const client = new RespClient(transport);
    transport.serve('+surprise\r\n');
    await settle();
    expect(((await client.command(['PING']).then(() => undefined, (e: unknown) => e)) as RespClientError).code).to.equal('Protocol');

    const transport2 = new MemoryTransport();
    const client2 = new RespClient(transport2);
    const pending = client2.command(['PING']).then(() => undefined, (e: unknown) => e);
    transport2.serve('!bad\r\n');
    expect(((await pending) as RespClientError).code).to.equal('Protocol');
  });
});
