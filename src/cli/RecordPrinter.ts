import type { CliArgs } from './CliArgs.js';
import { enumOption } from './CliArgs.js';

export type OutputFormat = 'text' | 'json';
export type ValueEncoding = 'utf8' | 'base64';

/**
 * Prints records one per line: text is `sequence<TAB>key<TAB>value`; json is
 * `{"key","sequence","value"}` per line, with keys and values as UTF-8, or base64 with
 * `--encoding base64` (for binary data).
 */
export class RecordPrinter {
  private readonly format: OutputFormat;
  private readonly encoding: ValueEncoding;

  constructor(args: CliArgs, private readonly out: (line: string) => void = (line) => process.stdout.write(line + '\n')) {
    this.format = enumOption(args, 'format', ['text', 'json'], 'text');
    this.encoding = enumOption(args, 'encoding', ['utf8', 'base64'], 'utf8');
  }

  print(key: Buffer, sequence: number, value: Buffer): void {
    const k = key.toString(this.encoding);
    const v = value.toString(this.encoding);
    if (this.format === 'json') this.out(JSON.stringify({ key: k, sequence, value: v }));
    else this.out(`${sequence}\t${k}\t${v}`);
  }
}
