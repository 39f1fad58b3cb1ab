import { oneOf, valueFlag } from '../../args/Flag.js';
import { InputDataError } from '../CliError.js';

export type Encoding = 'utf8' | 'base64';

/** `--encoding`: how keys and values are written, everywhere a command reads or prints them. */
export const encodingFlag = valueFlag(
  'encoding',
  'utf8|base64',
  'how keys and values are written on the command line, in input lines and in output: utf8 text (default), or base64 for binary data',
  oneOf<Encoding>(['utf8', 'base64']),
  { example: '--encoding base64' },
);

const base64Text = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A key or value as the user wrote it, to bytes: UTF-8, or standard base64 (padding optional).
 * Anything that is not base64 is refused, never decoded into truncated bytes. `what` names it
 * in the message (`--value`, `line 3`).
 *
 * @example
 * decodeText('aGk=', 'base64', '--value'); // <Buffer 68 69>
 */
export function decodeText(text: string, encoding: Encoding, what: string): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const unpadded = text.replace(/=+$/, '');
  if (!base64Text.test(text) || unpadded.length % 4 === 1 || (text.length !== unpadded.length && text.length % 4 !== 0)) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new InputDataError(`${what} is not valid base64 (${JSON.stringify(shown)}); with --encoding base64, keys and values are standard base64 (A-Z a-z 0-9 + /, = padding)`);
  }
  return Buffer.from(text, 'base64');
}

/** Bytes written the way `decodeText` reads them back (base64), or as escaped text (utf8). */
export function encodeBytes(bytes: Buffer, encoding: Encoding, escape: (bytes: Buffer) => string): string {
  return encoding === 'base64' ? bytes.toString('base64') : escape(bytes);
}
