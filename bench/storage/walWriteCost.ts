/**
 * What one durable (O_DSYNC) WAL write costs on this disk, into a file that grows with it against
 * a file whose blocks are already written (as WalWriter's zeroing ahead leaves them): wall time and
 * the process's CPU time per write. The figures behind `limits.walZeroAheadBytes`.
 *
 *   npm run bench:wal -- [--bytes 5000] [--writes 2000] [--dir .]
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { nonNegativeInteger, text, valueFlag } from '../../src/args/Flag.js';
import { parseScriptArgs } from '../support/ScriptArgs.js';

const flags = parseScriptArgs(
  {
    bytes: valueFlag('bytes', 'N', 'bytes per write [5000: a commit of ~30 single-record appends]', nonNegativeInteger),
    writes: valueFlag('writes', 'N', 'writes per measurement [2000]', nonNegativeInteger),
    dir: valueFlag('dir', 'DIR', 'directory on the disk to measure [.]', text),
  },
  { command: 'npm run bench:wal --', summary: 'Durable write cost: a growing file against written blocks.', examples: ['npm run bench:wal -- --bytes 256'] },
);
const bytes = Math.max(1, flags.bytes ?? 5000);
const writes = Math.max(1, flags.writes ?? 2000);
const dir = mkdtempSync(join(flags.dir ?? '.', 'odlog-walcost-'));

function measure(prewritten: boolean): { wallUs: number; userUs: number; systemUs: number } {
  const path = join(dir, prewritten ? 'prewritten' : 'growing');
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC, 0o644);
  try {
    if (prewritten) {
      const zeros = Buffer.alloc(1024 * 1024);
      for (let at = 0; at < bytes * writes; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
    }
    const data = Buffer.alloc(bytes, 0x6f);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < writes; i++) writeSync(fd, data, 0, bytes, i * bytes);
    const wallNs = Number(process.hrtime.bigint() - start);
    const used = process.cpuUsage(cpu);
    return { wallUs: wallNs / 1000 / writes, userUs: used.user / writes, systemUs: used.system / writes };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

try {
  console.log(`O_DSYNC writes of ${bytes} bytes, ${writes} per measurement, in ${dir}`);
  for (let round = 1; round <= 2; round++) {
    for (const prewritten of [false, true]) {
      const m = measure(prewritten);
      const label = prewritten ? 'over written blocks' : 'growing the file   ';
      console.log(`  ${label}  ${m.wallUs.toFixed(0).padStart(5)} µs/write wall, CPU ${m.userUs.toFixed(1)} µs user + ${m.systemUs.toFixed(1)} µs system`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
