import { intOption, stringOption, UsageError, type CliArgs } from '../CliArgs.js';
import { connectClient } from '../connect.js';
import { RecordPrinter } from '../RecordPrinter.js';

/** `odlog scan KEY [--from SEQ] [--to SEQ] [--limit N]` */
export async function scan(args: CliArgs): Promise<number> {
  const key = args.positionals[0];
  if (key === undefined) throw new UsageError('usage: odlog scan KEY [--from SEQ] [--to SEQ] [--limit N] [--format text|json] [--encoding utf8|base64]');
  const printer = new RecordPrinter(args);
  const limit = intOption(args, 'limit') ?? Number.MAX_SAFE_INTEGER;
  const client = await connectClient(args);
  try {
    const keyBytes = Buffer.from(key, 'utf8');
    let printed = 0;
    for await (const entry of client.scanAll(key, { start: intOption(args, 'from'), end: intOption(args, 'to') })) {
      if (printed++ >= limit) break;
      printer.print(keyBytes, entry.sequence, entry.value);
    }
    return 0;
  } finally {
    client.close();
  }
}

/** `odlog tail KEY... | --prefix P [--from earliest|latest|SEQ] [--cursor NAME] [--count N]` */
export async function tail(args: CliArgs): Promise<number> {
  const prefix = stringOption(args, 'prefix');
  if ((args.positionals.length === 0) === (prefix === undefined)) {
    throw new UsageError('usage: odlog tail KEY... | --prefix PREFIX [--from earliest|latest|SEQ] [--cursor NAME] [--count N] [--format text|json]');
  }
  const fromText = stringOption(args, 'from') ?? 'latest';
  let from: 'earliest' | 'latest' | number;
  if (fromText === 'earliest' || fromText === 'latest') from = fromText;
  else if (/^\d+$/.test(fromText)) from = Number(fromText);
  else throw new UsageError(`--from is earliest, latest or a sequence, got ${JSON.stringify(fromText)}`);
  const cursor = stringOption(args, 'cursor');
  const stopAfter = intOption(args, 'count') ?? Number.POSITIVE_INFINITY;
  const printer = new RecordPrinter(args);
  const client = await connectClient(args);
  const consumer = await client.subscribe(prefix !== undefined ? { prefix, from, cursor } : { keys: args.positionals, from, cursor });
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    void consumer.return();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let seen = 0;
  let lastCommit = Date.now();
  try {
    for await (const entry of consumer) {
      printer.print(entry.key, entry.sequence, entry.value);
      if (cursor !== undefined && Date.now() - lastCommit >= 1000) {
        await consumer.commit();
        lastCommit = Date.now();
      }
      if (++seen >= stopAfter) break;
    }
  } finally {
    if (cursor !== undefined) await consumer.commit().catch(() => undefined);
    if (!stopping) await consumer.close();
    client.close();
  }
  return 0;
}
