/**
 * The back-reference copy of LZ77-family formats (snappy, LZ4): repeat `length` bytes from
 * `offset` back in the output. When the copy overlaps itself (offset < length) it repeats the
 * pattern, so it goes byte by byte; otherwise one memmove. Callers check bounds beforehand.
 */
export function copyMatch(out: Buffer, op: number, offset: number, length: number): void {
  const from = op - offset;
  if (offset >= length) {
    out.copyWithin(op, from, from + length);
    return;
  }
  for (let i = 0; i < length; i++) out[op + i] = out[from + i];
}
