/**
 * How the reports write numbers, shared by the text report and the HTML report so that the same
 * figure reads the same in both.
 */

/** A whole number with thousands separators: `1,234,567`. */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Microseconds as milliseconds: 2 decimals below 10 ms, 1 above. */
export const ms = (us: number): string => (us / 1000).toFixed(us < 10_000 ? 2 : 1);

/** Bytes in MiB, whole: `1,024`. */
export const mib = (bytes: number): string => int(bytes / 2 ** 20);

/** One decimal: bytes per record, bytes per key. */
export const one = (n: number): string => n.toFixed(1);

/** Seconds: 2 decimals below 10 s, 1 above. */
export const secs = (n: number): string => n.toFixed(n < 10 ? 2 : 1);

/** `1 consumer`, `2 consumers`. */
export const plural = (n: number, noun: string): string => `${int(n)} ${Math.round(n) === 1 ? noun : `${noun}s`}`;

/** A ratio: `0.42x`. */
export const ratio = (n: number): string => `${n.toFixed(2)}x`;

/** Shown where a figure has no sample. */
export const none = '—';
