import { oneOf, text, valueFlag, type FlagValues } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import type { Entry } from '../../protocol/batch/EntryBatchCodec.js';
import type { RecordHeader } from '../../protocol/batch/RecordHeader.js';
import { encodingFlag, type Encoding } from '../input/Encoding.js';
import { escapeBytes, isWellFormedUtf8 } from './ByteText.js';
import { compileTemplate, type TemplatePart } from './Template.js';

export type RecordOutputFormat = 'text' | 'json' | 'raw';

/** The flags of commands that print records (scan, tail). */
export const recordOutputFlags = {
  format: valueFlag(
    'format',
    'text|json|raw',
    'text: SEQUENCE<TAB>KEY<TAB>VALUE<TAB>TIME, then <TAB>HEADERS when the record has some, with \\t \\n \\\\ and non-UTF-8 bytes escaped (\\xHH); json: one {"key","sequence","offset","timestamp","value","headers"} per line; raw: each value\'s bytes unchanged, then a newline',
    oneOf<RecordOutputFormat>(['text', 'json', 'raw']),
    { example: '--format json' },
  ),
  encoding: encodingFlag,
  template: valueFlag('template', 'FORMAT', 'print each record as FORMAT, as kcat -f: %k key, %s value, %o sequence, %K and %S their lengths, %T append time (ms), %h headers (n=v,...), %% and \\n \\t escapes', text, {
    short: 'f',
    example: "-f '%T %k=%s %h\\n'",
  }),
};

const newline = Buffer.from('\n');

/** An entry as read (protocol version 2 entries have offset, timestamp and, when present, headers). */
export type PrintedEntry = Pick<Entry, 'key' | 'sequence' | 'value' | 'offset' | 'timestamp' | 'headers'>;

/**
 * Records as the command line asked: text (escaped, or base64 with `--encoding base64`), JSON
 * lines, raw value bytes, or a kcat-style template (its fields escaped like text, or raw bytes
 * with `--format raw`).
 *
 * Text ends each line with the append time (ISO 8601, UTC; `-` from a broker that speaks protocol
 * version 1) and, for a record with headers, a column of them as `%h` writes them. JSON keeps
 * every byte: a key, value or header value that is not well-formed UTF-8 is written in base64
 * and the object says so (`"keyEncoding": "base64"`, `"valueEncoding": "base64"`, a header's
 * `"valueEncoding": "base64"`).
 *
 * @example
 * const printer = RecordPrinter.fromFlags({ format: 'text' });
 * printer.render({ key: Buffer.from('k'), sequence: 7, value: Buffer.from('a\tb'), timestamp: 0 }); // '7\tk\ta\\tb\t1970-01-01T00:00:00.000Z\n'
 */
export class RecordPrinter {
  private readonly template: TemplatePart[] | undefined;

  private constructor(
    private readonly format: RecordOutputFormat,
    private readonly encoding: Encoding,
    template: string | undefined,
  ) {
    this.template = template !== undefined ? compileTemplate(template, '--template') : undefined;
  }

  static fromFlags(flags: Partial<FlagValues<typeof recordOutputFlags>>): RecordPrinter {
    const format = flags.format ?? 'text';
    if (format === 'json' && flags.template !== undefined) throw new UsageError('--template writes its own format; it goes with --format text or raw, not json');
    if (format === 'raw' && flags.encoding !== undefined) throw new UsageError('--format raw writes the bytes unchanged; --encoding does not apply to it');
    return new RecordPrinter(format, flags.encoding ?? 'utf8', flags.template);
  }

  render(entry: PrintedEntry): string | Buffer {
    if (this.template !== undefined) return this.fill(this.template, entry);
    if (this.format === 'raw') return Buffer.concat([entry.value, newline]);
    if (this.format === 'json') return this.json(entry);
    const time = entry.timestamp === undefined ? '-' : new Date(entry.timestamp).toISOString();
    const headers = entry.headers !== undefined && entry.headers.length > 0 ? `\t${this.headersText(entry.headers)}` : '';
    return `${entry.sequence}\t${this.text(entry.key)}\t${this.text(entry.value)}\t${time}${headers}\n`;
  }

  private text(bytes: Buffer): string {
    return this.encoding === 'base64' ? bytes.toString('base64') : escapeBytes(bytes);
  }

  /** `name=value` pairs separated by commas (kcat's `%h`); a null value is the name alone. Names and values escaped as text. */
  private headersText(headers: readonly RecordHeader[]): string {
    return headers.map((h) => (h.value === null ? escapeBytes(Buffer.from(h.name)) : `${escapeBytes(Buffer.from(h.name))}=${this.text(h.value)}`)).join(',');
  }

  private json(entry: PrintedEntry): string {
    const base64 = this.encoding === 'base64';
    const keyBase64 = base64 || !isWellFormedUtf8(entry.key);
    const valueBase64 = base64 || !isWellFormedUtf8(entry.value);
    const record: { [field: string]: unknown } = { key: entry.key.toString(keyBase64 ? 'base64' : 'utf8'), sequence: entry.sequence };
    if (entry.offset !== undefined) record.offset = entry.offset;
    if (entry.timestamp !== undefined) record.timestamp = entry.timestamp;
    record.value = entry.value.toString(valueBase64 ? 'base64' : 'utf8');
    // Said only where the reader could not otherwise tell (utf8 asked, bytes were not UTF-8).
    if (keyBase64 && !base64) record.keyEncoding = 'base64';
    if (valueBase64 && !base64) record.valueEncoding = 'base64';
    if (entry.headers !== undefined && entry.headers.length > 0) {
      record.headers = entry.headers.map((h) => {
        if (h.value === null) return { name: h.name, value: null };
        const headerBase64 = base64 || !isWellFormedUtf8(h.value);
        return headerBase64 && !base64 ? { name: h.name, value: h.value.toString('base64'), valueEncoding: 'base64' } : { name: h.name, value: h.value.toString(headerBase64 ? 'base64' : 'utf8') };
      });
    }
    return JSON.stringify(record) + '\n';
  }

  private fill(parts: readonly TemplatePart[], entry: PrintedEntry): string | Buffer {
    if (this.format === 'raw') {
      return Buffer.concat(parts.map((p) => (p.kind === 'key' ? entry.key : p.kind === 'value' ? entry.value : Buffer.from(this.scalar(p, entry), 'utf8'))));
    }
    let out = '';
    for (const p of parts) out += p.kind === 'key' ? this.text(entry.key) : p.kind === 'value' ? this.text(entry.value) : this.scalar(p, entry);
    return out;
  }

  private scalar(p: TemplatePart, entry: PrintedEntry): string {
    switch (p.kind) {
      case 'text':
        return p.text;
      case 'sequence':
        return String(entry.sequence);
      case 'keyLength':
        return String(entry.key.length);
      case 'valueLength':
        return String(entry.value.length);
      case 'timestamp':
        // kcat prints -1 for a message without a timestamp.
        return String(entry.timestamp ?? -1);
      case 'headers':
        return entry.headers !== undefined ? this.headersText(entry.headers) : '';
      default:
        return '';
    }
  }
}
