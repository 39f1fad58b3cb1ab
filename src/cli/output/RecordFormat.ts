import { oneOf, text, valueFlag, type FlagValues } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { encodingFlag, type Encoding } from '../input/Encoding.js';
import { escapeBytes, isWellFormedUtf8 } from './ByteText.js';
import { compileTemplate, type TemplatePart } from './Template.js';

export type RecordOutputFormat = 'text' | 'json' | 'raw';

/** The flags of commands that print records (scan, tail). */
export const recordOutputFlags = {
  format: valueFlag(
    'format',
    'text|json|raw',
    'text: SEQUENCE<TAB>KEY<TAB>VALUE per line, with \\t \\n \\\\ and non-UTF-8 bytes escaped (\\xHH); json: one {"key","sequence","value"} per line; raw: each value\'s bytes unchanged, then a newline',
    oneOf<RecordOutputFormat>(['text', 'json', 'raw']),
    { example: '--format json' },
  ),
  encoding: encodingFlag,
  template: valueFlag('template', 'FORMAT', 'print each record as FORMAT, as kcat -f: %k key, %s value, %o sequence, %K and %S their lengths, %% and \\n \\t escapes', text, {
    short: 'f',
    example: "-f '%o %k=%s\\n'",
  }),
};

const newline = Buffer.from('\n');

/**
 * Records as the command line asked: text (escaped, or base64 with `--encoding base64`), JSON
 * lines, raw value bytes, or a kcat-style template (its fields escaped like text, or raw bytes
 * with `--format raw`).
 *
 * JSON keeps every byte: a key or value that is not well-formed UTF-8 is written in base64 and
 * the object says so (`"keyEncoding": "base64"`, `"valueEncoding": "base64"`).
 *
 * @example
 * const printer = RecordPrinter.fromFlags({ format: 'text' });
 * printer.render(Buffer.from('k'), 7, Buffer.from('a\tb')); // '7\tk\ta\\tb\n'
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

  render(key: Buffer, sequence: number, value: Buffer): string | Buffer {
    if (this.template !== undefined) return this.fill(this.template, key, sequence, value);
    if (this.format === 'raw') return Buffer.concat([value, newline]);
    if (this.format === 'json') return this.json(key, sequence, value);
    return `${sequence}\t${this.text(key)}\t${this.text(value)}\n`;
  }

  private text(bytes: Buffer): string {
    return this.encoding === 'base64' ? bytes.toString('base64') : escapeBytes(bytes);
  }

  private json(key: Buffer, sequence: number, value: Buffer): string {
    const base64 = this.encoding === 'base64';
    const keyBase64 = base64 || !isWellFormedUtf8(key);
    const valueBase64 = base64 || !isWellFormedUtf8(value);
    const record: { [field: string]: string | number } = {
      key: key.toString(keyBase64 ? 'base64' : 'utf8'),
      sequence,
      value: value.toString(valueBase64 ? 'base64' : 'utf8'),
    };
    // Said only where the reader could not otherwise tell (utf8 asked, bytes were not UTF-8).
    if (keyBase64 && !base64) record.keyEncoding = 'base64';
    if (valueBase64 && !base64) record.valueEncoding = 'base64';
    return JSON.stringify(record) + '\n';
  }

  private fill(parts: readonly TemplatePart[], key: Buffer, sequence: number, value: Buffer): string | Buffer {
    if (this.format === 'raw') {
      return Buffer.concat(parts.map((p) => (p.kind === 'key' ? key : p.kind === 'value' ? value : Buffer.from(this.scalar(p, key, sequence, value), 'utf8'))));
    }
    let out = '';
    for (const p of parts) out += p.kind === 'key' ? this.text(key) : p.kind === 'value' ? this.text(value) : this.scalar(p, key, sequence, value);
    return out;
  }

  private scalar(p: TemplatePart, key: Buffer, sequence: number, value: Buffer): string {
    switch (p.kind) {
      case 'text':
        return p.text;
      case 'sequence':
        return String(sequence);
      case 'keyLength':
        return String(key.length);
      case 'valueLength':
        return String(value.length);
      default:
        return '';
    }
  }
}
