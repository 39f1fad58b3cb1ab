import { open } from 'node:fs/promises';
import type { OdlogClient } from '../../../clients/OdlogClient.js';
import { InvalidArgumentError } from '../../../clients/errors.js';
import { checkHeaders } from '../../../clients/RecordInput.js';
import type { RecordHeaderInput } from '../../protocol/batch/RecordHeader.js';
import { listFlag, oneOf, text, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { limits } from '../../limits.js';
import type { BrokerLimits } from '../../protocol/messages/hello.js';
import { defineCommand } from '../Command.js';
import { CliError, fileProblem, InputDataError, InputFileError } from '../CliError.js';
import { connectClient, connectionFlags } from '../connect.js';
import { decodeText, encodingFlag, type Encoding } from '../input/Encoding.js';
import { LineTooLongError, readLines, type InputLine } from '../input/LineReader.js';
import { escapeBytes } from '../output/ByteText.js';
import { Output } from '../output/Output.js';

const flags = {
  value: valueFlag('value', 'VALUE', 'append one record with this value (without it: one record per input line)', text, { example: "--value '{\"id\":1}'" }),
  keyDelimiter: valueFlag('key-delimiter', 'DELIM', 'each input line is KEY DELIM VALUE (split at the first DELIM; as kcat -K); many keys in one run', text, { short: 'K', example: '-K:' }),
  file: valueFlag('file', 'FILE', 'read the lines from FILE instead of stdin (as kcat -l)', text, { short: 'l', example: '--file events.txt' }),
  header: listFlag('header', 'NAME=VALUE', 'add this header to every record appended (repeatable, in order; NAME alone: a null value; VALUE follows --encoding), as kcat -H', readHeader, { short: 'H', example: '-H trace-id=abc -H source=import' }),
  encoding: encodingFlag,
  format: valueFlag('format', 'text|json', 'how the report is printed', oneOf(['text', 'json'] as const)),
  ...connectionFlags,
};

const usage = 'odlog produce KEY [--value VALUE] | odlog produce -K DELIM [--file FILE]';

/** `-H NAME=VALUE` (split at the first `=`), or `-H NAME` for a null value. */
function readHeader(text: string, flag: string): { name: string; value: string | null } {
  const at = text.indexOf('=');
  const name = at < 0 ? text : text.slice(0, at);
  if (name.length === 0) throw new UsageError(`${flag} is NAME=VALUE (or NAME alone, for a null value), got ${JSON.stringify(text)}`);
  return { name, value: at < 0 ? null : text.slice(at + 1) };
}

/** The -H headers as bytes, checked as the broker checks them (a mistake is a usage error, before anything is sent). */
function headersOf(given: readonly { name: string; value: string | null }[] | undefined, encoding: Encoding): RecordHeaderInput[] | undefined {
  if (given === undefined || given.length === 0) return undefined;
  const decoded = given.map((h, i) => ({ name: h.name, value: h.value === null ? null : decodeText(h.value, encoding, `-H ${JSON.stringify(h.name)} (header ${i + 1})`) }));
  try {
    return checkHeaders(decoded, '-H');
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

/** A record taken from the input, or why the line cannot be one. */
type Parsed = { readonly key: Buffer; readonly value: Buffer } | { readonly problem: string };

/** What was appended so far: count and the highest sequence, with the keys touched. */
class Tally {
  count = 0;
  first = -1;
  last = -1;
  readonly keys = new Set<string>();

  add(key: Buffer, sequence: number): void {
    this.count++;
    if (this.first < 0 || sequence < this.first) this.first = sequence;
    if (sequence > this.last) this.last = sequence;
    if (this.keys.size < 2) this.keys.add(key.toString('latin1'));
  }

  /** `appended 2 records before it (last sequence 41)`, or `appended nothing before it`. */
  summary(where = ''): string {
    return this.count === 0 ? `appended nothing${where}` : `appended ${this.count} record${this.count === 1 ? '' : 's'}${where} (last sequence ${this.last})`;
  }
}

function lineParser(limits: BrokerLimits, encoding: Encoding, key: Buffer | undefined, delimiter: Buffer | undefined): (line: InputLine) => Parsed {
  const field = (bytes: Buffer, what: string): Buffer => (encoding === 'utf8' ? bytes : decodeText(bytes.toString('utf8'), 'base64', what));
  return (line) => {
    let k: Buffer;
    let v: Buffer;
    try {
      if (delimiter === undefined) {
        k = key as Buffer;
        v = field(line.bytes, 'its value');
      } else {
        const at = line.bytes.indexOf(delimiter);
        if (at < 0) return { problem: `it has no key delimiter ${JSON.stringify(delimiter.toString('utf8'))} (with -K, every line is KEY${delimiter.toString('utf8')}VALUE)` };
        k = field(line.bytes.subarray(0, at), 'its key');
        v = field(line.bytes.subarray(at + delimiter.length), 'its value');
      }
    } catch (error) {
      if (error instanceof InputDataError) return { problem: error.message };
      throw error;
    }
    if (k.length === 0) return { problem: 'its key is empty' };
    if (k.length > limits.keyBytesMax) return { problem: `its key is ${k.length} bytes, over the broker's keyBytesMax of ${limits.keyBytesMax}` };
    if (v.length > limits.valueBytesMax) return { problem: `its value is ${v.length} bytes, over the broker's valueBytesMax of ${limits.valueBytesMax}` };
    return { key: k, value: v };
  };
}

/**
 * Send one record per line, in order, through a batching producer. Reading stops at the first line
 * that cannot be a record (nothing after it is sent) or once the broker refused a batch (batches
 * already sent complete); the tally counts exactly what was appended.
 */
async function sendLines(client: OdlogClient, input: AsyncIterable<Buffer>, parse: (line: InputLine) => Parsed, tally: Tally, lineBytesMax: number, headers: readonly RecordHeaderInput[] | undefined): Promise<{ line: number; problem: string; refused: boolean } | undefined> {
  const producer = client.producer({ lingerMs: 5 });
  let failure: { line: number; problem: string; refused: boolean } | undefined;
  let inFlight = 0;
  let room: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    if (room !== undefined && inFlight < limits.cliProduceRecordsInFlightMax) {
      const wake = room;
      room = undefined;
      wake();
    }
  };
  try {
    for await (const line of readLines(input, lineBytesMax)) {
      if (failure !== undefined) break;
      const record = parse(line);
      if ('problem' in record) {
        failure = { line: line.number, problem: record.problem, refused: false };
        break;
      }
      inFlight++;
      producer.send(record.key, record.value, headers).then(
        (sequence) => {
          tally.add(record.key, sequence);
          settled();
        },
        (error: unknown) => {
          if (failure === undefined || (failure.refused && line.number < failure.line)) failure = { line: line.number, problem: `the broker refused the batch holding it: ${(error as Error).message}`, refused: true };
          settled();
        },
      );
      if (inFlight >= limits.cliProduceRecordsInFlightMax) await new Promise<void>((resolve) => (room = resolve));
    }
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    failure = { line: error.lineNumber, problem: `it is longer than ${error.bytesMax} bytes, more than a key and a value may hold`, refused: false };
  }
  await producer.flush();
  while (inFlight > 0) await new Promise<void>((resolve) => (room = resolve));
  await producer.close();
  return failure;
}

async function openInput(file: string | undefined): Promise<AsyncIterable<Buffer>> {
  if (file === undefined || file === '-') return process.stdin;
  try {
    // Opened before connecting, so a wrong name fails at once and alone.
    const handle = await open(file, 'r');
    return handle.createReadStream();
  } catch (error) {
    throw new InputFileError(`cannot read --file ${file} (${fileProblem(error)})`);
  }
}

/** `odlog produce`: append one record (`--value`), or one per line of stdin or a file. */
export const produceCommand = defineCommand({
  name: 'produce',
  usage: 'KEY [--value VALUE] [options]  |  -K DELIM [options]',
  summary: 'Append one record (--value), or one per input line, to KEY or to each line\'s key (-K).',
  description:
    'Lines come from stdin or --file; a trailing \\r is dropped. It prints how many records were appended and the last sequence.\n' +
    'A line that cannot be a record (no delimiter, bad base64, too large) stops it: the lines before it are appended, nothing after it is sent, and it exits 65 naming the line.',
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 1,
  examples: [
    "odlog produce orders --value '{\"id\":1}'",
    'seq 1 1000 | odlog produce orders',
    "printf 'orders:created\\npayments:settled\\n' | odlog produce -K:",
    'odlog produce -K: --file events.txt',
    "odlog produce orders --value '{\"id\":1}' -H trace-id=abc -H source=cli",
    'odlog produce "$(printf \'k\\0\\377\' | base64)" --value aGk= --encoding base64',
  ],
  async run({ flags: f, positionals }) {
    const encoding = f.encoding ?? 'utf8';
    const delimiter = f.keyDelimiter !== undefined ? Buffer.from(f.keyDelimiter, 'utf8') : undefined;
    if (delimiter !== undefined && delimiter.length === 0) throw new UsageError('--key-delimiter must not be empty');
    if ((positionals.length === 1) === (delimiter !== undefined)) throw new UsageError(`give KEY, or -K DELIM to read the key from each line (not both); usage: ${usage}`);
    if (f.value !== undefined && (delimiter !== undefined || f.file !== undefined)) throw new UsageError('--value appends one record; it does not go with -K or --file');
    const key = positionals[0] !== undefined ? decodeText(positionals[0], encoding, 'KEY') : undefined;
    const value = f.value !== undefined ? decodeText(f.value, encoding, '--value') : undefined;
    const headers = headersOf(f.header, encoding);
    const input = value === undefined ? await openInput(f.file) : undefined;
    const out = new Output(process.stdout);
    const tally = new Tally();
    const client = await connectClient(f);
    let failure: { line: number; problem: string; refused: boolean } | undefined;
    try {
      if (headers !== undefined && client.protocolVersion < 2) throw new CliError(`-H needs a broker that speaks protocol version 2 (this one speaks ${client.protocolVersion}): records have headers from version 2 on`, 1);
      if (value !== undefined && key !== undefined) {
        const result = await client.append([{ key, value, headers }]);
        tally.add(key, result.startSequence);
      } else {
        const brokerLimits = client.connection.hello.limits;
        // Long enough for any key and value in base64 and a delimiter; a longer line is refused unread.
        const lineBytesMax = Math.ceil(((brokerLimits.keyBytesMax + brokerLimits.valueBytesMax) * 4) / 3) + 64 + (delimiter?.length ?? 0);
        failure = await sendLines(client, input as AsyncIterable<Buffer>, lineParser(brokerLimits, encoding, key, delimiter), tally, lineBytesMax, headers);
      }
    } finally {
      await client.close();
    }
    const keyText = key !== undefined ? escapeBytes(key) : undefined;
    if (f.format === 'json') {
      const report: { [field: string]: unknown } = {
        key: key !== undefined ? key.toString(encoding === 'base64' ? 'base64' : 'utf8') : null,
        count: tally.count,
        firstSequence: tally.count > 0 ? tally.first : null,
        lastSequence: tally.count > 0 ? tally.last : null,
      };
      if (failure !== undefined) report.error = { line: failure.line, message: failure.problem };
      out.write(JSON.stringify(report) + '\n');
    } else if (failure === undefined) {
      const where = keyText !== undefined ? ` to ${keyText}` : tally.keys.size === 1 ? ` to ${escapeBytes(Buffer.from([...tally.keys][0], 'latin1'))}` : tally.count > 0 ? ' to several keys' : '';
      out.write(tally.count === 0 ? `appended nothing${where}\n` : `appended ${tally.count} record${tally.count === 1 ? '' : 's'}${where} (${tally.count === 1 ? 'sequence' : 'last sequence'} ${tally.last})\n`);
    }
    await out.end();
    if (failure === undefined) return 0;
    if (failure.refused) {
      throw new CliError(`line ${failure.line}: ${failure.problem}; ${tally.summary()}; reading stopped there, and lines after it that were already sent may be among those appended`, 1);
    }
    throw new InputDataError(`line ${failure.line}: ${failure.problem}; ${tally.summary(' before it')}; nothing after line ${failure.line} was sent`);
  },
});
