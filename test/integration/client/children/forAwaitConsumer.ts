/**
 * A user's script, as the README writes it: connect, subscribe, and `for await` over the consumer
 * as the only work at top level. Nothing else keeps the process alive (no stdin, no timers), so
 * the process lives exactly as long as the client does.
 *
 * Usage: node forAwaitConsumer.js '{"broker":"H:P","keys":["k"],"from":"earliest",...}'
 *
 * Prints one JSON line per event: {"event":"subscribed"}, {"event":"entry","sequence","value"},
 * {"event":"ended"} when the loop returns, {"event":"error","name","message"} when it throws
 * (then exit code 1), {"event":"closed"} once `client.close()` resolved. SIGUSR2 closes the client.
 */
import { OdlogClient, type ClientOptions, type ConsumerOptions } from '../../../../clients/index.js';

interface ChildOptions {
  readonly broker: string;
  readonly keys: string[];
  readonly from?: ConsumerOptions['from'];
  readonly windowRecords?: number;
  readonly reconnect?: ClientOptions['reconnect'];
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const client = await OdlogClient.connect({ broker: options.broker, reconnect: options.reconnect });
process.on('SIGUSR2', () => {
  void Promise.resolve(client.close()).then(() => say({ event: 'closed' }));
});
const consumer = await client.subscribe({ keys: options.keys, from: options.from ?? 'earliest', windowRecords: options.windowRecords });
say({ event: 'subscribed' });
try {
  for await (const entry of consumer) say({ event: 'entry', sequence: entry.sequence, value: entry.value.toString() });
  say({ event: 'ended' });
} catch (error) {
  say({ event: 'error', name: (error as Error).name, message: (error as Error).message });
  process.exitCode = 1;
}
