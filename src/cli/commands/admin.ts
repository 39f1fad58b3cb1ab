import { enumOption, intOption, stringOption, UsageError, type CliArgs } from '../CliArgs.js';
import { connectClient } from '../connect.js';
import { toPrometheus } from '../PrometheusFormat.js';

/** `odlog count KEY [--from SEQ] [--to SEQ]` */
export async function count(args: CliArgs): Promise<number> {
  const key = args.positionals[0];
  if (key === undefined) throw new UsageError('usage: odlog count KEY [--from SEQ] [--to SEQ]');
  const client = await connectClient(args);
  try {
    console.log(await client.count(key, { start: intOption(args, 'from'), end: intOption(args, 'to') }));
    return 0;
  } finally {
    client.close();
  }
}

/** `odlog keys [--prefix P] [--limit N]` */
export async function keys(args: CliArgs): Promise<number> {
  const format = enumOption(args, 'format', ['text', 'json'], 'text');
  const encoding = enumOption(args, 'encoding', ['utf8', 'base64'], 'utf8');
  const limit = intOption(args, 'limit') ?? Number.MAX_SAFE_INTEGER;
  const client = await connectClient(args);
  try {
    let n = 0;
    for await (const key of client.keys({ prefix: stringOption(args, 'prefix') })) {
      if (n++ >= limit) break;
      const text = key.toString(encoding);
      console.log(format === 'json' ? JSON.stringify({ key: text }) : text);
    }
    return 0;
  } finally {
    client.close();
  }
}

/** `odlog segments [--from SEQ] [--to SEQ]` */
export async function segments(args: CliArgs): Promise<number> {
  const format = enumOption(args, 'format', ['text', 'json'], 'text');
  const client = await connectClient(args);
  try {
    const list = await client.listSegments({ start: intOption(args, 'from'), end: intOption(args, 'to') });
    if (format === 'json') for (const s of list) console.log(JSON.stringify(s));
    else {
      console.log(['id', 'start_seq', 'end_seq', 'records', 'bytes', 'sealed', 'started'].join('\t'));
      for (const s of list) console.log([s.id, s.startSeq, s.endSeq, s.records, s.bytes, s.sealed ? 'yes' : 'no', new Date(s.startTimeMs).toISOString()].join('\t'));
    }
    return 0;
  } finally {
    client.close();
  }
}

/** `odlog seal` */
export async function seal(args: CliArgs): Promise<number> {
  const client = await connectClient(args);
  try {
    await client.seal();
    console.log('sealed the active segment');
    return 0;
  } finally {
    client.close();
  }
}

/** `odlog stats [--format text|json|prometheus]` */
export async function stats(args: CliArgs): Promise<number> {
  const format = enumOption(args, 'format', ['text', 'json', 'prometheus'], 'text');
  const client = await connectClient(args);
  try {
    const s = await client.stats();
    if (format === 'json') console.log(JSON.stringify(s));
    else if (format === 'prometheus') process.stdout.write(toPrometheus(s));
    else {
      const { cursors, ...rest } = s;
      for (const [name, value] of Object.entries(rest)) console.log(`${name.padEnd(24)} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : value}`);
      for (const c of cursors) console.log(`cursor ${c.name.padEnd(17)} sequence ${c.sequence}, lag ${c.lagIsLowerBound ? '>=' : ''}${c.lagRecords} records`);
    }
    return 0;
  } finally {
    client.close();
  }
}
