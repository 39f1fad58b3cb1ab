import { isUtf8 } from 'node:buffer';

const hex = (byte: number): string => `\\x${byte.toString(16).padStart(2, '0')}`;

/** Length of the well-formed UTF-8 sequence starting at `i` (2..4), or 0 if none starts there. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  const cont = (k: number): boolean => i + k < bytes.length && (bytes[i + k] & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const b1 = bytes[i + 1];
    if (b0 === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b0 === 0xed && b1 >= 0xa0) return 0; // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const b1 = bytes[i + 1];
    if (b0 === 0xf0 && b1 < 0x90) return 0; // overlong
    if (b0 === 0xf4 && b1 >= 0x90) return 0; // beyond U+10FFFF
    return 4;
  }
  return 0;
}

/**
 * Bytes as one line of text that can be read back unambiguously: UTF-8 text as it is, except
 * `\` → `\\`, tab → `\t`, newline → `\n`, carriage return → `\r`, other control characters and
 * every byte that is not part of well-formed UTF-8 → `\xHH`. Never U+FFFD: no byte is lost.
 *
 * @example
 * escapeBytes(Buffer.from([0x61, 0x09, 0xff])); // 'a\\t\\xff'
 */
export function escapeBytes(bytes: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x5c || b === 0x7f) {
      plain = false;
      break;
    }
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (plain && isUtf8(buffer)) return buffer.toString('utf8');
  let out = '';
  let runStart = 0;
  let i = 0;
  const flushRun = (end: number): void => {
    if (end > runStart) out += buffer.toString('utf8', runStart, end);
  };
  while (i < buffer.length) {
    const b = buffer[i];
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) {
      i++;
      continue;
    }
    if (b >= 0x80) {
      const n = utf8SequenceLength(buffer, i);
      if (n > 0) {
        i += n;
        continue;
      }
    }
    flushRun(i);
    out += b === 0x5c ? '\\\\' : b === 0x09 ? '\\t' : b === 0x0a ? '\\n' : b === 0x0d ? '\\r' : hex(b);
    i++;
    runStart = i;
  }
  flushRun(i);
  return out;
}

/** Whether the bytes are well-formed UTF-8 (so a JSON string carries them without loss). */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
