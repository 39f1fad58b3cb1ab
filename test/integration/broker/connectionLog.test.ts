import { expect } from 'chai';
import { encodeRawFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { waitFor } from '../../support/LogFixture.js';
import { RawConnection } from '../../support/RawConnection.js';

type Fields = { [name: string]: string };

/** The log lines of `event`, as field maps (values unquoted). */
function events(stderr: string, event: string): Fields[] {
  const out: Fields[] = [];
  for (const line of stderr.split('\n')) {
    const m = new RegExp(`^\\S+ (?:debug|info|warn|error) ${event}( .*)?$`).exec(line);
    if (m === null) continue;
    const fields: Fields = {};
    for (const f of (m[1] ?? '').matchAll(/ ([a-zA-Z]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) fields[f[1]] = f[2].startsWith('"') ? (JSON.parse(f[2]) as string) : f[2];
    out.push(fields);
  }
  return out;
}

describe('broker: the debug log pairs connection_opened with connection_closed, whatever closes the connection', function () {
  this.timeout(30_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  it('logs one connection_closed per connection_opened, with duration, requests, bytes in and out, and the reason', async () => {
    const broker = await fixture.start(['--log-level', 'debug', '--idle-timeout-ms', '1500', '--partial-frame-timeout-ms', '500']);
    // Closed by the client after two requests.
    const polite = await fixture.client(broker.address, { reconnect: false });
    await polite.ping();
    await polite.close();
    // Cut off for a protocol violation (correlation id 0).
    const violator = await RawConnection.open(broker.port, broker.host);
    await violator.write(encodeRawFrame({ messageType: MessageType.Ping, version: protocolVersion, flags: 0, correlationId: 0 }, violator.encode(Ping, { timeMs: 1 }).subarray(12)));
    await violator.whenClosed;
    // Cut off when idle, and when a frame never completes.
    const idle = await RawConnection.open(broker.port, broker.host);
    const partial = await RawConnection.open(broker.port, broker.host);
    await partial.write(Buffer.from([0, 0, 0, 20, 2]));
    await Promise.all([idle.whenClosed, partial.whenClosed]);
    // Still open at shutdown.
    const stayer = await RawConnection.open(broker.port, broker.host);
    await stayer.request(Ping, { timeMs: 2 });
    await waitFor(() => events(broker.stderr, 'connection_closed').length >= 4, 'four connections to be logged as closed');
    expect(await broker.stop()).to.equal(0);

    const opened = events(broker.stderr, 'connection_opened');
    const closed = events(broker.stderr, 'connection_closed');
    expect(opened.map((f) => f.connection)).to.deep.equal(['1', '2', '3', '4', '5']);
    expect(closed.map((f) => f.connection).sort()).to.deep.equal(['1', '2', '3', '4', '5']);
    for (const f of closed) {
      for (const field of ['remote', 'durationMs', 'requests', 'bytesIn', 'bytesOut', 'reason']) expect(f[field], `connection ${f.connection}: ${field}`).to.not.equal(undefined);
      expect(Number(f.durationMs)).to.be.at.least(0);
    }
    const byId = new Map(closed.map((f) => [f.connection, f]));
    expect(byId.get('1')).to.deep.include({ requests: '2', reason: 'closed by the client' });
    expect(Number(byId.get('1')?.bytesIn)).to.be.greaterThan(0);
    expect(Number(byId.get('1')?.bytesOut)).to.be.greaterThan(0);
    expect(byId.get('2')?.reason).to.match(/^protocol violation: correlation id 0/);
    expect(byId.get('3')).to.deep.include({ requests: '0', bytesIn: '0', bytesOut: '0', reason: 'idle' });
    expect(byId.get('4')?.reason).to.match(/a frame did not complete within 500 ms/);
    expect(byId.get('4')?.bytesIn).to.equal('5');
    expect(byId.get('5')).to.deep.include({ requests: '1', reason: 'broker shutdown' });
  });
});
