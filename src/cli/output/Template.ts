import { UsageError } from '../../args/UsageError.js';

/** A piece of a compiled template: literal text, or a field of the record. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'key' | 'value' | 'sequence' | 'keyLength' | 'valueLength' | 'timestamp' | 'headers' };

const placeholders: { [letter: string]: Exclude<TemplatePart['kind'], 'text'> } = {
  k: 'key',
  s: 'value',
  o: 'sequence',
  K: 'keyLength',
  S: 'valueLength',
  T: 'timestamp',
  h: 'headers',
};

/** Placeholders kcat has that do not apply to odlog records, and why. */
const unavailable: { [letter: string]: string } = {
  t: '%t (topic) does not apply: in odlog the key is the stream; use %k',
  p: '%p (partition) does not apply: odlog has one log; use %k and %o',
};

/**
 * A kcat `-f` style output template: `%k` key, `%s` value, `%o` sequence, `%K` / `%S` key and
 * value length in bytes, `%T` append time (ms since the epoch, -1 when the broker speaks protocol
 * version 1), `%h` headers (`name=value` separated by commas, a null value as the name alone),
 * `%%` a percent sign; `\n`, `\t`, `\r` and `\\` escapes. Nothing is added at the end: put
 * `\n` in the template for one record per line.
 *
 * @example
 * compileTemplate('%o %k=%s\\n', '--template'); // sequence, space, key, '=', value, newline
 */
export function compileTemplate(template: string, flag: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\' && i + 1 < template.length) {
      const next = template[++i];
      const escaped = next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === '\\' ? '\\' : undefined;
      if (escaped === undefined) throw new UsageError(`${flag}: unknown escape \\${next}; use \\n, \\t, \\r or \\\\`);
      literal += escaped;
    } else if (c === '%') {
      const letter = template[++i];
      if (letter === '%') literal += '%';
      else if (letter !== undefined && placeholders[letter] !== undefined) {
        if (literal.length > 0) parts.push({ kind: 'text', text: literal });
        literal = '';
        parts.push({ kind: placeholders[letter] });
      } else if (letter !== undefined && unavailable[letter] !== undefined) throw new UsageError(`${flag}: ${unavailable[letter]}`);
      else throw new UsageError(`${flag}: unknown placeholder %${letter ?? ''}; use %k (key), %s (value), %o (sequence), %K and %S (their lengths), %T (append time), %h (headers) or %%`);
    } else literal += c;
  }
  if (literal.length > 0) parts.push({ kind: 'text', text: literal });
  return parts;
}
