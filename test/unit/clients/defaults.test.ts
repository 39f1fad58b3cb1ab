import { expect } from 'chai';
import { BrokerConnection } from '../../../clients/BrokerConnection.js';
import type { ConnectionEventMap } from '../../../clients/ConnectionEvents.js';
import { ConnectionError, ThrottledError } from '../../../clients/errors.js';
import { limits } from '../../../src/limits.js';
import { Ping } from '../../../src/protocol/messages/ping.js';
import { rejectionOf } from '../../support/ClientHelpers.js';
import { FakeBroker } from './FakeBroker.js';
import { waitUntil } from './clientTestKit.js';

describe("unit: the client's defaults are the bounds in src/limits.ts", () => {
  let broker: FakeBroker;
  let connection: BrokerConnection | undefined;
  beforeEach(() => {
    broker = new FakeBroker();
  });
  afterEach(() => connection?.close());

  it('connects with clientConnectTimeoutMs', async () => {
    connection = await BrokerConnection.open({ transports: broker.transports() });
    expect(broker.connectTimeoutsMs).to.deep.equal([limits.clientConnectTimeoutMs]);
  });

  it('refuses requests beyond clientPendingRequestsMax', async () => {
    connection = await BrokerConnection.open({ transports: broker.transports() });
    broker.policy = () => 'hold';
    const pending = Array.from({ length: limits.clientPendingRequestsMax }, (_, i) => connection?.request(Ping, { timeMs: i }).catch(() => undefined));
    const error = await rejectionOf(connection.request(Ping, { timeMs: -1 }));
    expect(error).to.be.instanceOf(ThrottledError);
    expect(error.message).to.match(new RegExp(`^${limits.clientPendingRequestsMax} requests are already pending`));
    connection.close();
    await Promise.all(pending);
  });

  it('refuses a response frame longer than clientFrameBytesMax from its length field', async () => {
    connection = await BrokerConnection.open({ transports: broker.transports() });
    broker.policy = () => 'hold';
    const ping = connection.request(Ping, { timeMs: 1 });
    await waitUntil(() => broker.held.length === 1, 'the ping');
    const header = Buffer.alloc(12);
    header.writeUInt32BE(limits.clientFrameBytesMax + 1, 0);
    header.writeUInt8(Ping.type, 4);
    header.writeUInt8(1, 5);
    header.writeUInt16BE(1, 6);
    header.writeUInt32BE(broker.held[0].correlationId, 8);
    broker.held[0].connection.toClient(header);
    const error = await rejectionOf(ping);
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.message).to.equal(`the broker's response of ${limits.clientFrameBytesMax + 1} bytes is over this client's frameBytesMax`);
  });

  it('waits clientReconnectDelayInitialMs (jittered into its upper half) before the first reconnect', async () => {
    connection = await BrokerConnection.open({ transports: broker.transports() });
    const first = new Promise<Parameters<ConnectionEventMap['reconnecting']>[0]>((resolve) => connection?.on('reconnecting', resolve));
    broker.stop();
    const { delayMs } = await first;
    expect(delayMs).to.be.within(limits.clientReconnectDelayInitialMs / 2, limits.clientReconnectDelayInitialMs);
    expect(limits.clientReconnectDelayMaxMs).to.be.at.least(limits.clientReconnectDelayInitialMs);
  });
});
