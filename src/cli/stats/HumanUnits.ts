/** Figures as people read them: thousands separators, binary byte units, short durations. */

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `0 B`, `512 B`, `1.5 KiB`, `118.0 MiB`, `2.10 GiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `45 s`, `3 min 20 s`, `2 h 3 min`, `4 d 2 h`. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** `1 record`, `2 records`. */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${Math.round(n) === 1 ? noun : /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`}`;
}
