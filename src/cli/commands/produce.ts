import { createInterface } from 'node:readline';
import { enumOption, stringOption, UsageError, type CliArgs } from '../CliArgs.js';
import { connectClient } from '../connect.js';

/** `odlog produce KEY [--value V]`: one record, or one per stdin line. */
export async function produce(args: CliArgs): Promise<number> {
  const key = args.positionals[0];
  if (key === undefined) throw new UsageError('usage: odlog produce KEY [--value VALUE] [--encoding utf8|base64]  (without --value: one record per stdin line)');
  const encoding = enumOption(args, 'encoding', ['utf8', 'base64'], 'utf8');
  const format = enumOption(args, 'format', ['text', 'json'], 'text');
  const decode = (text: string): Buffer => Buffer.from(text, encoding);
  const client = await connectClient(args);
  try {
    const value = stringOption(args, 'value');
    let first = -1;
    let last = -1;
    let count = 0;
    if (value !== undefined) {
      const result = await client.append([{ key, value: decode(value) }]);
      first = last = result.startSequence;
      count = 1;
    } else {
      const producer = client.producer({ lingerMs: 5 });
      const pending: Promise<number>[] = [];
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        pending.push(producer.send(key, decode(line)));
        if (pending.length >= 10_000) {
          for (const s of await Promise.all(pending.splice(0))) {
            if (first < 0) first = s;
            last = s;
            count++;
          }
        }
      }
      for (const s of await Promise.all(pending)) {
        if (first < 0) first = s;
        last = s;
        count++;
      }
      await producer.close();
    }
    if (format === 'json') console.log(JSON.stringify({ key, count, firstSequence: count > 0 ? first : null, lastSequence: count > 0 ? last : null }));
    else console.log(count === 0 ? `appended nothing to ${key}` : `appended ${count} record${count === 1 ? '' : 's'} to ${key} (sequence${count === 1 ? ` ${first}` : `s ${first}..${last}`})`);
    return 0;
  } finally {
    client.close();
  }
}
