/**
 * Names in the WAL directory: `wal-<fileNo as 16 hex digits>.log` for files that hold (or will
 * hold) frames, `spare-<n>.log` for emptied files kept to be written over again (overwriting
 * allocated blocks keeps each durable write a data-only sync).
 */
const walPattern = /^wal-([0-9a-f]{16})\.log$/;
const sparePattern = /^spare-([0-9a-f]{16})\.log$/;

export function walFileName(fileNo: number): string {
  return `wal-${fileNo.toString(16).padStart(16, '0')}.log`;
}

export function spareFileName(n: number): string {
  return `spare-${n.toString(16).padStart(16, '0')}.log`;
}

/** The file number of a WAL file name, or undefined for any other name. */
export function walFileNo(name: string): number | undefined {
  const m = walPattern.exec(name);
  return m === null ? undefined : parseInt(m[1], 16);
}

export function isSpareFile(name: string): boolean {
  return sparePattern.test(name);
}

export function spareNo(name: string): number | undefined {
  const m = sparePattern.exec(name);
  return m === null ? undefined : parseInt(m[1], 16);
}
