import type { RecordHeaderInput } from './RecordHeader.js';

/**
 * The byte credit a subscription entry costs: its key and value bytes, plus (in protocol version
 * 2, where entries carry headers) each header's name (UTF-8) and value bytes. The broker charges
 * this and a consumer gives it back as it consumes, so both must count alike.
 *
 * @example
 * entryCreditBytes(4, 100, [{ name: 'trace', value: Buffer.from('abc') }]); // 4 + 100 + 5 + 3
 */
export function entryCreditBytes(keyBytes: number, valueBytes: number, headers: readonly RecordHeaderInput[] | undefined): number {
  let size = keyBytes + valueBytes;
  if (headers !== undefined) for (const h of headers) size += Buffer.byteLength(h.name, 'utf8') + (h.value === null ? 0 : h.value.length);
  return size;
}
